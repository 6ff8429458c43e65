import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { errorCode, register, startTestApp, TestApp, uniqueEmail } from '../support/test-app';

describe('a registration and sign-in flood', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2' } });
  });
  afterAll(() => t.close());

  it('should answer 503 service_unavailable with Retry-After beyond the hashing queue, and keep serving', async () => {
    const account = await register(t.http);
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2
          ? t.http.post('/api/auth/register').send({ email: uniqueEmail('flood'), password: 'long-enough-pw' })
          : t.http.post('/api/auth/login').send({ email: account.email, password: account.password }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    // One hash at a time and two waiting: much of the flood is turned away at once, some is served.
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((s) => s !== 503).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 200 || s === 201 || s === 503)).toBe(true);
    for (const busy of responses.filter((r) => r.status === 503)) {
      assert.equal(errorCode(busy), 'service_unavailable');
      assert.equal(busy.headers['retry-after'], '1');
    }
    // Refused sign-ins are not failures: the account is not throttled, and the server answers again.
    assert.equal((await t.http.post('/api/auth/login').send({ email: account.email, password: account.password })).status, 200);
    assert.equal((await t.http.get('/health/live')).status, 200);
  });
});
