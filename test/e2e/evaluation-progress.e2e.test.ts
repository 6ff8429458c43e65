import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { AuditService } from '../../src/audit/audit.service';
import {
  Account,
  bearer,
  errorCode,
  login,
  loginAdmin,
  register,
  startTestApp,
  TestApp,
  uniqueEmail,
  createCourseModule,
} from '../support/test-app';

/**
 * My grades and progress, concurrent attempts, and the teachers' review of grades. Progress counts
 * answers to bank questions only; answers graded on a reference the learner sends are practice.
 */

const OCEANS_MD = `# Ocean currents

Ocean currents are driven by wind, by differences in water density and by the rotation of the Earth. The Gulf Stream carries warm water from the Gulf of Mexico across the Atlantic towards Europe, which keeps western Europe mild in winter. Cold, salty water sinks near the poles and flows along the ocean floor: this is the thermohaline circulation.
`;

const VOLCANOES_MD = `# Volcanoes

A volcano forms where magma from the mantle reaches the surface. Most volcanoes sit along the boundaries of tectonic plates, such as the Pacific Ring of Fire. Basaltic lava is runny and builds wide shield volcanoes; sticky andesitic lava builds steep stratovolcanoes.
`;

const OCEAN_QUESTION = 'What drives ocean currents, and what does the Gulf Stream do?';
const OCEAN_REFERENCE =
  'Currents are driven by wind, differences in water density and the rotation of the Earth. The Gulf Stream carries warm water across the Atlantic towards Europe and keeps western Europe mild.';
const OCEAN_FRAGMENTS = [
  'Wind drives currents.',
  'Differences in water density drive them too.',
  'The rotation of the Earth matters.',
  'The Gulf Stream carries warm water to Europe.',
  'It keeps western Europe mild in winter.',
];

