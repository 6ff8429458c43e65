import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Account, bearer, errorCode, loginAdmin, register, startTestApp, TestApp, createCourseModule } from '../support/test-app';

/** POST /api/evaluation/generate-questions, and grading the generated questions by their id. */

const BIOLOGY_MD = `# Photosynthesis

## The light reactions

Photosynthesis is the process by which green plants turn light energy into chemical energy. Chlorophyll, the green pigment in chloroplasts, absorbs mostly red and blue light. In the light reactions, water molecules are split, releasing oxygen as a by-product. The light reactions also make ATP and NADPH.

## The Calvin cycle

The Calvin cycle takes place in the stroma of the chloroplast. It uses carbon dioxide from the air, together with ATP and NADPH made by the light reactions, to build glucose. The enzyme Rubisco fixes carbon dioxide in the first step of the Calvin cycle.

## Why it matters

Almost all food chains depend on photosynthesis. Plants store glucose as starch in roots and seeds. The oxygen in the atmosphere comes mostly from photosynthesis by plants and algae. Without chlorophyll, plants could not capture light energy.
`;

/** Rich material whose key terms each appear once or twice. */
const WATER_MD = `# The water cycle

## Evaporation

Evaporation turns liquid water into water vapour when the sun heats oceans, lakes and rivers. Plants also release water vapour through their leaves, a process called transpiration.

## Condensation

As water vapour rises, it cools and condenses into tiny droplets that form clouds. Condensation releases heat into the surrounding air.

## Precipitation

When cloud droplets merge and grow heavy, they fall as precipitation: rain, snow, sleet or hail. Most precipitation falls back into the oceans.

## Collection

Water that reaches the ground collects in rivers, lakes and aquifers. Groundwater can stay underground for thousands of years before it returns to the sea.
`;

const FRENCH_MD = `# Le cycle de l'eau

## L'évaporation

L'évaporation transforme l'eau liquide en vapeur d'eau lorsque le soleil chauffe les océans, les lacs et les rivières. Les plantes rejettent aussi de la vapeur d'eau par leurs feuilles : c'est la transpiration.

## La condensation

En montant, la vapeur d'eau se refroidit et se condense en fines gouttelettes qui forment les nuages. La condensation libère de la chaleur dans l'air.

## Les précipitations

Quand les gouttelettes des nuages grossissent, elles tombent sous forme de précipitations : pluie, neige ou grêle. La plupart des précipitations retombent dans les océans.
`;

const THIN_MD = `# Magnets

A magnet attracts iron.
`;

interface Question {
  id: string;
  type: 'mcq' | 'short_answer' | 'true_false';
  question: string;
  choices?: string[];
  answer: string;
  explanation: string;
  difficulty: string;
  sources: { chunk_id: string; module_id: string; resource_id: string; text: string }[];
}

/** A practice question comes back to its author with its key. */
const QUESTION_FIELDS = [
  'answer',
  'created_at',
  'difficulty',
  'explanation',
  'id',
  'module_id',
  'origin',
  'question',
  'reference_answer',
  'rubric',
  'sources',
  'type',
];
const FRENCH = /«|\b(le|la|les|des|du|est|quel|quelle|vrai|faux|complétez)\b/i;

