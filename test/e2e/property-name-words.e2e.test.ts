import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Account, bearer, createCourseModule, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

/**
 * Words that are also JavaScript property names are ordinary words (API.md, "Input and limits"):
 * in documents, search queries, chat questions, answers to grade and question generation.
 */

const WORDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'];

const OBJECTS_MD = `# Objects in JavaScript

## The prototype chain

Every object has a prototype, which it reaches through its __proto__ accessor. When a property is missing on the object, the lookup follows the prototype chain. The constructor property of a prototype points back to the function that builds its objects.

## Inherited methods

The toString method turns an object into a string, and valueOf returns its primitive value. The hasOwnProperty method tells whether a property belongs to the object itself rather than to its prototype.

## Constructor functions

A constructor is a function called with new. The new operator creates an object whose prototype is the constructor's prototype property, then runs the constructor with this bound to the new object.
`;

const PLAIN_TEXT = `Property names as words

The words constructor, toString, valueOf, hasOwnProperty, __proto__ and prototype name the built-in parts of every JavaScript object.
A prototype is shared by every object a constructor builds, so toString and valueOf are found on it.
`;

describe('words that are JavaScript property names', () => {
  let t: TestApp;
  let admin: Account;
  let student: Account;
  let moduleId: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
    student = await register(t.http);
    moduleId = await createCourseModule(t, admin, 'JavaScript objects', OBJECTS_MD);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should index an uploaded document made of them and find it by each of them', async () => {
    const upload = await t.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(admin))
      .attach('file', Buffer.from(PLAIN_TEXT), { filename: 'constructor.txt', contentType: 'text/plain' })
      .field('title', 'toString');
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    assert.equal(upload.body.data.status, 'indexed');
    for (const word of WORDS) {
      const response = await t.http.get('/api/search').query({ q: word, module_id: moduleId }).set(bearer(student));
      assert.equal(response.status, 200, `${word}: ${JSON.stringify(response.body)}`);
      const results = response.body.data.results as { text: string }[];
      assert.ok(results.length > 0, `no passage for ${word}`);
      assert.ok(results[0].text.toLowerCase().includes(word.toLowerCase()), `${word}: ${results[0].text}`);
    }
  });

  it('should take them as file extensions, declared types and titles', async () => {
    for (const word of WORDS) {
      // As form field names they are unknown fields, refused like any other (input-rules.e2e.test.ts); as a title they are words.
      const form = t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(admin)).field('title', `Notes on ${word}`);
      const upload = await form.attach(
        'file',
        Buffer.from(`Notes on ${word}\n\nThe ${word} member is found on the prototype chain of every object.\n`),
        {
          filename: `notes.${word}`,
          contentType: 'text/plain',
        },
      );
      assert.equal(upload.status, 201, `${word}: ${JSON.stringify(upload.body)}`);
      assert.equal(upload.body.data.mime_type, 'text/plain');
      assert.equal(upload.body.data.filename, `notes.${word}`);
      const declared = await t.http
        .post(`/api/admin/modules/${moduleId}/resources`)
        .set(bearer(admin))
        .attach('file', Buffer.from(`The ${word} member.\n`), { filename: 'notes.txt', contentType: word.toLowerCase() });
      // A declared type that is no media type claims nothing the content could contradict, or is refused: never a crash.
      assert.ok([201, 415].includes(declared.status), `${word}: ${declared.status} ${JSON.stringify(declared.body)}`);
    }
  });

  it('should search for them alone, together and in every module', async () => {
    for (const q of [WORDS.join(' '), '__proto__ constructor', 'prototype']) {
      const response = await t.http.get('/api/search').query({ q }).set(bearer(student));
      assert.equal(response.status, 200, `${q}: ${JSON.stringify(response.body)}`);
      assert.ok((response.body.data.results as unknown[]).length > 0, q);
    }
  });

  it('should answer chat questions made of them from the course', async () => {
    for (const message of [
      'What does the constructor property point to?',
      'What do toString and valueOf do?',
      'What is __proto__?',
      'hasOwnProperty',
      'constructor toString __proto__ hasOwnProperty valueOf prototype',
    ]) {
      const response = await t.http.post('/api/chat').set(bearer(student)).send({ message, module_id: moduleId });
      assert.equal(response.status, 200, `${message}: ${JSON.stringify(response.body)}`);
      assert.ok((response.body.data.answer as string).length > 0);
    }
    const followed = await t.http
      .post('/api/chat')
      .set(bearer(student))
      .send({ message: 'What does the constructor property of a prototype point to?', module_id: moduleId });
    assert.equal(followed.status, 200);
    assert.ok((followed.body.data.sources as unknown[]).length > 0, JSON.stringify(followed.body.data));
    assert.match(followed.body.data.answer as string, /function/i);
    const stream = await t.http
      .post('/api/chat/stream')
      .set(bearer(student))
      .send({ message: 'valueOf prototype __proto__', conversation_id: followed.body.data.conversation_id });
    assert.equal(stream.status, 200);
    assert.match(stream.text, /event: done/);
  });

  it('should grade answers made of them, better when they say what the reference says', async () => {
    const question = 'What does the constructor property of a prototype point to, and what does hasOwnProperty tell?';
    const reference =
      'The constructor property of a prototype points back to the function that builds its objects; hasOwnProperty tells whether a property belongs to the object itself rather than to its prototype.';
    const grade = async (studentAnswer: string) => {
      const response = await t.http
        .post('/api/evaluation/grade')
        .set(bearer(student))
        .send({ question, student_answer: studentAnswer, reference_answer: reference });
      assert.equal(response.status, 200, `${studentAnswer}: ${JSON.stringify(response.body)}`);
      return response.body.data as { score: number; max_score: number; percentage: number };
    };
    const good = await grade(
      'The constructor property points back to the function that builds its objects; hasOwnProperty tells whether a property belongs to the object itself.',
    );
    const words = await grade(WORDS.join(' '));
    const unrelated = await grade('__proto__ valueOf toString');
    for (const g of [good, words, unrelated]) assert.ok(g.score >= 0 && g.score <= g.max_score);
    assert.ok(good.percentage > unrelated.percentage, `${good.percentage} vs ${unrelated.percentage}`);

    const rubric = await t.http
      .post('/api/evaluation/grade')
      .set(bearer(student))
      .send({
        question: 'Explain toString and valueOf.',
        student_answer: 'toString turns the object into a string; valueOf returns its primitive value.',
        rubric: [
          { criterion: 'toString', max_points: 5, description: 'toString turns an object into a string' },
          { criterion: 'valueOf', max_points: 5, description: 'valueOf returns the primitive value' },
          { criterion: '__proto__', max_points: 2, description: 'constructor hasOwnProperty prototype' },
        ],
      });
    assert.equal(rubric.status, 200, JSON.stringify(rubric.body));
    assert.ok(rubric.body.data.percentage > 50, JSON.stringify(rubric.body.data));
    assert.deepEqual(
      (rubric.body.data.criteria as { criterion: string }[]).map((c) => c.criterion),
      ['toString', 'valueOf', '__proto__'],
    );
  });

  it('should generate questions on a module full of them and on them as a topic', async () => {
    const fromModule = await t.http
      .post('/api/evaluation/generate-questions')
      .set(bearer(student))
      .send({ module_id: moduleId, count: 6, language: 'en' });
    assert.equal(fromModule.status, 200, JSON.stringify(fromModule.body));
    const questions = fromModule.body.data.questions as { id: string; type: string; question: string; answer: string }[];
    assert.ok(questions.length > 0, JSON.stringify(fromModule.body.data));
    for (const topic of ['constructor', '__proto__ prototype', 'toString valueOf hasOwnProperty']) {
      const response = await t.http.post('/api/evaluation/generate-questions').set(bearer(student)).send({ topic, count: 3 });
      assert.equal(response.status, 200, `${topic}: ${JSON.stringify(response.body)}`);
      assert.ok((response.body.data.questions as unknown[]).length > 0, `${topic}: ${JSON.stringify(response.body.data)}`);
    }
    const first = questions[0];
    const graded = await t.http
      .post('/api/evaluation/grade')
      .set(bearer(student))
      .send({ question: first.question, student_answer: first.answer, question_id: first.id });
    assert.equal(graded.status, 200, JSON.stringify(graded.body));
  });
});
