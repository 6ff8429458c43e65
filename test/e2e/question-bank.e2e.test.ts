import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { LearnerProfile } from '../../src/chat/learner-profile';
import { Clock } from '../../src/common/clock';
import { ReviewCard, ReviewCardsRepository } from '../../src/evaluation/review-cards.repository';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { MovableClock } from '../support/movable-clock';
import { createStaff, fails, ok, stores } from '../support/answers';
import { dropMongoDatabase } from '../support/mongo';
import { Account, bearer, login, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * The question bank, counted and practice grades, and the review queue (API.md, Evaluation),
 * through the booted app, for each role: a student of the course, the course's instructor, another
 * instructor, an admin and a student outside the course.
 */

type Question = {
  id: string;
  type: string;
  question: string;
  choices?: string[];
  answer?: string;
  explanation?: string;
  reference_answer?: string | null;
  rubric?: { criterion: string; max_points: number }[];
  module_id: string | null;
  origin: string;
  created_at: string;
};
type Grade = {
  id: string;
  score: number;
  percentage: number;
  question_id: string | null;
  module_id: string | null;
  counts_toward_progress: boolean;
};
type Page<T> = { items: T[]; next_cursor: string | null };
type ReviewQueue = {
  items: { question: Question; due_at: string | null; reps: number; last_percentage: number | null }[];
  next_due_at: string | null;
};
type Progress = {
  overall: { attempts: number; average_percentage: number };
  modules: { module_id: string; attempts: number; average_percentage: number; mastery: number; last_attempt_at: string | null }[];
};
type ClassProgress = { attempts: number; average_percentage: number; mastery: number; due_reviews: number; last_attempt_at: string | null };
type AuditEntry = { actor_id: string; action: string; target_id: string | null; details: Record<string, unknown> };

const KEY_FIELDS = ['answer', 'explanation', 'reference_answer', 'rubric'];
const DAY = 86_400;

const LOOPS_MD = `# Loops

## The while loop

A while loop repeats its body as long as its condition stays true. Forgetting to change the condition gives an infinite loop.

## The for loop

A for loop walks through the items of a sequence one by one. The range function produces the numbers from 0 up to, but not including, its stop value.

## Leaving a loop

The break statement leaves the loop at once. The continue statement skips the rest of the body and starts the next turn.
`;

const MCQ = {
  type: 'mcq',
  question: 'What does range(3) produce?',
  choices: ['0, 1, 2', '1, 2, 3', '0, 1, 2, 3', '3'],
  answer: '0, 1, 2',
  explanation: 'range stops before its stop value.',
  difficulty: 'easy',
};
const TRUE_FALSE = { type: 'true_false', question: 'A while loop always runs its body at least once.', answer: 'false' };
const SHORT = {
  type: 'short_answer',
  question: 'What does the break statement do?',
  reference_answer: 'The break statement leaves the loop at once.',
  rubric: [{ criterion: 'Says the loop is left at once', max_points: 4 }],
};

/**
 * The app's review cards, which can hold the next counted answer just before it touches its card:
 * what happens meanwhile (a question deleted) happens between grading and scheduling.
 */
class HeldReviewCards extends ReviewCardsRepository {
  private hold: { reached: () => void; released: Promise<void> } | null = null;

  /** Holds the next answer; resolves `reached` once it waits, and lets it go on `release()`. */
  holdNextAnswer(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (this.hold = { reached: resolve, released }));
    return { reached, release };
  }

  override async find(userId: string, questionId: string): Promise<ReviewCard | null> {
    const hold = this.hold;
    this.hold = null;
    if (hold) {
      hold.reached();
      await hold.released;
    }
    return super.find(userId, questionId);
  }
}

