import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, errorCode, register, startTestApp, TestApp } from '../support/test-app';

describe('evaluation limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { EVALUATION_REQUESTS_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  const grade = (user: { accessToken: string }) =>
    t.http
      .post('/api/evaluation/grade')
      .set(bearer(user))
      .send({ question: 'What does a list hold?', student_answer: 'Items in order.', reference_answer: 'An ordered sequence of items.' });
  const generate = (user: { accessToken: string }) =>
    t.http.post('/api/evaluation/generate-questions').set(bearer(user)).send({ topic: 'lists', count: 1 });

  it('should share one per-user limit between grading and question generation, with 429 and Retry-After above it', async () => {
    const user = await register(t.http);
    assert.equal((await grade(user)).status, 200);
    assert.equal((await generate(user)).status, 200);
    assert.equal((await grade(user)).status, 200);
    for (const limited of [await grade(user), await generate(user)]) {
      assert.equal(limited.status, 429);
      assert.equal(errorCode(limited), 'rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(limited.headers['retry-after']));
    }
    // Another user has their own allowance.
    assert.equal((await grade(await register(t.http))).status, 200);
    const usage = (await t.http.get('/api/users/me/usage').set(bearer(user))).body.data;
    assert.equal(usage.limits.evaluation_requests_per_minute, 3);
  });

  it('should hold for requests sent all at once', async () => {
    const user = await register(t.http);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? grade(user) : generate(user))));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
  });
});
