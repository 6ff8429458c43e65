import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError, FieldError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { detectLanguage } from '../common/text';
import { ModuleAccessService } from '../courses/module-access.service';
import { Passage, passageSnapshot } from '../index/passage';
import { SearchService } from '../index/search.service';
import { AppCache } from '../infrastructure/cache/app-cache';
import { LlmProvider } from '../infrastructure/llm';
import { SourceSnapshot } from '../infrastructure/persistence/schemas/message.schema';
import { UsersRepository } from '../users/users.repository';
import { buildGradeMessages, GradePromptInput } from './evaluation-prompts';
import { Grade, GradesRepository } from './grades.repository';
import { ProgressRepository } from './progress.repository';
import { isBankQuestion, QuestionsRepository, StoredQuestion } from './questions.repository';
import { ReviewService } from './review.service';
import { GradeAnswer, gradeSchema, RubricItem } from './structured-answers';

export interface GradeRequest {
  question?: string;
  studentAnswer: string;
  referenceAnswer?: string;
  rubric?: RubricItem[];
  maxScore?: number;
  moduleId?: string;
  questionId?: string;
}

const DEFAULT_MAX_SCORE = 10;
const GROUNDING_PASSAGES = 3;
const CACHE_TTL_MS = 24 * 3_600_000;
/** Concurrent reviews of one grade each retry after losing; every lost attempt means another landed. */
const MAX_REVIEW_ATTEMPTS = 20;

/** The task the local provider runs for a grade (see evaluation.module.ts). */
export type GradeTask = { kind: 'grade'; input: GradePromptInput };

@Injectable()
export class GradingService {
  constructor(
    private readonly grades: GradesRepository,
    private readonly questions: QuestionsRepository,
    private readonly progress: ProgressRepository,
    private readonly search: SearchService,
    private readonly access: ModuleAccessService,
    private readonly reviews: ReviewService,
    private readonly users: UsersRepository,
    private readonly llm: LlmProvider,
    private readonly cache: AppCache,
    private readonly clock: Clock,
  ) {}

  async grade(principal: Principal, request: GradeRequest): Promise<Grade> {
    const stored = request.questionId ? await this.storedQuestion(principal, request.questionId) : null;
    const bank = stored !== null && isBankQuestion(stored);
    if (bank) refuseKeyFromRequest(stored, request);
    const question = bank ? stored.question : (request.question ?? stored?.question);
    if (!question) throw ApiError.validation([{ field: 'question', message: 'question is required unless question_id is given' }]);
    const rubric = request.rubric ?? stored?.rubric ?? [];
    const maxScore = this.maxScoreFor(request.maxScore, rubric);
    const moduleId = request.moduleId ?? stored?.moduleId ?? undefined;
    // A bank question's module was checked with the question.
    if (moduleId && !bank) await this.access.findVisible(principal, moduleId);
    // Only a student's answer to a bank question, graded on the server's key, is a trustworthy measure.
    const counts = bank && principal.role === 'student';

    // Multiple choice and true/false have one right answer: graded exactly, without any model.
    if (stored && (stored.type === 'mcq' || stored.type === 'true_false')) {
      return this.store(principal, {
        question,
        request,
        rubric,
        maxScore,
        moduleId,
        stored,
        model: 'exact',
        answer: exactGrade(stored, request.studentAnswer, maxScore, rubric),
        sources: stored.sources,
        counts,
      });
    }

    // The key alone is what a right answer must say; its explanation (usually the quoted course
    // sentence) is context: as part of the reference it would cost the exact key half its marks.
    const referenceAnswer = request.referenceAnswer ?? (stored ? (stored.referenceAnswer ?? (stored.answer || undefined)) : undefined);
    const keyExplanation = !request.referenceAnswer && stored?.explanation ? stored.explanation : undefined;
    const passages = moduleId
      ? await this.search.search(principal, `${question}\n${request.studentAnswer}`, { moduleId, k: GROUNDING_PASSAGES })
      : [];
    const language = (await this.users.findById(principal.userId))?.locale ?? detectLanguage(`${question} ${request.studentAnswer}`);
    const input: GradePromptInput = {
      question,
      studentAnswer: request.studentAnswer,
      ...(referenceAnswer ? { referenceAnswer } : {}),
      ...(keyExplanation ? { keyExplanation } : {}),
      rubric,
      maxScore,
      passages: passages.map((p, i) => ({ index: i + 1, title: p.title, text: p.text })),
      language,
    };

    // Identical inputs to the same model get the same grade, from the cache.
    const cacheKey = `grade:${createHash('sha256')
      .update(JSON.stringify([this.llm.name, this.llm.model, input]))
      .digest('base64url')}`;
    let cached = await this.cache.get<{ answer: GradeAnswer; model: string }>(cacheKey);
    if (!cached) {
      const task: GradeTask = { kind: 'grade', input };
      const { value, result } = await this.llm.completeStructured(
        { task, messages: buildGradeMessages(input), userId: principal.userId, temperature: 0 },
        gradeSchema(maxScore, rubric),
      );
      cached = { answer: value, model: result.model };
      await this.cache.set(cacheKey, cached, CACHE_TTL_MS);
    }
    return this.store(principal, {
      question,
      request,
      rubric,
      maxScore,
      moduleId,
      stored,
      model: cached.model,
      answer: cached.answer,
      sources: passages.map(snapshot),
      counts,
    });
  }