describe('generating questions', () => {
  let t: TestApp;
  let admin: Account;
  let student: Account;
  let biology: string;
  let biologyChunks: Set<string>;
  let water: string;
  let french: string;
  let thin: string;
  let empty: string;

  function createModule(title: string, markdown?: string): Promise<string> {
    return createCourseModule(t, admin, title, markdown);
  }

  function generate(account: Account, body: Record<string, unknown>) {
    return t.http.post('/api/evaluation/generate-questions').set(bearer(account)).send(body);
  }

  async function generated(account: Account, body: Record<string, unknown>): Promise<{ questions: Question[]; warnings?: string[] }> {
    const response = await generate(account, body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    for (const q of response.body.data.questions as Question[]) assertWellFormed(q);
    return response.body.data;
  }

  function grade(account: Account, body: Record<string, unknown>) {
    return t.http.post('/api/evaluation/grade').set(bearer(account)).send(body);
  }

  function assertWellFormed(q: Question): void {
    assert.deepEqual(
      Object.keys(q)
        .filter((k) => k !== 'choices')
        .sort(),
      QUESTION_FIELDS,
    );
    assert.match(q.id, /^[0-9a-f]{24}$/);
    assert.equal((q as Question & { origin: string }).origin, 'practice');
    assert.ok(q.question.trim().length > 0 && q.answer.trim().length > 0);
    assert.ok(q.sources.length > 0, `${q.question} cites no passage`);
    if (q.type === 'mcq') {
      assert.equal(q.choices?.length, 4, q.question);
      assert.equal(new Set(q.choices!.map((c) => c.toLowerCase())).size, 4, `choices repeat: ${q.choices}`);
      assert.ok(q.choices!.includes(q.answer), `${q.answer} is not among ${q.choices}`);
    } else {
      assert.equal(q.choices, undefined);
    }
    if (q.type === 'true_false') assert.ok(q.answer === 'true' || q.answer === 'false', q.answer);
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
    biology = await createModule('Photosynthesis', BIOLOGY_MD);
    water = await createModule('The water cycle', WATER_MD);
    french = await createModule("Le cycle de l'eau", FRENCH_MD);
    thin = await createModule('Magnets', THIN_MD);
    empty = await createModule('Nothing yet');
    student = await register(t.http);
    const search = await t.http
      .get('/api/search')
      .query({ q: 'photosynthesis light Calvin cycle oxygen', module_id: biology, k: 20 })
      .set(bearer(student));
    biologyChunks = new Set(search.body.data.results.map((p: { chunk_id: string }) => p.chunk_id));
  });
  afterAll(() => t.close());

  describe('bad input', () => {
    it('should refuse a request without module_id or topic, and invalid fields, with validation_failed', async () => {
      const bodies: Record<string, unknown>[] = [
        {},
        { count: 3 },
        { module_id: biology, count: 0 },
        { module_id: biology, count: 21 },
        { module_id: biology, count: 2.5 },
        { module_id: biology, types: [] },
        { module_id: biology, types: ['essay'] },
        { module_id: biology, types: ['mcq', 'mcq'] },
        { module_id: biology, types: 'mcq' },
        { module_id: biology, difficulty: 'extreme' },
        { module_id: biology, language: 'de' },
        { module_id: 'biology' },
        { topic: '' },
        { topic: 'rain', seed: 1 },
        { topic: { $regex: '.*' } },
      ];
      for (const body of bodies) {
        const response = await generate(student, body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(errorCode(response), 'validation_failed');
      }
    });

    it('should answer 404 for an unknown module and 401 without a token', async () => {
      const response = await generate(student, { module_id: 'c'.repeat(24) });
      assert.equal(response.status, 404);
      assert.equal(errorCode(response), 'not_found');
      assert.equal((await t.http.post('/api/evaluation/generate-questions').send({ topic: 'rain' })).status, 401);
    });
  });

  describe('questions from a module', () => {
    it('should give exactly the count asked for, well formed, distinct, and citing the module', async () => {
      const { questions, warnings } = await generated(student, { module_id: biology, count: 8, difficulty: 'hard' });
      assert.equal(questions.length, 8);
      assert.equal(warnings, undefined, 'no warning when the material suffices');
      assert.equal(new Set(questions.map((q) => q.question.toLowerCase())).size, 8, 'no question twice');
      assert.equal(new Set(questions.map((q) => q.id)).size, 8);
      for (const q of questions) {
        assert.equal(q.difficulty, 'hard');
        for (const source of q.sources) {
          assert.equal(source.module_id, biology);
          assert.ok(biologyChunks.has(source.chunk_id), `${source.chunk_id} is not a passage of the module`);
        }
      }
      assert.equal(new Set(questions.map((q) => q.type)).size, 3, 'all three types by default');
    });

    it('should give 5 questions of medium difficulty by default', async () => {
      const { questions } = await generated(student, { module_id: biology });
      assert.equal(questions.length, 5);
      assert.ok(questions.every((q) => q.difficulty === 'medium'));
    });

    it('should keep to the types asked for', async () => {
      for (const types of [['true_false'], ['mcq'], ['short_answer', 'true_false']]) {
        const { questions } = await generated(student, { module_id: biology, count: 4, types });
        assert.equal(questions.length, 4, String(types));
        assert.ok(
          questions.every((q) => types.includes(q.type)),
          `${types}: ${questions.map((q) => q.type)}`,
        );
      }
    });

    it('should write fewer questions from thin material and say why in warnings', async () => {
      const { questions, warnings } = await generated(student, { module_id: thin, count: 10 });
      assert.ok(questions.length < 10, `${questions.length} questions from one sentence`);
      assert.ok(warnings && warnings.length > 0 && warnings.every((w) => typeof w === 'string' && w.length > 0));
      const none = await generated(student, { module_id: empty, count: 3 });
      assert.deepEqual(none.questions, []);
      assert.ok(none.warnings && none.warnings.length > 0);
    });

    it('should write questions on a topic from the passages that topic retrieves', async () => {
      const topic = 'Rubisco and the Calvin cycle';
      const retrieved = await t.http.get('/api/search').query({ q: topic, k: 12 }).set(bearer(student));
      const retrievedChunks = new Set(retrieved.body.data.results.map((p: { chunk_id: string }) => p.chunk_id));
      const { questions } = await generated(student, { topic, count: 3, language: 'en' });
      assert.equal(questions.length, 3);
      for (const q of questions)
        assert.ok(
          q.sources.every((p) => retrievedChunks.has(p.chunk_id)),
          q.question,
        );
      const withinModule = await generated(student, { topic, module_id: biology, count: 2 });
      assert.ok(withinModule.questions.every((q) => q.sources.every((p) => p.module_id === biology)));
      const nothing = await generated(student, { topic, module_id: empty, count: 2 });
      assert.deepEqual(nothing.questions, []);
      assert.ok(nothing.warnings && nothing.warnings.length > 0);
    });

    // Known gap (issue 11): the local generator finds only 3 key terms in the water-cycle text, so it
    // offers no MCQ. `failing` runs the test and turns red once the generator is fixed.
    it('should offer multiple-choice questions from rich material whose terms appear once or twice', async () => {
      const { questions, warnings } = await generated(student, { module_id: water, count: 4, types: ['mcq'] });
      assert.equal(questions.length, 4, String(warnings));
    });
  });

  describe('languages', () => {
    it('should write French questions when asked for French', async () => {
      const { questions } = await generated(student, {
        module_id: french,
        count: 4,
        language: 'fr',
        types: ['mcq', 'true_false', 'short_answer'],
      });
      assert.equal(questions.length, 4);
      for (const q of questions) assert.match(q.question, FRENCH, q.question);
      const english = await generated(student, { module_id: biology, count: 4, language: 'en' });
      for (const q of english.questions) assert.doesNotMatch(q.question, /«|\b(vrai|faux|complétez|quel terme)\b/i, q.question);
    });

    it("should follow the learner's locale when no language is given", async () => {
      const learner = await register(t.http);
      assert.equal((await t.http.patch('/api/users/me').set(bearer(learner)).send({ locale: 'fr' })).status, 200);
      const { questions } = await generated(learner, { module_id: biology, count: 3 });
      for (const q of questions) assert.match(q.question, /«|\b(vrai|faux|complétez|quel terme)\b/i, q.question);
      const nothing = await generated(learner, { module_id: empty, count: 3 });
      assert.match(nothing.warnings![0]!, /\b(le|aucun)\b/i, 'the warning is French too');
    });
  });

  describe('grading generated questions by id', () => {
    it('should grade multiple choice and true/false exactly against the key', async () => {
      const learner = await register(t.http);
      const { questions } = await generated(learner, { module_id: biology, count: 6, types: ['mcq', 'true_false'] });
      for (const q of questions) {
        const right = await grade(learner, { question_id: q.id, student_answer: q.answer });
        assert.equal(right.status, 200, JSON.stringify(right.body));
        assert.equal(right.body.data.model, 'exact');
        assert.equal(right.body.data.score, right.body.data.max_score);
        assert.equal(right.body.data.percentage, 100);
        assert.equal(right.body.data.question, q.question, 'the stored question is used when none is given');
        const wrongAnswer = q.type === 'mcq' ? q.choices!.find((c) => c !== q.answer)! : q.answer === 'true' ? 'false' : 'true';
        const wrong = await grade(learner, { question_id: q.id, student_answer: wrongAnswer });
        assert.equal(wrong.body.data.model, 'exact');
        assert.equal(wrong.body.data.score, 0);
        assert.equal(wrong.body.data.percentage, 0);
        assert.ok(wrong.body.data.feedback.includes(q.answer), 'the feedback gives the right answer');
      }
      const mcq = questions.find((q) => q.type === 'mcq');
      assert.ok(mcq, 'an MCQ was written');
      const letter = String.fromCharCode(97 + mcq.choices!.indexOf(mcq.answer));
      const byLetter = await grade(learner, { question_id: mcq.id, student_answer: letter.toUpperCase(), max_score: 4 });
      assert.equal(byLetter.body.data.score, 4, 'a choice may be given by its letter');
    });

    it("should keep a student's generated questions to themselves: 404 to anyone else, the admin included", async () => {
      const owner = await register(t.http);
      const other = await register(t.http);
      const { questions } = await generated(owner, { module_id: biology, count: 2, types: ['true_false'] });
      const q = questions[0]!;
      for (const stranger of [other, admin]) {
        const response = await grade(stranger, { question_id: q.id, student_answer: q.answer });
        assert.equal(response.status, 404);
        assert.equal(errorCode(response), 'not_found');
        assert.doesNotMatch(JSON.stringify(response.body), new RegExp(q.question.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      }
      assert.equal((await grade(owner, { question_id: q.id, student_answer: q.answer })).status, 200);
    });

    it('should give generated questions ids that cannot be guessed from one another', async () => {
      const learner = await register(t.http);
      const first = await generated(learner, { module_id: biology, count: 5 });
      const second = await generated(learner, { module_id: water, count: 5 });
      const ids = [...first.questions, ...second.questions].map((q) => q.id);
      for (const id of ids) assert.match(id, /^[0-9a-f]{24}$/);
      // An ObjectId's bytes 5 to 12 are one per-process value and a counter: ids a process makes
      // share their first 18 hex digits within a second and count up. Random ones share nothing there.
      const after = ids.map((id) => id.slice(8));
      assert.equal(new Set(after.map((tail) => tail.slice(0, 10))).size, ids.length, after.join(' '));
    });

    it("should keep answers to one's own generated questions as practice: graded on the key, never counted", async () => {
      const learner = await register(t.http);
      const { questions } = await generated(learner, { module_id: biology, count: 2, types: ['true_false'] });
      const right = await grade(learner, { question_id: questions[0]!.id, student_answer: questions[0]!.answer });
      const wrong = await grade(learner, {
        question_id: questions[1]!.id,
        student_answer: questions[1]!.answer === 'true' ? 'false' : 'true',
      });
      assert.deepEqual(
        [right, wrong].map((r) => [r.body.data.percentage, r.body.data.counts_toward_progress, r.body.data.module_id]),
        [
          [100, false, biology],
          [0, false, biology],
        ],
      );
      const progress = (await t.http.get('/api/evaluation/progress').set(bearer(learner))).body.data;
      assert.deepEqual(progress, { overall: { attempts: 0, average_percentage: 0 }, modules: [] });
    });

    it('should grade a short answer against the stored answer key', async () => {
      const learner = await register(t.http);
      const { questions } = await generated(learner, { module_id: biology, count: 3, types: ['short_answer'] });
      for (const q of questions) {
        const right = await grade(learner, { question_id: q.id, student_answer: q.answer });
        assert.equal(right.status, 200);
        assert.equal(right.body.data.model, 'local');
        const wrong = await grade(learner, { question_id: q.id, student_answer: 'I do not know, maybe bananas.' });
        assert.ok(right.body.data.percentage >= 70, `${q.question} / ${q.answer}: ${right.body.data.percentage}`);
        assert.ok(wrong.body.data.score < right.body.data.score, `${q.answer}: ${wrong.body.data.score} vs ${right.body.data.score}`);
        assert.ok(
          right.body.data.sources.every((p: { module_id: string }) => p.module_id === biology),
          "grounded in the question's module",
        );
      }
    });
  });
});
