import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore, Filter } from '../infrastructure/persistence/document-store';
import { ReviewCardRecord, ReviewCardSchema } from '../infrastructure/persistence/schemas/review-card.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type ReviewCard = Domain<ReviewCardRecord>;

export const reviewCardId = (userId: string, questionId: string) => `${userId}:${questionId}`;

/** A learner's cards, within some modules (undefined: all of them). */
function cardsOf(userId: string, moduleIds: readonly string[] | undefined): Filter {
  return { userId, ...(moduleIds ? { moduleId: { $in: moduleIds } } : {}) };
}

@Injectable()
export class ReviewCardsRepository {
  private readonly cards: DocumentCollection<ReviewCardRecord>;

  constructor(store: DocumentStore) {
    this.cards = store.collection<ReviewCardRecord>({ name: 'review_cards', schema: ReviewCardSchema });
  }

  async find(userId: string, questionId: string): Promise<ReviewCard | null> {
    const found = await this.cards.findOne({ _id: reviewCardId(userId, questionId) });
    return found && toDomain(found);
  }

  /** A first card; a DuplicateKeyError when another answer created it first. */
  async create(card: ReviewCard): Promise<ReviewCard> {
    return toDomain(await this.cards.insertOne(toStored(card)));
  }

  /**
   * Replaces the schedule only if the card is still at `expectedReps` (null otherwise): the answer
   * was rescheduled from the state it replaces, never from one another answer already moved on.
   */
  async reschedule(
    id: string,
    expectedReps: number,
    next: Omit<ReviewCard, 'id' | 'userId' | 'questionId' | 'moduleId'>,
  ): Promise<ReviewCard | null> {
    const updated = await this.cards.updateOne({ _id: id, reps: expectedReps }, { $set: next });
    return updated && toDomain(updated);
  }

  /** Cards due at `now`, the longest overdue first. */
  async due(userId: string, moduleIds: readonly string[] | undefined, now: Date, limit: number): Promise<ReviewCard[]> {
    if (limit <= 0 || moduleIds?.length === 0) return [];
    return (await this.cards.find({ ...cardsOf(userId, moduleIds), due: { $lte: now } }, { sort: { due: 1 }, limit })).map(toDomain);
  }

  /** The questions of the learner's cards due at `now`. */
  async dueQuestionIds(userId: string, moduleIds: readonly string[] | undefined, now: Date): Promise<string[]> {
    if (moduleIds?.length === 0) return [];
    return (await this.cards.find({ ...cardsOf(userId, moduleIds), due: { $lte: now } })).map((card) => card.questionId);
  }

  /** When the next card falls due after `now` (null when none will). */
  async nextDue(userId: string, moduleIds: readonly string[] | undefined, now: Date): Promise<Date | null> {
    if (moduleIds?.length === 0) return null;
    const [next] = await this.cards.find({ ...cardsOf(userId, moduleIds), due: { $gt: now } }, { sort: { due: 1 }, limit: 1 });
    return next?.due ?? null;
  }

  /** The questions the learner has a card for (answered at least once). */
  async questionIds(userId: string, moduleIds: readonly string[] | undefined): Promise<string[]> {
    if (moduleIds?.length === 0) return [];
    return (await this.cards.find(cardsOf(userId, moduleIds))).map((card) => card.questionId);
  }

  deleteForQuestion(questionId: string): Promise<number> {
    return this.cards.deleteMany({ questionId });
  }

  deleteForModule(moduleId: string): Promise<number> {
    return this.cards.deleteMany({ moduleId });
  }

  deleteForUser(userId: string): Promise<number> {
    return this.cards.deleteMany({ userId });
  }
}
