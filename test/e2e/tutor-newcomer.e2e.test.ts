import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Account, bearer, createCourseModule, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * What a newcomer meets first, with nothing configured: the local tutor, grader and question
 * generator on the demo course (its English lessons) and a biology lesson, through HTTP.
 */

const ROOT = join(__dirname, '..', '..', '..');
const DEMO_EN = join(ROOT, 'src', 'content', 'demo', 'course', 'en');

const PHOTOSYNTHESIS_MD = `# Photosynthesis

Photosynthesis is the process by which green plants turn light energy into chemical energy stored in sugar.

## The two stages

### The light-dependent reactions

The first stage happens in the thylakoid membranes and needs light. Chlorophyll absorbs light energy, which is used to split water molecules; this splitting releases oxygen gas. The captured energy is stored in two carrier molecules, ATP and NADPH.

### The Calvin cycle

The second stage takes place in the stroma and does not use light directly. Carbon dioxide from the air is fixed by the enzyme RuBisCO and, using the energy of ATP and NADPH, turned into a three-carbon sugar from which the plant builds glucose.
`;

type Passage = { chunk_id: string; text: string; module_id: string };
type ChatAnswer = { conversation_id: string; answer: string; sources: Passage[] };

function citations(answer: string): number[] {
  return [...answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
}

describe('the local tutor, grader and question generator for a newcomer', () => {
  let t: TestApp;
  let admin: Account;
  let student: Account;
  let python: string;
  let biology: string;

  async function ask(body: Record<string, unknown>, account = student): Promise<ChatAnswer> {
    const response = await t.http.post('/api/chat').set(bearer(account)).send(body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.data as ChatAnswer;
  }

  /** Every [n] marker names one of the sources, and every source is cited. */
  function assertCitesItsSources(data: ChatAnswer): void {
    const cited = new Set(citations(data.answer));
    expect([...cited].sort()).toEqual(data.sources.map((_, i) => i + 1));
  }

  async function grade(body: Record<string, unknown>) {
    const response = await t.http.post('/api/evaluation/grade').set(bearer(student)).send(body);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.data as { score: number; max_score: number; percentage: number; feedback: string };
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { CHAT_REQUESTS_PER_MINUTE: '1000' } });
    admin = await loginAdmin(t.http);
    python = await createCourseModule(t, admin, 'Python');
    for (const file of readdirSync(DEMO_EN).sort()) {
      const response = await t.http
        .post(`/api/admin/modules/${python}/resources`)
        .set(bearer(admin))
        .send({ title: file, content: readFileSync(join(DEMO_EN, file), 'utf8'), format: 'markdown' });
      assert.equal(response.status, 201, JSON.stringify(response.body));
    }
    biology = await createCourseModule(t, admin, 'Biology', PHOTOSYNTHESIS_MD);
    student = await register(t.http);
  });
  afterAll(() => t.close());

  describe('answers that answer', () => {
    it('should answer "What does range(5) produce?" with the sentence about range(5), citing only what it uses', async () => {
      const data = await ask({ message: 'What does range(5) produce?', module_id: python });
      assert.match(data.answer, /range\(5\) produces the numbers 0, 1, 2, 3 and 4/);
      assert.doesNotMatch(data.answer, /Booleans/);
      assert.ok(data.answer.split(/\s+/).length <= 60, data.answer);
      assertCitesItsSources(data);
    });

    it('should decline a question from another subject in the user’s language, citing nothing', async () => {
      const english = await ask({ message: 'What is the capital of France?', module_id: python });
      assert.match(english.answer, /does not cover/);
      expect(english.sources).toEqual([]);
      assert.deepEqual(citations(english.answer), []);
      const french = await ask({ message: 'Quelle est la capitale de l’Italie ?', module_id: python });
      assert.match(french.answer, /ne traite pas cette question/);
      expect(french.sources).toEqual([]);
    });

    it('should explain the two stages of photosynthesis from the sections on each stage', async () => {
      const data = await ask({ message: 'Explain the two stages of photosynthesis in simple words.', module_id: biology });
      assert.match(data.answer, /first stage/);
      assert.match(data.answer, /second stage/);
      assert.doesNotMatch(data.answer, /does not cover/);
      assertCitesItsSources(data);
    });

    it('should keep a code block as written, line by line', async () => {
      const first = await ask({ message: 'How do I read a value from a dictionary?', module_id: python });
      const example = await ask({ message: 'Can you give me an example?', conversation_id: first.conversation_id });
      const block = /```\n([\s\S]*?)\n```/.exec(example.answer);
      assert.ok(block, example.answer);
      assert.ok(block[1]!.split('\n').length >= 2, 'the code keeps its line breaks');
      assertCitesItsSources(example);
    });

    it('should report nothing relevant from search for a question the course does not cover', async () => {
      const off = await t.http.get('/api/search').query({ q: 'What is the capital of France?', module_id: python }).set(bearer(student));
      assert.equal(off.status, 200);
      assert.equal(off.body.data.relevant, false);
      const on = await t.http.get('/api/search').query({ q: 'What does range(5) produce?', module_id: python }).set(bearer(student));
      assert.equal(on.body.data.relevant, true);
      assert.ok(on.body.data.results.length > 0);
    });
  });

  describe('follow-ups', () => {
    it('should name each stage by its section, then say why the second one needs the first', async () => {
      const stages = await ask({ message: 'Explain the two stages of photosynthesis in simple words.', module_id: biology });
      assert.match(stages.answer, /The light-dependent reactions: /);
      assert.match(stages.answer, /The Calvin cycle: /);
      const why = await ask({ message: 'Why does the second one need the first?', conversation_id: stages.conversation_id });
      assert.match(why.answer, /ATP and NADPH/);
      assert.ok(why.sources.length > 0);
      assertCitesItsSources(why);
    });

    it('should decline a two-word question on another subject when one of its words is nowhere in the course', async () => {
      const data = await ask({ message: 'What is a limiting factor?', module_id: python });
      expect(data.sources).toEqual([]);
      assert.match(data.answer, /does not cover/);
    });

    it('should keep the topic of break and continue through "an example" and "explain again more simply"', async () => {
      const first = await ask({ message: 'What is the difference between break and continue?', module_id: python });
      assert.match(first.answer, /break/);
      const example = await ask({ message: 'Can you give me an example?', conversation_id: first.conversation_id });
      assert.match(example.answer, /break|continue/);
      assert.doesNotMatch(example.answer, /input\(\)/);
      const again = await ask({ message: 'Explain again more simply', conversation_id: first.conversation_id });
      assert.doesNotMatch(again.answer, /does not cover/);
      assert.match(again.answer, /break|continue/);
      assert.ok(again.sources.length > 0);
    });
  });

  describe('grades', () => {
    const question = 'Where does the Calvin cycle take place, and what does it produce?';
    const reference =
      'The Calvin cycle takes place in the stroma of the chloroplast. It uses ATP and NADPH from the light reactions to fix carbon dioxide into sugar (glucose).';

    it('should put a correct paraphrase at 80% or more, above a partly right answer, above a wrong place', async () => {
      const correct = await grade({
        question,
        reference_answer: reference,
        student_answer:
          'It happens in the stroma of the chloroplast, where carbon dioxide is fixed into glucose using the ATP and NADPH made by the light reactions.',
      });
      const partial = await grade({
        question,
        reference_answer: reference,
        student_answer: 'It takes place in the chloroplast and makes sugar.',
      });
      const wrong = await grade({
        question,
        reference_answer: reference,
        student_answer: 'It takes place in the mitochondria and produces oxygen.',
      });
      assert.ok(correct.percentage >= 80, JSON.stringify(correct));
      assert.ok(correct.score > partial.score && partial.score > wrong.score, `${correct.score} > ${partial.score} > ${wrong.score}`);
    });

    it('should not give full marks to a bare list of keywords', async () => {
      const keywords = await grade({
        question,
        reference_answer: reference,
        student_answer: 'stroma chloroplast ATP NADPH RuBisCO carbon dioxide glucose',
      });
      assert.ok(keywords.score < keywords.max_score, JSON.stringify(keywords));
      assert.ok(keywords.percentage <= 50);
      assert.match(keywords.feedback, /lists terms/);
    });

    it('should say it has no basis, with half marks, when nothing to judge against was given', async () => {
      const data = await grade({
        question: 'Why do we have seasons?',
        student_answer: "Because the Earth's axis is tilted, so each hemisphere gets more direct sunlight for part of the year.",
      });
      assert.match(data.feedback, /No basis to judge/);
      assert.doesNotMatch(data.feedback, /does not state the expected points/);
      assert.equal(data.percentage, 50);
    });

    it('should score a wrong number below a partly right answer', async () => {
      const q = 'What does range(5) produce in Python?';
      const ref = 'range(5) produces the integers 0, 1, 2, 3 and 4: it starts at zero and stops before 5.';
      const partial = await grade({
        question: q,
        reference_answer: ref,
        student_answer: 'It produces a sequence of integers that starts at zero.',
      });
      const wrong = await grade({ question: q, reference_answer: ref, student_answer: 'It produces the numbers 1, 2, 3, 4 and 5.' });
      assert.ok(wrong.score < partial.score, `${wrong.score} < ${partial.score}`);
    });
  });

  describe('questions', () => {
    it('should write no question on a topic the course does not cover, and say so in the request’s language', async () => {
      const english = await t.http
        .post('/api/evaluation/generate-questions')
        .set(bearer(student))
        .send({ topic: 'quantum entanglement', count: 3, language: 'en' });
      assert.equal(english.status, 200, JSON.stringify(english.body));
      assert.deepEqual(english.body.data.questions, []);
      assert.match(english.body.data.warnings[0], /does not cover this topic/);
      const french = await t.http
        .post('/api/evaluation/generate-questions')
        .set(bearer(student))
        .send({ topic: 'quantum entanglement', count: 3, language: 'fr' });
      assert.match(french.body.data.warnings[0], /ne traite pas ce sujet/);
    });

    it('should write French questions for a French locale on an English module', async () => {
      const learner = await register(t.http);
      assert.equal((await t.http.patch('/api/users/me').set(bearer(learner)).send({ locale: 'fr' })).status, 200);
      const response = await t.http.post('/api/evaluation/generate-questions').set(bearer(learner)).send({ module_id: python, count: 4 });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const questions = response.body.data.questions as { question: string }[];
      assert.equal(questions.length, 4, JSON.stringify(response.body.data.warnings));
      for (const q of questions) assert.match(q.question, /^(?:Complétez|Quel terme|Vrai ou faux)/, q.question);
    });
  });
});