interface Grade {
  id: string;
  score: number;
  max_score: number;
  percentage: number;
  feedback: string;
  criteria: { criterion: string; score: number; max_points: number }[];
  created_at: string;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100;

describe('grades, progress and review', () => {
  let t: TestApp;
  let admin: Account;
  let teacher: Account;
  let oceans: string;
  let volcanoes: string;
  /** Bank questions: the ocean question with its reference, the same with a rubric, and a volcano question. */
  let oceanQuestion: string;
  let oceanRubricQuestion: string;
  let volcanoQuestion: string;

  /** Open modules of `teacher`: an instructor reviews the grades on the modules they manage. */
  function createModule(title: string, markdown: string): Promise<string> {
    return createCourseModule(t, teacher, title, markdown);
  }

  async function grade(account: Account, body: Record<string, unknown>): Promise<Grade> {
    const response = await t.http.post('/api/evaluation/grade').set(bearer(account)).send(body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.data as Grade;
  }

  const oceanFragments = (fragments: number) => OCEAN_FRAGMENTS.slice(0, fragments).join(' ') || 'I am not sure.';

  /** An answer to the ocean bank question (with its rubric if asked), which counts; `null`: practice outside any module. */
  function oceanAnswer(account: Account, fragments: number, moduleId: string | null = oceans, options: { rubric?: boolean } = {}) {
    if (moduleId === null) {
      return grade(account, { question: OCEAN_QUESTION, reference_answer: OCEAN_REFERENCE, student_answer: oceanFragments(fragments) });
    }
    return grade(account, { question_id: options.rubric ? oceanRubricQuestion : oceanQuestion, student_answer: oceanFragments(fragments) });
  }

  async function bankQuestion(moduleId: string, body: Record<string, unknown>): Promise<string> {
    const response = await t.http.post(`/api/admin/modules/${moduleId}/questions`).set(bearer(admin)).send(body);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.data.id as string;
  }

  async function myGrades(account: Account, query: Record<string, string | number> = {}) {
    return t.http.get('/api/evaluation/grades').query(query).set(bearer(account));
  }

  async function progressOf(account: Account) {
    const response = await t.http.get('/api/evaluation/progress').set(bearer(account));
    assert.equal(response.status, 200);
    return response.body.data as {
      overall: { attempts: number; average_percentage: number };
      modules: {
        module_id: string;
        title: string;
        attempts: number;
        average_percentage: number;
        mastery: number;
        last_attempt_at: string | null;
      }[];
    };
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
    const email = uniqueEmail('teacher');
    const created = await t.http
      .post('/api/admin/users')
      .set(bearer(admin))
      .send({ email, password: 'teacher-password', role: 'instructor' });
    assert.equal(created.status, 201);
    teacher = await login(t.http, email, 'teacher-password');
    oceans = await createModule('Ocean currents', OCEANS_MD);
    volcanoes = await createModule('Volcanoes', VOLCANOES_MD);
    oceanQuestion = await bankQuestion(oceans, { type: 'short_answer', question: OCEAN_QUESTION, reference_answer: OCEAN_REFERENCE });
    oceanRubricQuestion = await bankQuestion(oceans, {
      type: 'short_answer',
      question: OCEAN_QUESTION,
      reference_answer: OCEAN_REFERENCE,
      rubric: [
        { criterion: 'Names what drives currents', max_points: 4.5 },
        { criterion: 'Explains the Gulf Stream', max_points: 3 },
      ],
    });
    volcanoQuestion = await bankQuestion(volcanoes, {
      type: 'short_answer',
      question: 'Where do most volcanoes sit?',
      reference_answer: 'Along the boundaries of tectonic plates, such as the Pacific Ring of Fire.',
    });
  });
  afterAll(() => t.close());

  describe('GET /api/evaluation/grades', () => {
    it('should list only my own grades, newest first, filtered by module', async () => {
      const [ann, bob] = [await register(t.http), await register(t.http)];
      const annGrades = [
        await oceanAnswer(ann, 1),
        await oceanAnswer(ann, 3, null),
        await grade(ann, { question: 'What builds shield volcanoes?', student_answer: 'Runny basaltic lava.', module_id: volcanoes }),
      ];
      const bobGrade = await oceanAnswer(bob, 5);
      const mine = await myGrades(ann);
      assert.equal(mine.status, 200);
      assert.deepEqual(
        mine.body.data.items.map((g: Grade) => g.id),
        annGrades.map((g) => g.id).reverse(),
      );
      assert.equal(mine.body.data.next_cursor, null);
      assert.deepEqual(
        (await myGrades(bob)).body.data.items.map((g: Grade) => g.id),
        [bobGrade.id],
      );
      const inOceans = await myGrades(ann, { module_id: oceans });
      assert.deepEqual(
        inOceans.body.data.items.map((g: Grade) => g.id),
        [annGrades[0]!.id],
      );
      assert.deepEqual((await myGrades(bob, { module_id: volcanoes })).body.data.items, []);
    });

    it('should page through my grades with limit and cursor', async () => {
      const learner = await register(t.http);
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.unshift((await oceanAnswer(learner, i, null)).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      const sizes: number[] = [];
      do {
        const page = await myGrades(learner, { limit: 2, ...(cursor ? { cursor } : {}) });
        assert.equal(page.status, 200);
        sizes.push(page.body.data.items.length);
        seen.push(...page.body.data.items.map((g: Grade) => g.id));
        cursor = page.body.data.next_cursor ?? undefined;
      } while (cursor);
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.deepEqual(seen, ids);
    });

    it('should refuse bad list parameters', async () => {
      const learner = await register(t.http);
      const queries: Record<string, string | number>[] = [
        { limit: 0 },
        { limit: 101 },
        { limit: 'many' },
        { cursor: 'forged' },
        { module_id: 'oceans' },
        { user_id: 'c'.repeat(24) },
      ];
      for (const query of queries) {
        const response = await myGrades(learner, query);
        assert.equal(response.status, 400, JSON.stringify(query));
        assert.equal(errorCode(response), 'validation_failed');
      }
      assert.equal((await t.http.get('/api/evaluation/grades')).status, 401);
    });
  });

  describe('GET /api/evaluation/progress', () => {
    it('should start empty', async () => {
      const learner = await register(t.http);
      assert.deepEqual(await progressOf(learner), { overall: { attempts: 0, average_percentage: 0 }, modules: [] });
    });

    it('should count answers to bank questions only, overall and per module, with plain means', async () => {
      const learner = await register(t.http);
      const inOceans = [await oceanAnswer(learner, 5), await oceanAnswer(learner, 2)];
      const inVolcanoes = [
        await grade(learner, { question_id: volcanoQuestion, student_answer: 'Along tectonic plate boundaries, like the Ring of Fire.' }),
      ];
      // Practice: graded on the learner's own reference, in a module or outside any.
      await grade(learner, {
        question: OCEAN_QUESTION,
        reference_answer: OCEAN_FRAGMENTS[0],
        student_answer: OCEAN_FRAGMENTS[0],
        module_id: oceans,
      });
      await oceanAnswer(learner, 1, null);
      const progress = await progressOf(learner);
      const all = [...inOceans, ...inVolcanoes];
      assert.equal(progress.overall.attempts, 3);
      assert.ok(
        Math.abs(progress.overall.average_percentage - mean(all.map((g) => g.percentage))) <= 0.01,
        JSON.stringify(progress.overall),
      );
      assert.deepEqual(progress.modules.map((m) => m.module_id).sort(), [oceans, volcanoes].sort());
      const ocean = progress.modules.find((m) => m.module_id === oceans)!;
      assert.equal(ocean.title, 'Ocean currents');
      assert.equal(ocean.attempts, 2);
      assert.ok(Math.abs(ocean.average_percentage - mean(inOceans.map((g) => g.percentage))) <= 0.01);
      assert.equal(ocean.last_attempt_at, inOceans[1]!.created_at);
      const volcano = progress.modules.find((m) => m.module_id === volcanoes)!;
      assert.equal(volcano.attempts, 1);
      assert.equal(volcano.average_percentage, inVolcanoes[0]!.percentage);
      for (const m of progress.modules) {
        assert.ok(m.mastery >= 0 && m.mastery <= 1, String(m.mastery));
        // Grades made within a second weigh the same: mastery is then the mean as a fraction.
        assert.ok(Math.abs(m.mastery - m.average_percentage / 100) <= 0.002, `${m.mastery} vs ${m.average_percentage}`);
      }
    });

    it('should count 20 concurrent grades of one learner in one module exactly', async () => {
      const learner = await register(t.http);
      const answers = Array.from({ length: 20 }, (_, i) => OCEAN_FRAGMENTS.filter((_, j) => (i >> j) & 1 || j === i % 5).join(' '));
      const grades = await Promise.all(answers.map((student_answer) => grade(learner, { question_id: oceanQuestion, student_answer })));
      assert.ok(new Set(grades.map((g) => g.percentage)).size > 1, 'the answers differ in quality');
      const progress = await progressOf(learner);
      assert.equal(progress.modules.length, 1);
      const [ocean] = progress.modules;
      assert.equal(ocean!.attempts, 20);
      const expected = mean(grades.map((g) => g.percentage));
      assert.ok(Math.abs(ocean!.average_percentage - expected) <= 0.01, `${ocean!.average_percentage} vs ${expected}`);
      assert.equal(progress.overall.attempts, 20);
      assert.ok(Math.abs(progress.overall.average_percentage - expected) <= 0.01);
      assert.equal((await myGrades(learner, { limit: 100 })).body.data.items.length, 20);
    });
  });

  describe('teacher review', () => {
    function review(account: Account, id: string, body: Record<string, unknown>) {
      return t.http.patch(`/api/admin/evaluations/${id}`).set(bearer(account)).send(body);
    }

    it("should override score and feedback, keep the model's verdict, and keep the rubric adding up", async () => {
      const learner = await register(t.http);
      const model = await oceanAnswer(learner, 2, oceans, { rubric: true });
      assert.equal(model.max_score, 7.5);
      const before = Date.now();
      const response = await review(teacher, model.id, {
        score: 6.4,
        feedback: 'Good on the causes; the Gulf Stream part was convincing in class.',
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const reviewed = response.body.data;
      assert.equal(reviewed.id, model.id);
      assert.equal(reviewed.score, 6.4);
      assert.equal(reviewed.percentage, 85.33);
      assert.equal(reviewed.feedback, 'Good on the causes; the Gulf Stream part was convincing in class.');
      assert.deepEqual(reviewed.original, { score: model.score, feedback: model.feedback });
      assert.equal(reviewed.reviewed_by, teacher.id);
      assert.ok(Date.parse(reviewed.reviewed_at) >= before - 1000);
      assert.equal(reviewed.user_id, learner.id);
      assert.equal(reviewed.module_id, oceans);
      assert.equal(sum(reviewed.criteria.map((c: { score: number }) => c.score)), 6.4);
      for (const c of reviewed.criteria) assert.ok(c.score >= 0 && c.score <= c.max_points, JSON.stringify(c));

      // A second review keeps the model's verdict as the original; only score changes keep the feedback.
      const again = await review(admin, model.id, { score: 0 });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body.data.original, { score: model.score, feedback: model.feedback });
      assert.equal(again.body.data.reviewed_by, admin.id);
      assert.equal(again.body.data.feedback, reviewed.feedback);
      assert.ok(again.body.data.criteria.every((c: { score: number }) => c.score === 0));

      // The learner sees the reviewed grade.
      const mine = (await myGrades(learner)).body.data.items[0];
      assert.equal(mine.score, 0);
      assert.equal(mine.percentage, 0);
    });

    it('should move the progress average to the overridden percentage', async () => {
      const learner = await register(t.http);
      const kept = await oceanAnswer(learner, 5);
      const changed = await oceanAnswer(learner, 1);
      assert.equal((await review(teacher, changed.id, { score: 9 })).status, 200);
      const progress = await progressOf(learner);
      const expected = (kept.percentage + 90) / 2;
      assert.ok(
        Math.abs(progress.modules[0]!.average_percentage - expected) <= 0.01,
        `${progress.modules[0]!.average_percentage} vs ${expected}`,
      );
      assert.ok(Math.abs(progress.overall.average_percentage - expected) <= 0.01);
      assert.equal(progress.modules[0]!.attempts, 2, 'a review is not an attempt');
      assert.ok(Math.abs(progress.modules[0]!.mastery - expected / 100) <= 0.002);
    });

    it('should keep progress right when teachers review the same grade at the same time', async () => {
      const learner = await register(t.http);
      const g = await oceanAnswer(learner, 1);
      const scores = [9, 3, 7.5, 0, 10, 5];
      const responses = await Promise.all(scores.map((score, i) => review(i % 2 ? admin : teacher, g.id, { score })));
      assert.ok(responses.every((r) => r.status === 200));
      const final = (await myGrades(learner)).body.data.items[0];
      assert.ok(scores.includes(final.score));
      const progress = await progressOf(learner);
      assert.equal(progress.modules[0]!.average_percentage, final.percentage, "the module average is the one grade's final percentage");
      assert.equal(progress.overall.average_percentage, final.percentage);
      const logged = await t.http.get('/api/admin/evaluations').query({ user_id: learner.id }).set(bearer(admin));
      assert.deepEqual(logged.body.data.items[0].original, { score: g.score, feedback: g.feedback });
    });

    it('should leave an audit entry naming the reviewer and the grade', async () => {
      const learner = await register(t.http);
      const g = await oceanAnswer(learner, 3);
      const response = await review(teacher, g.id, { feedback: 'See me after class.' });
      assert.equal(response.status, 200);
      assert.equal(response.body.data.score, g.score, 'feedback alone leaves the score');
      assert.deepEqual(response.body.data.original, { score: g.score, feedback: g.feedback });
      const entries = await t.app.get(AuditService).list({ actorId: teacher.id, action: 'grade.review', limit: 100 });
      const entry = entries.find((e) => e.targetId === g.id);
      assert.ok(entry, 'an audit entry for the review');
      assert.equal(entry.targetType, 'grade');
      assert.equal(typeof entry.requestId, 'string');
    });

    it('should refuse scores out of range, bad bodies, students and unknown grades', async () => {
      const learner = await register(t.http);
      const g = await oceanAnswer(learner, 2);
      for (const body of [
        { score: 10.5 },
        { score: -1 },
        { score: '5' },
        { feedback: '' },
        { feedback: ' \n\t ' },
        { grade: 5 },
        { score: { $gt: 0 } },
      ]) {
        const response = await review(teacher, g.id, body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(errorCode(response), 'validation_failed');
      }
      const forbidden = await review(learner, g.id, { score: 10 });
      assert.equal(forbidden.status, 403);
      assert.equal(errorCode(forbidden), 'forbidden');
      assert.equal((await review(teacher, 'd'.repeat(24), { score: 1 })).status, 404);
      assert.equal((await review(teacher, 'not-an-id', { score: 1 })).status, 400);
      const untouched = (await myGrades(learner)).body.data.items[0];
      assert.equal(untouched.score, g.score, 'refused reviews change nothing');
      assert.equal(untouched.feedback, g.feedback, 'a blank feedback does not replace the feedback');
    });
  });

  describe('GET /api/admin/evaluations', () => {
    it("should list the grades on an instructor's modules, filtered by learner, module and time", async () => {
      const [ann, bob] = [await register(t.http), await register(t.http)];
      const start = new Date(Date.now() - 1000).toISOString();
      const annOcean = await oceanAnswer(ann, 4);
      const annVolcano = await grade(ann, {
        question: 'What builds stratovolcanoes?',
        student_answer: 'Sticky andesitic lava.',
        module_id: volcanoes,
      });
      const bobOcean = await oceanAnswer(bob, 2);
      const end = new Date(Date.now() + 1000).toISOString();

      const byAnn = await t.http.get('/api/admin/evaluations').query({ user_id: ann.id }).set(bearer(teacher));
      assert.equal(byAnn.status, 200);
      assert.deepEqual(
        byAnn.body.data.items.map((g: { id: string }) => g.id),
        [annVolcano.id, annOcean.id],
      );
      const item = byAnn.body.data.items[1];
      assert.equal(item.user_id, ann.id);
      assert.equal(item.module_id, oceans);
      assert.equal(item.original, null);
      assert.equal(item.reviewed_by, null);
      assert.equal(item.reviewed_at, null);

      const annOceans = await t.http.get('/api/admin/evaluations').query({ user_id: ann.id, module_id: oceans }).set(bearer(admin));
      assert.deepEqual(
        annOceans.body.data.items.map((g: { id: string }) => g.id),
        [annOcean.id],
      );
      const inWindow = await t.http.get('/api/admin/evaluations').query({ from: start, to: end, limit: 100 }).set(bearer(teacher));
      const windowIds = inWindow.body.data.items.map((g: { id: string }) => g.id);
      for (const id of [annOcean.id, annVolcano.id, bobOcean.id]) assert.ok(windowIds.includes(id));
      const future = await t.http.get('/api/admin/evaluations').query({ user_id: bob.id, from: end }).set(bearer(teacher));
      assert.deepEqual(future.body.data.items, []);
      const past = await t.http.get('/api/admin/evaluations').query({ user_id: bob.id, to: start }).set(bearer(teacher));
      assert.deepEqual(past.body.data.items, []);
    });

    it('should refuse students and bad filters', async () => {
      const learner = await register(t.http);
      const forbidden = await t.http.get('/api/admin/evaluations').set(bearer(learner));
      assert.equal(forbidden.status, 403);
      assert.equal(errorCode(forbidden), 'forbidden');
      for (const query of [
        { user_id: 'someone' },
        { from: 'yesterday' },
        { module_id: '123' },
        { limit: 0 },
        { cursor: 'x' },
        { sort: 'score' },
      ]) {
        const response = await t.http.get('/api/admin/evaluations').query(query).set(bearer(teacher));
        assert.equal(response.status, 400, JSON.stringify(query));
      }
    });
  });
});