  /** A teacher's override of the score and/or feedback; the model's verdict is kept as `original`. */
  async review(reviewer: Principal, id: string, patch: { score?: number; feedback?: string }): Promise<Grade> {
    if (patch.score === undefined && patch.feedback === undefined) {
      throw ApiError.validation(
        [{ field: 'score', message: 'give a score or a feedback to change' }],
        'Nothing to change: give a score, a feedback, or both.',
      );
    }
    // Optimistic: a review lands only on the grade it was computed from, else it is redone on the
    // newer one, so concurrent reviews never move progress by a difference nobody replaced.
    for (let attempt = 0; attempt < MAX_REVIEW_ATTEMPTS; attempt++) {
      const grade = await this.grades.findById(id);
      // A grade outside an instructor's reach answers as a missing one.
      if (!grade || !(await this.access.canReviewGrade(reviewer, grade))) throw ApiError.notFound('grade');
      const score = patch.score ?? grade.score;
      if (score > grade.maxScore) throw ApiError.validation([{ field: 'score', message: `must be from 0 to ${grade.maxScore}` }]);
      const percentage = percentageOf(score, grade.maxScore);
      const updated = await this.grades.review(id, grade.percentage, {
        score,
        percentage,
        feedback: patch.feedback ?? grade.feedback,
        criteria: rescaleCriteria(grade.criteria, score),
        original: grade.original ?? { score: grade.score, feedback: grade.feedback },
        reviewedBy: reviewer.userId,
        reviewedAt: this.clock.now(),
      });
      if (!updated) continue;
      if (grade.countsTowardProgress && grade.moduleId && percentage !== grade.percentage)
        await this.progress.adjust(grade.userId, grade.moduleId, percentage - grade.percentage, grade.createdAt);
      return updated;
    }
    throw new ApiError('conflict', 'The grade is being changed by someone else; please try again.');
  }

