import { afterAll, beforeAll, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { newId } from '../../src/common/ids';
import { GradesRepository } from '../../src/evaluation/grades.repository';
import { QuestionsRepository, StoredQuestion } from '../../src/evaluation/questions.repository';
import { ReviewCard, ReviewCardsRepository, reviewCardId } from '../../src/evaluation/review-cards.repository';
import { nextSchedule } from '../../src/evaluation/review-schedule';
import { DocumentStore, DuplicateKeyError } from '../../src/infrastructure/persistence/document-store';
import { GradeSchema } from '../../src/infrastructure/persistence/schemas/grade.schema';
import { QuestionOrigin, QuestionSchema } from '../../src/infrastructure/persistence/schemas/question.schema';
import { describeEachStore } from '../support/stores';

/** The question bank and the review cards (API.md, Evaluation), against each storage adapter. */
describeEachStore('question bank and review cards', (harness) => {
  let store: DocumentStore;
  let questions: QuestionsRepository;
  let cards: ReviewCardsRepository;
  beforeAll(async () => {
    store = await harness().open();
    questions = new QuestionsRepository(store);
    cards = new ReviewCardsRepository(store);
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  const question = (moduleId: string, origin: QuestionOrigin, overrides: Partial<StoredQuestion> = {}): StoredQuestion => ({
    id: newId(),
    createdBy: newId(),
    moduleId,
    origin,
    type: 'true_false',
    question: 'range(3) includes 3.',
    answer: 'false',
    referenceAnswer: null,
    rubric: [],
    explanation: 'It stops before 3.',
    difficulty: 'easy',
    language: 'en',
    sources: [],
    createdAt: new Date(),
    updatedAt: null,
    ...overrides,
  });

  const card = (userId: string, q: StoredQuestion, due: Date, percentage = 50): ReviewCard => ({
    id: reviewCardId(userId, q.id),
    userId,
    questionId: q.id,
    moduleId: q.moduleId!,
    ...nextSchedule(null, percentage, new Date(due.getTime() - 60_000)),
    due,
  });

  it("should list a module's bank only, authored and generated, oldest first, page by page", async () => {
    const moduleId = newId();
    const bank = [await questions.create(question(moduleId, 'authored')), await questions.create(question(moduleId, 'generated'))];
    await questions.create(question(moduleId, 'practice'));
    await questions.create(question(newId(), 'authored'));
    const first = await questions.listBank(moduleId, undefined, 1);
    expect(first.map((q) => q.id)).toEqual(bank.map((q) => q.id));
    expect((await questions.listBank(moduleId, bank[0]!.id, 5)).map((q) => q.id)).toEqual([bank[1]!.id]);
  });

  it('should change and delete bank questions only, never a practice question', async () => {
    const moduleId = newId();
    const mcq = await questions.create(
      question(moduleId, 'authored', { type: 'mcq', question: 'Pick one', choices: ['a', 'b', 'c', 'd'], answer: 'a' }),
    );
    const retyped = await questions.update(mcq.id, { type: 'true_false', answer: 'true' }, ['choices'], new Date());
    expect(retyped).toMatchObject({ type: 'true_false', answer: 'true', origin: 'authored' });
    assert.equal(retyped?.choices, undefined);
    const practice = await questions.create(question(moduleId, 'practice'));
    assert.equal(await questions.update(practice.id, { answer: 'true' }, [], new Date()), null);
    assert.equal(await questions.deleteBankQuestion(practice.id), false);
    assert.equal(await questions.deleteBankQuestion(mcq.id), true);
    assert.equal(await questions.findById(mcq.id), null);
  });

  it('should offer bank questions of the given modules that are not among the tried ones', async () => {
    const [a, b] = [newId(), newId()];
    const qa = [await questions.create(question(a, 'authored')), await questions.create(question(a, 'generated'))];
    const qb = await questions.create(question(b, 'authored'));
    await questions.create(question(a, 'practice'));
    expect((await questions.bankQuestionsExcept([a], [qa[0]!.id], 10)).map((q) => q.id)).toEqual([qa[1]!.id]);
    expect((await questions.bankQuestionsExcept([a, b], [], 2)).map((q) => q.id)).toEqual(qa.map((q) => q.id));
    expect((await questions.bankQuestionsExcept([a, b], [], 10)).map((q) => q.id)).toContain(qb.id);
    expect(await questions.bankQuestionsExcept([], [], 10)).toEqual([]);
    expect(await questions.bankQuestionsExcept([a], [], 0)).toEqual([]);
  });

  it('should keep one card per learner and question, and reschedule it only from the state it replaces', async () => {
    const userId = newId();
    const q = await questions.create(question(newId(), 'authored'));
    const first = await cards.create(card(userId, q, new Date('2026-05-01T10:00:00Z')));
    await assert.rejects(cards.create(card(userId, q, new Date())), DuplicateKeyError);
    const next = nextSchedule(first, 95, first.due);
    const results = await Promise.all([cards.reschedule(first.id, first.reps, next), cards.reschedule(first.id, first.reps, next)]);
    assert.equal(results.filter((r) => r !== null).length, 1, 'one of two reschedules from the same state lands');
    expect(await cards.find(userId, q.id)).toMatchObject({ reps: first.reps + 1, lastPercentage: 95 });
  });

  it('should give due cards longest overdue first, list their questions, and say when the next one falls due, per module', async () => {
    const userId = newId();
    const [a, b] = [newId(), newId()];
    const now = new Date('2026-06-10T12:00:00Z');
    const qs = await Promise.all([a, a, b, a].map((m) => questions.create(question(m, 'authored'))));
    await cards.create(card(userId, qs[0]!, new Date('2026-06-09T00:00:00Z')));
    await cards.create(card(userId, qs[1]!, new Date('2026-06-01T00:00:00Z')));
    await cards.create(card(userId, qs[2]!, new Date('2026-06-05T00:00:00Z')));
    await cards.create(card(userId, qs[3]!, new Date('2026-06-20T00:00:00Z')));
    await cards.create(card(newId(), qs[0]!, new Date('2026-06-01T00:00:00Z')));

    expect((await cards.due(userId, undefined, now, 10)).map((c) => c.questionId)).toEqual([qs[1]!.id, qs[2]!.id, qs[0]!.id]);
    expect((await cards.due(userId, [a], now, 1)).map((c) => c.questionId)).toEqual([qs[1]!.id]);
    expect((await cards.dueQuestionIds(userId, [a], now)).sort()).toEqual([qs[0]!.id, qs[1]!.id].sort());
    expect(await cards.dueQuestionIds(userId, [], now)).toEqual([]);
    assert.equal(await questions.countExisting([qs[0]!.id, qs[1]!.id, newId()]), 2);
    assert.equal(await questions.countExisting([]), 0);
    expect(await cards.nextDue(userId, [a, b], now)).toEqual(new Date('2026-06-20T00:00:00Z'));
    assert.equal(await cards.nextDue(userId, [b], now), null);
    expect((await cards.questionIds(userId, [b])).sort()).toEqual([qs[2]!.id]);

    assert.equal(await cards.deleteForQuestion(qs[0]!.id), 2);
    assert.equal(await cards.deleteForModule(b), 1);
    assert.equal(await cards.deleteForUser(userId), 2);
  });

  it("should turn first-release questions and grades into today's shape, once", async () => {
    // First-release records lack the new fields: written in today's shape, then stripped of them.
    const legacy = await questions.create(question(newId(), 'practice'));
    await store
      .collection({ name: 'questions', schema: QuestionSchema })
      .updateOne({ _id: legacy.id }, { $unset: { origin: true, referenceAnswer: true, rubric: true } });
    assert.ok((await questions.adoptLegacy()) >= 1);
    expect(await questions.findById(legacy.id)).toMatchObject({ origin: 'practice', referenceAnswer: null, rubric: [] });
    assert.equal(await questions.adoptLegacy(), 0);

    const grades = new GradesRepository(store);
    const userId = newId();
    const base = { userId, moduleId: newId(), question: 'q', studentAnswer: 'a', referenceAnswer: null, rubric: [], maxScore: 10 };
    const verdict = { feedback: 'f', strengths: [], improvements: [], criteria: [], sources: [], model: 'local', original: null };
    const made = [];
    for (const questionId of [legacy.id, null]) {
      made.push(
        await grades.create({
          id: newId(),
          ...base,
          questionId,
          countsTowardProgress: false,
          score: 5,
          percentage: 50,
          ...verdict,
          reviewedBy: null,
          reviewedAt: null,
          createdAt: new Date(),
        }),
      );
    }
    await store.collection({ name: 'grades', schema: GradeSchema }).updateMany({ userId }, { $unset: { countsTowardProgress: true } });
    expect(await grades.usersWithUnmarkedGrades()).toContain(userId);
    expect((await grades.unmarkedCountingForUser(userId)).map((g) => g.id)).toEqual([made[0]!.id]);
    await grades.markUnmarked(userId);
    expect((await grades.findById(made[0]!.id))?.countsTowardProgress).toBe(true);
    expect((await grades.findById(made[1]!.id))?.countsTowardProgress).toBe(false);
    expect(await grades.usersWithUnmarkedGrades()).not.toContain(userId);
  });
});