describe.each(stores('bank_e2e'))('question bank, counted grades and review [$name]', ({ env }) => {
  const clock = new MovableClock();
  let t: TestApp;
  let admin: Account;
  let teacher: Account;
  let otherTeacher: Account;
  let student: Account;
  let outsider: Account;
  let courseId: string;
  let moduleId: string;
  let openModuleId: string;

  const http = () => t.http;

  const staff = (role: 'instructor' | 'admin') => createStaff(http(), admin, role);

  const author = (by: Account, body: object, module = moduleId) =>
    http().post(`/api/admin/modules/${module}/questions`).set(bearer(by)).send(body);
  const bankOf = (by: Account, module = moduleId, query: Record<string, string | number> = {}) =>
    http().get(`/api/modules/${module}/questions`).query(query).set(bearer(by));
  const grade = (by: Account, body: object) => http().post('/api/evaluation/grade').set(bearer(by)).send(body);
  const review = (by: Account, query: Record<string, string | number> = {}) =>
    http().get('/api/evaluation/review').query(query).set(bearer(by));
  const progressOf = (by: Account) => ok<Progress>(http().get('/api/evaluation/progress').set(bearer(by)));

  async function classView(): Promise<Map<string, ClassProgress>> {
    const page = await ok<Page<{ user: { id: string }; progress: ClassProgress }>>(
      http().get(`/api/admin/courses/${courseId}/students`).query({ limit: 100 }).set(bearer(teacher)),
    );
    return new Map(page.items.map((s) => [s.user.id, s.progress]));
  }

  async function audit(action: string, targetId: string): Promise<AuditEntry[]> {
    const page = await ok<Page<AuditEntry>>(http().get('/api/admin/audit').query({ action, limit: 100 }).set(bearer(admin)));
    return page.items.filter((e) => e.target_id === targetId);
  }

  /** Moves the clock, then signs everyone in again: access tokens expire by the same clock. */
  async function advance(seconds: number, ...others: Account[]): Promise<void> {
    clock.advance(seconds);
    for (const account of [admin, teacher, otherTeacher, student, outsider, ...others]) {
      account.accessToken = (await login(http(), account.email, account.password)).accessToken;
    }
  }

  /** A fresh student enrolled in the course, so each test starts from an empty history. */
  async function enrolledStudent(): Promise<Account> {
    const pupil = await register(http());
    await ok(http().post(`/api/admin/courses/${courseId}/students`).set(bearer(teacher)).send({ user_id: pupil.id }), 201);
    return pupil;
  }

  beforeAll(async () => {
    t = await startTestApp({
      env,
      override: (builder) =>
        builder
          .overrideProvider(Clock)
          .useValue(clock)
          .overrideProvider(ReviewCardsRepository)
          .useFactory({ factory: (store: DocumentStore) => new HeldReviewCards(store), inject: [DocumentStore] }),
    });
    admin = await loginAdmin(http());
    teacher = await staff('instructor');
    otherTeacher = await staff('instructor');
    student = await register(http());
    outsider = await register(http());
    const course = await ok<{ id: string; join_code: string }>(
      http().post('/api/admin/courses').set(bearer(teacher)).send({ title: 'Python for beginners' }),
      201,
    );
    courseId = course.id;
    await ok(http().post('/api/courses/join').set(bearer(student)).send({ code: course.join_code }));
    moduleId = (
      await ok<{ id: string }>(http().post('/api/admin/modules').set(bearer(teacher)).send({ title: 'Loops', course_id: courseId }), 201)
    ).id;
    await ok(
      http()
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(teacher))
        .send({ title: 'Loops', content: LOOPS_MD, format: 'markdown' }),
      201,
    );
    openModuleId = (await ok<{ id: string }>(http().post('/api/admin/modules').set(bearer(teacher)).send({ title: 'Open loops' }), 201)).id;
  });

  afterAll(async () => {
    await t.close();
    if (env.MONGODB_URI) await dropMongoDatabase(env.MONGODB_URI);
  });

  describe('authoring', () => {
    it("should let the course's instructor and admins write each type into the bank, each change audited", async () => {
      const mcq = await ok<Question>(author(teacher, MCQ), 201);
      expect(mcq).toMatchObject({ ...MCQ, module_id: moduleId, origin: 'authored', reference_answer: null, rubric: [] });
      assert.match(mcq.id, /^[0-9a-f]{24}$/);
      const tf = await ok<Question>(author(admin, { ...TRUE_FALSE, answer: 'FALSE' }), 201);
      expect(tf).toMatchObject({ type: 'true_false', answer: 'false', difficulty: 'medium', explanation: '' });
      const short = await ok<Question>(author(teacher, SHORT), 201);
      expect(short).toMatchObject({ reference_answer: SHORT.reference_answer, rubric: SHORT.rubric, answer: SHORT.reference_answer });

      const created = await audit('question.create', mcq.id);
      expect(created.map((e) => [e.actor_id, e.details])).toEqual([[teacher.id, { module_id: moduleId, type: 'mcq' }]]);
      assert.equal((await audit('question.create', tf.id))[0]?.actor_id, admin.id);
    });

    it('should refuse a question that breaks its type rules with validation_failed, and store nothing', async () => {
      const before = (await ok<Page<Question>>(bankOf(teacher, moduleId, { limit: 100 }))).items.length;
      const bad: object[] = [
        { ...MCQ, choices: MCQ.choices.slice(0, 3) },
        { ...MCQ, choices: ['a', 'b', 'a', 'c'], answer: 'a' },
        { ...MCQ, answer: '4' },
        { ...MCQ, answer: undefined },
        { ...TRUE_FALSE, answer: 'yes' },
        { ...TRUE_FALSE, choices: MCQ.choices },
        { type: 'short_answer', question: 'Why?' },
        { ...SHORT, answer: 'x' },
        { ...MCQ, type: 'essay' },
        { ...MCQ, question: '' },
        { ...MCQ, module_id: moduleId },
        { ...SHORT, rubric: [{ criterion: 'c', max_points: 0 }], reference_answer: undefined },
        { ...SHORT, reference_answer: ' \n ', rubric: undefined },
      ];
      for (const body of bad) await fails(author(teacher, body), 400, 'validation_failed');
      assert.equal((await ok<Page<Question>>(bankOf(teacher, moduleId, { limit: 100 }))).items.length, before);
    });

    it("should refuse students (403), another instructor on the course's module (404) and on an open module (403)", async () => {
      await fails(author(student, MCQ), 403, 'forbidden');
      await fails(author(otherTeacher, MCQ), 404, 'not_found');
      await fails(author(otherTeacher, MCQ, openModuleId), 403, 'forbidden');
      await ok(author(teacher, MCQ, openModuleId), 201);
      await fails(author(teacher, MCQ, 'c'.repeat(24)), 404, 'not_found');
      await fails(http().post(`/api/admin/modules/${moduleId}/questions`).send(MCQ), 401, 'unauthorized');
    });

    it('should change and delete a bank question for its managers only, audited, the key kept out of the log', async () => {
      const q = await ok<Question>(author(teacher, MCQ), 201);
      const changed = await ok<Question>(http().patch(`/api/admin/questions/${q.id}`).set(bearer(teacher)).send({ difficulty: 'hard' }));
      expect(changed).toMatchObject({ ...MCQ, difficulty: 'hard', id: q.id });
      const retyped = await ok<Question>(
        http().patch(`/api/admin/questions/${q.id}`).set(bearer(admin)).send({ type: 'true_false', answer: 'true' }),
      );
      expect(retyped).toMatchObject({ type: 'true_false', answer: 'true' });
      assert.equal(retyped.choices, undefined);
      await fails(http().patch(`/api/admin/questions/${q.id}`).set(bearer(teacher)).send({ type: 'mcq' }), 400, 'validation_failed');
      const unchanged = await ok<Question>(http().patch(`/api/admin/questions/${q.id}`).set(bearer(teacher)).send({}));
      expect(unchanged).toEqual(retyped);
      await fails(http().patch(`/api/admin/questions/${q.id}`).set(bearer(otherTeacher)).send({ difficulty: 'easy' }), 404, 'not_found');
      await fails(http().patch(`/api/admin/questions/${q.id}`).set(bearer(student)).send({ difficulty: 'easy' }), 403, 'forbidden');
      const updates = await audit('question.update', q.id);
      // The change of nothing is not logged.
      expect(updates.map((e) => e.details.fields)).toEqual([['type', 'answer'], ['difficulty']]);
      assert.ok(!JSON.stringify(updates).includes('"true"'));

      await fails(http().delete(`/api/admin/questions/${q.id}`).set(bearer(student)), 403, 'forbidden');
      await fails(http().delete(`/api/admin/questions/${q.id}`).set(bearer(otherTeacher)), 404, 'not_found');
      const deleted = await http().delete(`/api/admin/questions/${q.id}`).set(bearer(teacher));
      assert.equal(deleted.status, 204);
      await fails(http().delete(`/api/admin/questions/${q.id}`).set(bearer(teacher)), 404, 'not_found');
      await fails(grade(student, { question_id: q.id, student_answer: 'true' }), 404, 'not_found');
      assert.equal((await audit('question.delete', q.id))[0]?.actor_id, teacher.id);

      const open = await ok<Question>(author(teacher, MCQ, openModuleId), 201);
      await fails(http().patch(`/api/admin/questions/${open.id}`).set(bearer(otherTeacher)).send({ difficulty: 'easy' }), 403, 'forbidden');
      await fails(http().delete(`/api/admin/questions/${open.id}`).set(bearer(otherTeacher)), 403, 'forbidden');
    });
  });

  describe('reading the bank', () => {
    it('should show students the bank without any key, and staff with it, page by page', async () => {
      const page = await ok<Page<Question>>(bankOf(student, moduleId, { limit: 100 }));
      assert.ok(page.items.length >= 3);
      for (const q of page.items) {
        for (const field of KEY_FIELDS) assert.ok(!(field in q), `a student never gets ${field}`);
        assert.ok(q.origin === 'authored' || q.origin === 'generated');
      }
      assert.ok(page.items.find((q) => q.type === 'mcq')?.choices?.length === 4, 'a student sees the choices');
      const staffPage = await ok<Page<Question>>(bankOf(teacher, moduleId, { limit: 100 }));
      assert.ok(staffPage.items.every((q) => typeof q.answer === 'string' && typeof q.explanation === 'string'));
      expect(staffPage.items.map((q) => q.id)).toEqual(page.items.map((q) => q.id));
      assert.ok((await ok<Page<Question>>(bankOf(admin))).items.every((q) => 'answer' in q));

      const first = await ok<Page<Question>>(bankOf(student, moduleId, { limit: 1 }));
      assert.ok(first.next_cursor);
      const second = await ok<Page<Question>>(bankOf(student, moduleId, { limit: 1, cursor: first.next_cursor! }));
      assert.notEqual(second.items[0]?.id, first.items[0]?.id);
      await fails(bankOf(student, moduleId, { cursor: 'forged' }), 400, 'validation_failed');
    });

    it('should hide the bank of a course module from an unenrolled student and another instructor (404)', async () => {
      await fails(bankOf(outsider), 404, 'not_found');
      await fails(bankOf(otherTeacher), 404, 'not_found');
      await ok(bankOf(outsider, openModuleId));
      await fails(bankOf(student, 'c'.repeat(24)), 404, 'not_found');
    });
  });

  describe('grading and progress', () => {
    it("should count a student's answer to a bank question, graded on the stored key, and nothing else", async () => {
      const pupil = await enrolledStudent();
      const mcq = await ok<Question>(author(teacher, MCQ), 201);
      const right = await ok<Grade>(grade(pupil, { question_id: mcq.id, student_answer: 'a' }));
      expect(right).toMatchObject({ question_id: mcq.id, module_id: moduleId, counts_toward_progress: true, percentage: 100 });

      // Practice: the student brings the reference (and would award themself full marks), or grades a free question.
      const practice = await ok<Grade>(
        grade(pupil, { question: 'What is 2+2?', student_answer: 'four', reference_answer: 'four', module_id: moduleId }),
      );
      expect(practice).toMatchObject({ question_id: null, module_id: moduleId, counts_toward_progress: false });

      const progress = await progressOf(pupil);
      expect(progress.overall).toEqual({ attempts: 1, average_percentage: 100 });
      expect(progress.modules.map((m) => [m.module_id, m.attempts, m.average_percentage])).toEqual([[moduleId, 1, 100]]);
      const listed = await ok<Page<Grade>>(http().get('/api/evaluation/grades').set(bearer(pupil)));
      expect(listed.items.map((g) => g.counts_toward_progress)).toEqual([false, true]);
    });

    it('should refuse a reference, a rubric, another text or another module sent with a bank question (400), storing nothing', async () => {
      const pupil = await enrolledStudent();
      const short = await ok<Question>(author(teacher, SHORT), 201);
      const refused = [
        { reference_answer: 'anything I like' },
        { rubric: [{ criterion: 'Mine', max_points: 10 }] },
        { question: 'A question of my own' },
        { module_id: openModuleId },
      ];
      for (const extra of refused)
        await fails(grade(pupil, { question_id: short.id, student_answer: 'It stops.', ...extra }), 400, 'validation_failed');
      assert.equal((await ok<Page<Grade>>(http().get('/api/evaluation/grades').set(bearer(pupil)))).items.length, 0);
      const graded = await ok<Grade>(
        grade(pupil, { question_id: short.id, question: SHORT.question, student_answer: 'break leaves the loop at once' }),
      );
      assert.equal(graded.counts_toward_progress, true);
      assert.ok(graded.percentage >= 50, String(graded.percentage));
    });

    it('should answer 404 to a bank question of a module the caller cannot see, and count no staff answer', async () => {
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      await fails(grade(outsider, { question_id: tf.id, student_answer: 'false' }), 404, 'not_found');
      await fails(grade(otherTeacher, { question_id: tf.id, student_answer: 'false' }), 404, 'not_found');
      const byTeacher = await ok<Grade>(grade(teacher, { question_id: tf.id, student_answer: 'false' }));
      expect(byTeacher).toMatchObject({ percentage: 100, counts_toward_progress: false });
      const byAdmin = await ok<Grade>(grade(admin, { question_id: tf.id, student_answer: 'true' }));
      expect(byAdmin).toMatchObject({ percentage: 0, counts_toward_progress: false });
    });

    it("should keep a student's practice questions theirs: practice origin, 404 to others, never counted", async () => {
      const pupil = await enrolledStudent();
      const generated = await ok<{ questions: Question[] }>(
        http()
          .post('/api/evaluation/generate-questions')
          .set(bearer(pupil))
          .send({ module_id: moduleId, count: 2, types: ['true_false'], language: 'en' }),
      );
      assert.ok(generated.questions.length > 0);
      const q = generated.questions[0]!;
      expect(q).toMatchObject({ origin: 'practice', module_id: moduleId });
      assert.ok(typeof q.answer === 'string', 'the author of a practice question gets its key');
      await fails(grade(student, { question_id: q.id, student_answer: q.answer }), 404, 'not_found');
      await fails(grade(teacher, { question_id: q.id, student_answer: q.answer }), 404, 'not_found');
      const own = await ok<Grade>(grade(pupil, { question_id: q.id, student_answer: q.answer }));
      expect(own).toMatchObject({ percentage: 100, counts_toward_progress: false, question_id: q.id });
      expect((await progressOf(pupil)).overall.attempts).toBe(0);
      assert.ok(!(await ok<Page<Question>>(bankOf(teacher, moduleId, { limit: 100 }))).items.some((b) => b.id === q.id));
      await fails(http().patch(`/api/admin/questions/${q.id}`).set(bearer(admin)).send({ difficulty: 'hard' }), 404, 'not_found');
    });

    it('should put generated questions in the bank for its managers only (bank: true), audited', async () => {
      const body = { module_id: moduleId, count: 2, types: ['mcq', 'true_false'], language: 'en', bank: true };
      const generated = await ok<{ questions: Question[] }>(
        http().post('/api/evaluation/generate-questions').set(bearer(teacher)).send(body),
      );
      assert.ok(generated.questions.length > 0);
      assert.ok(generated.questions.every((q) => q.origin === 'generated' && q.module_id === moduleId));
      const bank = await ok<Page<Question>>(bankOf(student, moduleId, { limit: 100 }));
      for (const q of generated.questions) assert.ok(bank.items.some((b) => b.id === q.id && b.origin === 'generated'));
      const entries = await audit('question.generate', moduleId);
      expect(entries.map((e) => [e.actor_id, e.details.question_ids])).toContainEqual([teacher.id, generated.questions.map((q) => q.id)]);

      await fails(http().post('/api/evaluation/generate-questions').set(bearer(student)).send(body), 403, 'forbidden');
      await fails(http().post('/api/evaluation/generate-questions').set(bearer(otherTeacher)).send(body), 404, 'not_found');
      await fails(
        http()
          .post('/api/evaluation/generate-questions')
          .set(bearer(otherTeacher))
          .send({ ...body, module_id: openModuleId }),
        403,
        'forbidden',
      );
      await fails(
        http().post('/api/evaluation/generate-questions').set(bearer(teacher)).send({ topic: 'loops', bank: true }),
        400,
        'validation_failed',
      );

      const pupil = await enrolledStudent();
      const q = generated.questions[0]!;
      const answered = await ok<Grade>(grade(pupil, { question_id: q.id, student_answer: q.answer }));
      expect(answered).toMatchObject({ percentage: 100, counts_toward_progress: true });
    });

    it('should move progress when a teacher overrides a counted grade, and leave it when overriding practice', async () => {
      const pupil = await enrolledStudent();
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      const counted = await ok<Grade>(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      assert.equal(counted.percentage, 0);
      const practice = await ok<Grade>(grade(pupil, { question: 'q', student_answer: 'a', reference_answer: 'b', module_id: moduleId }));
      await ok(http().patch(`/api/admin/evaluations/${counted.id}`).set(bearer(teacher)).send({ score: 7.5 }));
      await ok(http().patch(`/api/admin/evaluations/${practice.id}`).set(bearer(teacher)).send({ score: 10 }));
      const progress = await progressOf(pupil);
      expect(progress.overall).toEqual({ attempts: 1, average_percentage: 75 });
      expect(progress.modules[0]).toMatchObject({ attempts: 1, average_percentage: 75 });
      expect((await classView()).get(pupil.id)).toMatchObject({ attempts: 1, average_percentage: 75 });
    });

    it('should tell the tutor of a weak module from counted grades only, never from practice', async () => {
      const pupil = await enrolledStudent();
      const profile = t.app.get(LearnerProfile);
      await ok(grade(pupil, { question: 'What is 2+2?', student_answer: 'five', reference_answer: 'four', module_id: moduleId }));
      expect(await profile.weakestModules({ userId: pupil.id, role: 'student' })).toEqual([]);
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      await ok(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      expect(await profile.weakestModules({ userId: pupil.id, role: 'student' })).toEqual(['Loops']);
    });

    it('should average only counted grades in the admin statistics', async () => {
      const before = await ok<{ grades: number; average_percentage: number }>(http().get('/api/admin/stats').set(bearer(admin)));
      const pupil = await enrolledStudent();
      for (let i = 0; i < 3; i++) await ok(grade(pupil, { question: 'q', student_answer: 'a', reference_answer: 'a' }));
      const after = await ok<{ grades: number; average_percentage: number }>(http().get('/api/admin/stats').set(bearer(admin)));
      assert.equal(after.grades, before.grades + 3);
      assert.equal(after.average_percentage, before.average_percentage, 'practice moves no average');
    });
  });

  describe('review queue and class view', () => {
    it('should offer untried bank questions without keys, then bring answered ones back when due, rescheduled by FSRS', async () => {
      const pupil = await enrolledStudent();
      const bank = (await ok<Page<Question>>(bankOf(teacher, moduleId, { limit: 100 }))).items;
      const fresh = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 100 }));
      expect(fresh.items.map((i) => i.question.id)).toEqual(bank.map((q) => q.id));
      assert.equal(fresh.next_due_at, null);
      for (const item of fresh.items) {
        expect({ due_at: item.due_at, reps: item.reps, last_percentage: item.last_percentage }).toEqual({
          due_at: null,
          reps: 0,
          last_percentage: null,
        });
        for (const field of KEY_FIELDS) assert.ok(!(field in item.question), `no ${field} in the queue`);
      }
      assert.equal((await ok<ReviewQueue>(review(pupil))).items.length, 10, 'ten items by default');
      assert.equal((await ok<ReviewQueue>(review(pupil, { limit: 2 }))).items.length, 2);

      const mcq = bank.find((q) => q.type === 'mcq' && q.origin === 'authored')!;
      const tf = bank.find((q) => q.type === 'true_false' && q.answer === 'false')!;
      await ok(grade(pupil, { question_id: mcq.id, student_answer: mcq.answer }));
      await ok(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      const after = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 100 }));
      assert.ok(!after.items.some((i) => i.question.id === mcq.id), 'a perfect answer is not due at once');
      assert.ok(after.next_due_at !== null);
      expect((await classView()).get(pupil.id)).toMatchObject({ attempts: 2, average_percentage: 50, due_reviews: 0 });

      // A wrong answer comes back within minutes, a perfect one after days.
      await advance(15 * 60, pupil);
      const soon = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 100 }));
      expect(soon.items[0]).toMatchObject({ question: { id: tf.id }, reps: 1, last_percentage: 0 });
      assert.ok(!soon.items.some((i) => i.question.id === mcq.id));
      assert.equal((await classView()).get(pupil.id)?.due_reviews, 1);

      await advance(30 * DAY, pupil);
      const later = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 100 }));
      expect(
        later.items
          .slice(0, 2)
          .map((i) => i.question.id)
          .sort(),
      ).toEqual([mcq.id, tf.id].sort());
      assert.ok(later.items.slice(0, 2).every((i) => i.due_at !== null && Date.parse(i.due_at) <= clock.now().getTime()));
      assert.ok(Date.parse(later.items[0]!.due_at!) <= Date.parse(later.items[1]!.due_at!), 'longest overdue first');
      assert.ok(later.items.slice(2).every((i) => i.reps === 0));
      assert.equal((await classView()).get(pupil.id)?.due_reviews, 2);
      // `limit` bounds the untried questions that follow the due ones (API.md), and the due ones too.
      const one = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 1 }));
      expect(one.items.map((i) => i.reps > 0)).toEqual([true, false]);

      await ok(grade(pupil, { question_id: mcq.id, student_answer: mcq.answer }));
      const rescheduled = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 100 }));
      assert.ok(!rescheduled.items.some((i) => i.question.id === mcq.id), 'answering reschedules');
      expect(rescheduled.items[0]).toMatchObject({ question: { id: tf.id } });
      const classRow = (await classView()).get(pupil.id)!;
      expect(classRow).toMatchObject({ attempts: 3, due_reviews: 1 });
      assert.ok(classRow.last_attempt_at !== null && classRow.mastery > 0 && classRow.mastery <= 1);
    });

    it('should keep the queue within what the caller sees, by module and by course', async () => {
      const pupil = await enrolledStudent();
      const open = await ok<Question>(author(teacher, TRUE_FALSE, openModuleId), 201);
      const byCourse = await ok<ReviewQueue>(review(pupil, { course_id: courseId, limit: 100 }));
      assert.ok(byCourse.items.length > 0 && byCourse.items.every((i) => i.question.module_id === moduleId));
      const everything = await ok<ReviewQueue>(review(pupil, { limit: 100 }));
      assert.ok(everything.items.some((i) => i.question.id === open.id));

      const stranger = await ok<ReviewQueue>(review(outsider, { limit: 100 }));
      assert.ok(
        stranger.items.every((i) => i.question.module_id !== moduleId),
        'nothing of a course one is not in',
      );
      await fails(review(outsider, { module_id: moduleId }), 404, 'not_found');
      await fails(review(outsider, { course_id: courseId }), 404, 'not_found');
      await fails(review(otherTeacher, { course_id: courseId }), 404, 'not_found');
      await ok(review(admin, { course_id: courseId }));
      await fails(review(pupil, { limit: 0 }), 400, 'validation_failed');
      await fails(review(pupil, { module_id: 'nope' }), 400, 'validation_failed');
    });

    it('should reschedule one card once per answer when a student sends ten answers at once', async () => {
      const pupil = await enrolledStudent();
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => ok<Grade>(grade(pupil, { question_id: tf.id, student_answer: i % 2 ? 'true' : 'false' }))),
      );
      assert.ok(answers.every((g) => g.counts_toward_progress));
      const card = await t.app.get(ReviewCardsRepository).find(pupil.id, tf.id);
      assert.equal(card?.reps, 10, 'no answer lost to another');
      expect((await progressOf(pupil)).overall).toEqual({ attempts: 10, average_percentage: 50 });
    });

    it("should take a deleted module's bank questions and their review cards with it", async () => {
      const pupil = await enrolledStudent();
      const doomed = (
        await ok<{ id: string }>(http().post('/api/admin/modules').set(bearer(teacher)).send({ title: 'Doomed', course_id: courseId }), 201)
      ).id;
      const tf = await ok<Question>(author(teacher, TRUE_FALSE, doomed), 201);
      await ok(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      await advance(DAY, pupil);
      assert.equal((await classView()).get(pupil.id)?.due_reviews, 1);
      assert.equal((await http().delete(`/api/admin/modules/${doomed}`).set(bearer(teacher))).status, 204);
      expect(await t.app.get(ReviewCardsRepository).questionIds(pupil.id, undefined)).toEqual([]);
      assert.equal((await classView()).get(pupil.id)?.due_reviews, 0);
      const queue = await ok<ReviewQueue>(review(pupil, { limit: 100 }));
      assert.ok(!queue.items.some((i) => i.question.id === tf.id));
      await fails(grade(pupil, { question_id: tf.id, student_answer: 'false' }), 404, 'not_found');
    });

    it('should leave no review card, due or counted, of a question deleted while an answer to it was being graded', async () => {
      const pupil = await enrolledStudent();
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      const held = (t.app.get(ReviewCardsRepository) as HeldReviewCards).holdNextAnswer();
      const answer = ok<Grade>(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      await held.reached;
      assert.equal((await http().delete(`/api/admin/questions/${tf.id}`).set(bearer(teacher))).status, 204);
      held.release();
      expect(await answer).toMatchObject({ question_id: tf.id, counts_toward_progress: true });

      await advance(DAY, pupil);
      expect(await t.app.get(ReviewCardsRepository).questionIds(pupil.id, undefined)).toEqual([]);
      assert.equal((await classView()).get(pupil.id)?.due_reviews, 0);
      const queue = await ok<ReviewQueue>(review(pupil, { limit: 100 }));
      assert.ok(!queue.items.some((i) => i.question.id === tf.id));
      assert.equal(queue.next_due_at, null);
    });

    it('should not count in the class view a due card whose question is gone (left by an earlier version)', async () => {
      const pupil = await enrolledStudent();
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      await ok(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      const card = (await t.app.get(ReviewCardsRepository).find(pupil.id, tf.id))!;
      const goneId = '0123456789abcdef01234567';
      await t.app.get(ReviewCardsRepository).create({ ...card, id: `${pupil.id}:${goneId}`, questionId: goneId });
      await advance(DAY, pupil);
      assert.equal((await classView()).get(pupil.id)?.due_reviews, 1);
      const queue = await ok<ReviewQueue>(review(pupil, { module_id: moduleId, limit: 100 }));
      expect(queue.items.filter((i) => i.reps > 0).map((i) => i.question.id)).toEqual([tf.id]);
    });

    it('should drop a removed student from the class view and their course reviews from their queue', async () => {
      const pupil = await enrolledStudent();
      const tf = await ok<Question>(author(teacher, TRUE_FALSE), 201);
      await ok(grade(pupil, { question_id: tf.id, student_answer: 'true' }));
      assert.ok((await classView()).has(pupil.id));
      assert.equal((await http().delete(`/api/admin/courses/${courseId}/students/${pupil.id}`).set(bearer(teacher))).status, 204);
      assert.ok(!(await classView()).has(pupil.id));
      await advance(DAY, pupil);
      const queue = await ok<ReviewQueue>(review(pupil, { limit: 100 }));
      assert.ok(!queue.items.some((i) => i.question.module_id === moduleId));
      await fails(grade(pupil, { question_id: tf.id, student_answer: 'false' }), 404, 'not_found');
    });
  });
});
