import { afterAll, beforeAll, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ConversationsRepository } from '../../src/chat/conversations.repository';
import { MessagesRepository } from '../../src/chat/messages.repository';
import { newId } from '../../src/common/ids';
import { Grade, GradesRepository } from '../../src/evaluation/grades.repository';
import { masteryOf } from '../../src/evaluation/mastery';
import { ProgressRepository } from '../../src/evaluation/progress.repository';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { UsageRepository } from '../../src/usage/usage.repository';
import { describeEachStore } from '../support/stores';

describeEachStore('learning records', (harness) => {
  let store: DocumentStore;
  beforeAll(async () => {
    store = await harness().open();
  });
  afterAll(async () => {
    await harness().close(store);
    await harness().dispose();
  });

  it('should give 30 concurrent turns distinct, ordered sequence numbers', async () => {
    const conversations = new ConversationsRepository(store);
    const now = new Date();
    const c = await conversations.create({
      id: newId(),
      userId: newId(),
      moduleId: null,
      title: 't',
      summary: null,
      summarizedBefore: 0,
      nextSeq: 0,
      messageCount: 0,
      createdAt: now,
      updatedAt: now,
    });
    const firsts = await Promise.all(Array.from({ length: 30 }, () => conversations.reserveSeq(c.id, 2, now)));
    assert.deepEqual(
      [...firsts].sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i * 2),
    );
    assert.equal((await conversations.findById(c.id))?.messageCount, 60);
  });

  it('should keep messages in sequence order and refuse a second message at one sequence number', async () => {
    const messages = new MessagesRepository(store);
    const conversationId = newId();
    const make = (seq: number) => ({
      id: newId(),
      conversationId,
      userId: 'u',
      seq,
      role: 'user' as const,
      content: `m${seq}`,
      sources: [],
      status: 'complete' as const,
      model: null,
      createdAt: new Date(),
    });
    for (const seq of [2, 0, 1, 3]) await messages.create(make(seq));
    assert.deepEqual(
      (await messages.forConversation(conversationId)).map((m) => m.seq),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      (await messages.recent(conversationId, 3, 2)).map((m) => m.seq),
      [1, 2],
    );
    await assert.rejects(messages.create(make(2)));
  });

  it('should count 20 concurrent graded attempts with the right average and mastery', async () => {
    const progress = new ProgressRepository(store);
    const userId = newId();
    const moduleId = newId();
    const percentages = Array.from({ length: 20 }, (_, i) => (i * 37) % 101);
    const at = new Date();
    await Promise.all(percentages.map((p) => progress.addAttempt(userId, moduleId, p, at)));
    const row = await progress.find(userId, moduleId);
    assert.equal(row?.attempts, 20);
    const mean = percentages.reduce((a, b) => a + b, 0) / 20;
    assert.ok(Math.abs(row!.percentSum / row!.attempts - mean) < 1e-9);
    // All at one instant: equal weights, so mastery is the plain mean.
    assert.ok(Math.abs(masteryOf(row!.weightedPercent, row!.weight) - mean / 100) < 1e-9);
  });

  it('should weigh recent attempts more in mastery', async () => {
    const progress = new ProgressRepository(store);
    const userId = newId();
    const moduleId = newId();
    await progress.addAttempt(userId, moduleId, 0, new Date('2026-01-01T00:00:00Z'));
    await progress.addAttempt(userId, moduleId, 100, new Date('2026-03-01T00:00:00Z'));
    const row = await progress.find(userId, moduleId);
    assert.ok(masteryOf(row!.weightedPercent, row!.weight) > 0.8);
  });

  it('should add up usage per user and day across concurrent calls', async () => {
    const usage = new UsageRepository(store);
    const userId = newId();
    await Promise.all(Array.from({ length: 25 }, () => usage.add(userId, '2026-11-23', 10, 3)));
    await usage.add(userId, '2026-11-22', 1, 1);
    const days = await usage.between('2026-11-01', '2026-11-30', userId);
    const today = days.find((d) => d.day === '2026-11-23');
    assert.equal(today?.requests, 25);
    assert.equal(today?.promptTokens, 250);
    assert.equal(today?.completionTokens, 75);
    assert.equal(days.length, 2);
    assert.equal(await usage.deleteForUser(userId), 2);
  });

  it("should add up everyone's tokens over a range of days and per day, oldest first", async () => {
    const usage = new UsageRepository(store);
    const [ada, bob] = [newId(), newId()];
    await usage.add(ada, '2031-03-02', 10, 4);
    await usage.add(ada, '2031-03-02', 5, 1);
    await usage.add(bob, '2031-03-02', 100, 40);
    await usage.add(bob, '2031-03-01', 7, 3);
    await usage.add(ada, '2031-04-01', 1000, 1000);
    expect(await usage.totalsByDay('2031-03-01', '2031-03-31')).toEqual([
      { day: '2031-03-01', promptTokens: 7, completionTokens: 3 },
      { day: '2031-03-02', promptTokens: 115, completionTokens: 45 },
    ]);
    expect(await usage.totals('2031-03-01', '2031-03-31')).toEqual({ promptTokens: 122, completionTokens: 48 });
    expect(await usage.totals('2031-05-01', '2031-05-31')).toEqual({ promptTokens: 0, completionTokens: 0 });
    expect(await usage.totalsByDay('2031-05-01', '2031-05-31')).toEqual([]);
  });

  it('should average the percentage of the grades that count only, and give none without them', async () => {
    const grades = new GradesRepository(store);
    expect(await grades.averageCountedPercentage()).toBeNull();
    await grades.create(grade(100));
    expect(await grades.averageCountedPercentage()).toBeNull();
    const percentages = [12.5, 80, 97.25, 40];
    for (const percentage of percentages) await grades.create(grade(percentage, { countsTowardProgress: true }));
    const mean = percentages.reduce((a, b) => a + b, 0) / percentages.length;
    expect(await grades.averageCountedPercentage()).toBeCloseTo(mean, 9);
  });

  it("should sum up a learner's counted grades apart from their practice", async () => {
    const grades = new GradesRepository(store);
    const userId = newId();
    expect(await grades.countedSummary(userId)).toEqual({ attempts: 0, averagePercentage: null });
    await grades.create(grade(10, { userId }));
    await grades.create(grade(60, { userId, countsTowardProgress: true }));
    await grades.create(grade(90, { userId, countsTowardProgress: true }));
    expect(await grades.countedSummary(userId)).toEqual({ attempts: 2, averagePercentage: 75 });
    expect((await grades.countedForUser(userId)).map((g) => g.percentage)).toEqual([60, 90]);
  });

  it("should set a learner's progress to what their grades make, replacing every earlier row, twice alike", async () => {
    const progress = new ProgressRepository(store);
    const userId = newId();
    const [kept, dropped] = [newId(), newId()];
    await progress.addAttempt(userId, dropped, 50, new Date());
    const at = new Date('2026-02-01T00:00:00Z');
    const graded = [
      { moduleId: kept, percentage: 40, createdAt: at },
      { moduleId: kept, percentage: 80, createdAt: new Date(at.getTime() + 1000) },
      { moduleId: null, percentage: 100, createdAt: at },
    ];
    await progress.replaceForUser(userId, graded);
    await progress.replaceForUser(userId, graded);
    const rows = await progress.forUser(userId);
    expect(rows.map((r) => [r.moduleId, r.attempts, r.percentSum])).toEqual([[kept, 2, 120]]);
    expect(rows[0]!.lastAttemptAt).toEqual(new Date(at.getTime() + 1000));
  });
});

function grade(percentage: number, overrides: Partial<Grade> = {}): Grade {
  return {
    id: newId(),
    userId: newId(),
    moduleId: null,
    questionId: null,
    countsTowardProgress: false,
    question: 'What is a list?',
    studentAnswer: 'An ordered collection.',
    referenceAnswer: null,
    rubric: [],
    maxScore: 100,
    score: percentage,
    percentage,
    feedback: 'ok',
    strengths: [],
    improvements: [],
    criteria: [],
    sources: [],
    model: 'local',
    original: null,
    reviewedBy: null,
    reviewedAt: null,
    createdAt: new Date(),
    ...overrides,
  };
}
