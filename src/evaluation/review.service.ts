import { Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { CourseModulesRepository } from '../content/course-modules.repository';
import { ModuleAccessService } from '../courses/module-access.service';
import { DuplicateKeyError } from '../infrastructure/persistence/document-store';
import { QuestionsRepository, StoredQuestion } from './questions.repository';
import { ReviewCardsRepository, reviewCardId } from './review-cards.repository';
import { nextSchedule } from './review-schedule';

export interface ReviewItem {
  question: StoredQuestion;
  /** Null for a question not tried yet. */
  dueAt: Date | null;
  reps: number;
  lastPercentage: number | null;
}

export interface ReviewQueue {
  items: ReviewItem[];
  nextDueAt: Date | null;
}

/**
 * Answers to one card at the same moment: each retries on the state the others left. Every round
 * lands at least one of them, so this many rounds take that many simultaneous answers in turn.
 */
const RESCHEDULE_ATTEMPTS = 32;

/** The spaced-review queue of bank questions (API.md, Evaluation), scheduled by FSRS. */
@Injectable()
export class ReviewService {
  private readonly logger = new Logger(ReviewService.name);

  constructor(
    private readonly cards: ReviewCardsRepository,
    private readonly questions: QuestionsRepository,
    private readonly modules: CourseModulesRepository,
    private readonly access: ModuleAccessService,
    private readonly clock: Clock,
  ) {}

  /**
   * A counted answer to a bank question: its card is created, or rescheduled from the rating of
   * `percentage`. The question may have been deleted while the answer was graded, after its cards
   * were: the question is looked up again once the card is written, and the card removed if it is
   * gone. A deletion removes the question before its cards (QuestionBankService.delete), so either
   * this lookup sees it gone or the card was written before the deletion removed the cards.
   */
  async recordAnswer(userId: string, question: StoredQuestion & { moduleId: string }, percentage: number, at: Date): Promise<void> {
    if (await this.writeCard(userId, question, percentage, at)) {
      if (!(await this.questions.findById(question.id))) await this.cards.deleteForQuestion(question.id);
    }
  }

  /** Creates or reschedules the card; false when simultaneous answers left this one out. */
  private async writeCard(userId: string, question: StoredQuestion & { moduleId: string }, percentage: number, at: Date): Promise<boolean> {
    const id = reviewCardId(userId, question.id);
    for (let attempt = 0; attempt < RESCHEDULE_ATTEMPTS; attempt += 1) {
      const card = await this.cards.find(userId, question.id);
      const next = nextSchedule(card, percentage, at);
      if (!card) {
        try {
          await this.cards.create({ id, userId, questionId: question.id, moduleId: question.moduleId, ...next });
          return true;
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          continue;
        }
      }
      if (await this.cards.reschedule(id, card.reps, next)) return true;
    }
    // Still more answers at this very moment: they rescheduled the card from the same instant, so
    // the grade stands and this one answer is left out of the schedule rather than failed.
    this.logger.warn(`Review card ${id} was rescheduled by ${RESCHEDULE_ATTEMPTS} simultaneous answers; one was left out.`);
    return false;
  }

  /**
   * Due reviews first (at most `limit`, longest overdue first), then up to `limit` bank questions not
   * tried yet, within what the learner sees: API.md applies `limit` to the untried questions, and the
   * same bound keeps a long backlog of due cards from making one answer unbounded.
   */
  async queue(principal: Principal, filter: { moduleId?: string; courseId?: string; limit: number }): Promise<ReviewQueue> {
    const moduleIds = await this.moduleScope(principal, filter);
    const now = this.clock.now();
    const dueCards = await this.cards.due(principal.userId, moduleIds, now, filter.limit);
    const byId = new Map((await this.questions.findByIds(dueCards.map((c) => c.questionId))).map((q) => [q.id, q]));
    // A card whose question was deleted while it was being answered is skipped.
    const due: ReviewItem[] = dueCards.flatMap((card) => {
      const question = byId.get(card.questionId);
      return question ? [{ question, dueAt: card.due, reps: card.reps, lastPercentage: card.lastPercentage }] : [];
    });
    const tried = await this.cards.questionIds(principal.userId, moduleIds);
    const fresh = await this.questions.bankQuestionsExcept(moduleIds, tried, filter.limit);
    return {
      items: [...due, ...fresh.map((question) => ({ question, dueAt: null, reps: 0, lastPercentage: null }))],
      nextDueAt: await this.cards.nextDue(principal.userId, moduleIds, now),
    };
  }

  /** The modules the queue draws from (undefined: every module, for admins without a filter). */
  private async moduleScope(
    principal: Principal,
    filter: { moduleId?: string; courseId?: string },
  ): Promise<readonly string[] | undefined> {
    // A course that is not the caller's is 404, as the course itself is to them.
    const inCourse =
      filter.courseId !== undefined ? await this.modules.idsIn(await this.access.scopeOf(principal, filter.courseId)) : undefined;
    if (filter.moduleId !== undefined) {
      await this.access.findVisible(principal, filter.moduleId);
      return inCourse ? inCourse.filter((id) => id === filter.moduleId) : [filter.moduleId];
    }
    return inCourse ?? (await this.access.visibleModuleIds(principal));
  }
}