  private async store(
    principal: Principal,
    g: {
      question: string;
      request: GradeRequest;
      rubric: RubricItem[];
      maxScore: number;
      moduleId?: string;
      stored: StoredQuestion | null;
      model: string;
      answer: GradeAnswer;
      sources: SourceSnapshot[];
      counts: boolean;
    },
  ): Promise<Grade> {
    const now = this.clock.now();
    const score = Math.min(g.maxScore, Math.max(0, g.answer.score));
    const grade = await this.grades.create({
      id: newId(),
      userId: principal.userId,
      moduleId: g.moduleId ?? null,
      questionId: g.stored?.id ?? null,
      countsTowardProgress: g.counts,
      question: g.question,
      studentAnswer: g.request.studentAnswer,
      referenceAnswer: g.request.referenceAnswer ?? null,
      rubric: g.rubric,
      maxScore: g.maxScore,
      score,
      percentage: percentageOf(score, g.maxScore),
      feedback: g.answer.feedback,
      strengths: g.answer.strengths,
      improvements: g.answer.improvements,
      criteria: g.answer.criteria.map((c, i) => ({
        criterion: c.criterion,
        score: c.score,
        maxPoints: g.rubric[i]!.maxPoints,
        comment: c.comment,
      })),
      sources: g.sources,
      model: g.model,
      original: null,
      reviewedBy: null,
      reviewedAt: null,
      createdAt: now,
    });
    if (grade.countsTowardProgress && g.stored?.moduleId) {
      await this.progress.addAttempt(principal.userId, g.stored.moduleId, grade.percentage, now);
      await this.reviews.recordAnswer(principal.userId, { ...g.stored, moduleId: g.stored.moduleId }, grade.percentage, now);
    }
    return grade;
  }

  /**
   * A bank question answers to whoever sees its module; a practice question is its author's alone:
   * to anyone else either does not exist (API.md, Evaluation).
   */
  private async storedQuestion(principal: Principal, id: string): Promise<StoredQuestion> {
    const stored = await this.questions.findById(id);
    if (stored && isBankQuestion(stored) && stored.moduleId) {
      await this.access.findVisible(principal, stored.moduleId);
      return stored;
    }
    if (!stored || isBankQuestion(stored) || stored.createdBy !== principal.userId) throw ApiError.notFound('question');
    return stored;
  }

  private maxScoreFor(given: number | undefined, rubric: RubricItem[]): number {
    if (rubric.length === 0) return given ?? DEFAULT_MAX_SCORE;
    const total = sumOfPoints(rubric.map((r) => r.maxPoints));
    // A rubric worth nothing leaves no scale to grade on (and a percentage of 0/0).
    if (total <= 0) throw ApiError.validation([{ field: 'rubric', message: "the rubric's points must add up to more than 0" }]);
    if (given !== undefined && Math.abs(given - total) > 1e-9) {
      throw ApiError.validation([
        { field: 'max_score', message: `must equal the sum of the rubric's points (${total}) when a rubric is given` },
      ]);
    }
    return total;
  }
}

/**
 * A bank question is graded on its stored key alone: an answer that brings its own reference or
 * rubric, another question text, or another module is refused rather than half-followed.
 */
function refuseKeyFromRequest(stored: StoredQuestion, request: GradeRequest): void {
  const errors: FieldError[] = [];
  const bankKey = "is not taken with a bank question's question_id: its stored key is used";
  if (request.referenceAnswer !== undefined) errors.push({ field: 'reference_answer', message: bankKey });
  if (request.rubric !== undefined) errors.push({ field: 'rubric', message: bankKey });
  if (request.question !== undefined && normalise(request.question) !== normalise(stored.question))
    errors.push({ field: 'question', message: "must be the bank question's own text, or left out" });
  if (request.moduleId !== undefined && request.moduleId !== stored.moduleId)
    errors.push({ field: 'module_id', message: "must be the bank question's module, or left out" });
  if (errors.length > 0)
    throw ApiError.validation(errors, "A bank question is graded on its stored key: don't send a reference or a rubric.");
}

export function percentageOf(score: number, maxScore: number): number {
  return maxScore > 0 ? Math.round((10_000 * score) / maxScore) / 100 : 0;
}

function snapshot(passage: Passage): SourceSnapshot {
  return passageSnapshot(passage);
}

const normalise = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!]+$/, '');
const TRUE_WORDS = new Set(['true', 'vrai', 'yes', 'oui', 't', 'v']);
const FALSE_WORDS = new Set(['false', 'faux', 'no', 'non', 'f']);

