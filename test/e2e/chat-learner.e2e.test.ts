import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ProgressRepository } from '../../src/evaluation/progress.repository';
import { startFakeAzureOpenAI } from '../support/fake-azure-openai';
import { bearer, createCourseModule, loginAdmin, register, startTestApp } from '../support/test-app';

describe('the tutor knows the learner', () => {
  it("should put the learner's weakest modules in the instructions to the model, only weak ones and only those they can see", async () => {
    const fake = await startFakeAzureOpenAI({ apiKey: 'k' });
    const t = await startTestApp({
      env: {
        LLM_PROVIDER: 'azure-openai',
        AZURE_OPENAI_ENDPOINT: fake.url,
        AZURE_OPENAI_API_KEY: 'k',
        AZURE_OPENAI_CHAT_DEPLOYMENT: 'tutor',
        LLM_MAX_RETRIES: '0',
      },
    });
    try {
      const admin = await loginAdmin(t.http);
      const fractions = await createCourseModule(t, admin, 'Fractions', '# Fractions\n\nA fraction has a numerator and a denominator.');
      const decimals = await createCourseModule(t, admin, 'Decimals', '# Decimals\n\nA decimal point separates whole numbers from tenths.');
      const student = await register(t.http);
      const progress = t.app.get(ProgressRepository);
      await progress.addAttempt(student.id, fractions, 20, new Date());
      await progress.addAttempt(student.id, decimals, 95, new Date());

      const answer = await t.http.post('/api/chat').set(bearer(student)).send({ message: 'How do I add two fractions together?' });
      assert.equal(answer.status, 200);
      const messages = fake.requests.at(-1)!.body.messages as { role: string; content: string }[];
      // Module titles are written by instructors: data in the user message, never in the system message.
      assert.doesNotMatch(messages.find((m) => m.role === 'system')!.content, /Fractions|Decimals/);
      const focus = /<learner_focus>\n([^]*?)\n<\/learner_focus>/.exec(messages.at(-2)!.content);
      assert.equal(focus?.[1], 'Fractions');

      // A weak module of a course the learner is not in stays out of the focus, until they join it.
      const course = await t.http.post('/api/admin/courses').set(bearer(admin)).send({ title: 'Arithmetic' });
      const created = await t.http
        .post('/api/admin/modules')
        .set(bearer(admin))
        .send({ title: 'Percentages', course_id: course.body.data.id });
      assert.equal(created.status, 201);
      await progress.addAttempt(student.id, created.body.data.id, 10, new Date());
      const focusOf = async () => {
        assert.equal((await t.http.post('/api/chat').set(bearer(student)).send({ message: 'How do I add two fractions?' })).status, 200);
        const sent = fake.requests.at(-1)!.body.messages as { role: string; content: string }[];
        return /<learner_focus>\n([^]*?)\n<\/learner_focus>/.exec(sent.at(-2)!.content)?.[1];
      };
      assert.equal(await focusOf(), 'Fractions', 'a course the learner is not in is not theirs to be told about');
      const joined = await t.http.post('/api/courses/join').set(bearer(student)).send({ code: course.body.data.join_code });
      assert.equal(joined.status, 200);
      assert.equal(await focusOf(), 'Percentages\nFractions');
    } finally {
      await t.close();
      await fake.close();
    }
  });
});
