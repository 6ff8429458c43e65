import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { BANK_ORIGINS, QuestionRecord, QuestionSchema } from '../infrastructure/persistence/schemas/question.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type StoredQuestion = Domain<QuestionRecord>;

/** What a manager may change on a bank question (its module and origin stay). */
export type QuestionChanges = Partial<
  Pick<
    StoredQuestion,
    'type' | 'question' | 'choices' | 'answer' | 'referenceAnswer' | 'rubric' | 'explanation' | 'difficulty' | 'language'
  >
>;

const IN_BANK = { origin: { $in: BANK_ORIGINS } };

export function isBankQuestion(question: Pick<StoredQuestion, 'origin'>): boolean {
  return BANK_ORIGINS.includes(question.origin);
}

@Injectable()
export class QuestionsRepository {
  private readonly questions: DocumentCollection<QuestionRecord>;

  constructor(store: DocumentStore) {
    this.questions = store.collection<QuestionRecord>({ name: 'questions', schema: QuestionSchema });
  }

  async create(question: StoredQuestion): Promise<StoredQuestion> {
    return toDomain(await this.questions.insertOne(toStored(question)));
  }

  async findById(id: string): Promise<StoredQuestion | null> {
    const found = await this.questions.findOne({ _id: id });
    return found && toDomain(found);
  }

  async findByIds(ids: string[]): Promise<StoredQuestion[]> {
    if (ids.length === 0) return [];
    return (await this.questions.find({ _id: { $in: ids } })).map(toDomain);
  }

  /** How many of these questions still exist. */
  countExisting(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return Promise.resolve(0);
    return this.questions.count({ _id: { $in: ids } });
  }

  /** A module's bank, oldest first, `limit + 1` rows after the given id. */
  async listBank(moduleId: string, afterId: string | undefined, limit: number): Promise<StoredQuestion[]> {
    const filter = { moduleId, ...IN_BANK, ...(afterId ? { _id: { $gt: afterId } } : {}) };
    return (await this.questions.find(filter, { sort: { _id: 1 }, limit: limit + 1 })).map(toDomain);
  }

  /** Bank questions of these modules (undefined: every module) that are not among `exceptIds`, oldest first. */
  async bankQuestionsExcept(
    moduleIds: readonly string[] | undefined,
    exceptIds: readonly string[],
    limit: number,
  ): Promise<StoredQuestion[]> {
    if (limit <= 0 || moduleIds?.length === 0) return [];
    const filter: Record<string, unknown> = { ...IN_BANK, ...(moduleIds ? { moduleId: { $in: moduleIds } } : {}) };
    if (exceptIds.length > 0) filter._id = { $nin: exceptIds };
    return (await this.questions.find(filter, { sort: { _id: 1 }, limit })).map(toDomain);
  }

  /** Changes a bank question; null when it is no longer there. */
  async update(
    id: string,
    changes: QuestionChanges,
    unset: readonly ('choices' | 'referenceAnswer')[],
    now: Date,
  ): Promise<StoredQuestion | null> {
    const update: Record<string, unknown> = { $set: { ...changes, updatedAt: now } };
    if (unset.length > 0) update.$unset = Object.fromEntries(unset.map((field) => [field, true]));
    const updated = await this.questions.updateOne({ _id: id, ...IN_BANK }, update);
    return updated && toDomain(updated);
  }

  deleteBankQuestion(id: string): Promise<boolean> {
    return this.questions.deleteOne({ _id: id, ...IN_BANK });
  }

  /** A deleted module's questions go with it. */
  deleteByModule(moduleId: string): Promise<number> {
    return this.questions.deleteMany({ moduleId });
  }

  /** First-release questions (no origin yet) become their author's practice questions, in today's shape. */
  adoptLegacy(): Promise<number> {
    return this.questions.updateMany({ origin: { $exists: false } }, { $set: { origin: 'practice', referenceAnswer: null, rubric: [] } });
  }

  /** A learner's own practice questions go with the account; bank questions they wrote stay with the module. */
  deletePracticeCreatedBy(userId: string): Promise<number> {
    return this.questions.deleteMany({ createdBy: userId, origin: { $nin: BANK_ORIGINS } });
  }
}