/** Exact grading of a multiple-choice or true/false answer against the stored key. */
export function exactGrade(question: StoredQuestion, studentAnswer: string, maxScore: number, rubric: RubricItem[]): GradeAnswer {
  const given = normalise(studentAnswer);
  let right: boolean;
  if (question.type === 'true_false') {
    const value = TRUE_WORDS.has(given) ? 'true' : FALSE_WORDS.has(given) ? 'false' : null;
    right = value === question.answer;
  } else {
    const choices = question.choices ?? [];
    // The text of a choice counts as that choice, even when it is itself a letter or a number
    // (choices "1"…"4"); otherwise a letter (a–d) or a number (1–4) picks a choice by position.
    const byText = choices.find((c) => normalise(c) === given);
    const byPosition = /^[a-d]$/.test(given)
      ? choices[given.charCodeAt(0) - 97]
      : /^[1-4]$/.test(given)
        ? choices[Number(given) - 1]
        : undefined;
    right = normalise(byText ?? byPosition ?? studentAnswer) === normalise(question.answer);
  }
  const score = right ? maxScore : 0;
  const fr = question.language === 'fr';
  const key = question.type === 'true_false' ? (fr ? (question.answer === 'true' ? 'vrai' : 'faux') : question.answer) : question.answer;
  const feedback = right
    ? fr
      ? `Bonne réponse : ${key}.`
      : `Correct: ${key}.`
    : fr
      ? `Réponse incorrecte. La bonne réponse est : ${key}.`
      : `Not correct. The right answer is: ${key}.`;
  return {
    score,
    feedback: question.explanation ? `${feedback} ${question.explanation}` : feedback,
    strengths: right ? [fr ? 'Vous avez choisi la bonne réponse.' : 'You chose the right answer.'] : [],
    improvements: right ? [] : [fr ? `Relisez le passage cité : ${key}.` : `Review the cited passage: the answer is ${key}.`],
    criteria: distribute(rubric, score, maxScore),
  };
}

/**
 * A sum of points as a person adds them: floating point makes 0.4 + 0.2 0.6000000000000001, which
 * a grade would then show as its max_score. Nine decimals keep any points a rubric may give.
 */
function sumOfPoints(points: number[]): number {
  return Math.round(points.reduce((sum, p) => sum + p, 0) * 1e9) / 1e9;
}

function distribute(rubric: RubricItem[], score: number, maxScore: number) {
  return rubric.map((r) => ({ criterion: r.criterion, score: maxScore > 0 ? (r.maxPoints * score) / maxScore : 0, comment: '' }));
}

/** Keeps a rubric grade's criteria adding up to an overridden score, each within its points. */
export function rescaleCriteria<C extends { score: number; maxPoints: number }>(criteria: C[], score: number): C[] {
  if (criteria.length === 0) return criteria;
  const current = criteria.reduce((sum, c) => sum + c.score, 0);
  const capacity = criteria.reduce((sum, c) => sum + c.maxPoints, 0);
  // Scale the part above or below the current scores in proportion to each criterion's room to move.
  const raising = score >= current;
  const room = criteria.map((c) => (raising ? c.maxPoints - c.score : c.score));
  const totalRoom = room.reduce((a, b) => a + b, 0);
  const change = Math.min(Math.abs(score - current), raising ? capacity - current : current);
  const scaled = criteria.map((c, i) => {
    const share = totalRoom > 0 ? (room[i]! / totalRoom) * change : 0;
    return { ...c, score: Math.round((c.score + (raising ? share : -share)) * 100) / 100 };
  });
  // Rounding residue goes to the first criterion that can take it.
  const residue = Math.round((score - scaled.reduce((sum, c) => sum + c.score, 0)) * 100) / 100;
  if (residue !== 0) {
    const target = scaled.find((c) => c.score + residue >= 0 && c.score + residue <= c.maxPoints);
    if (target) target.score = Math.round((target.score + residue) * 100) / 100;
  }
  return scaled;
}
