import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { errorCode, register, startTestApp, TestApp, uniqueEmail } from '../support/test-app';
import { redisKeys, SHARED_REDIS_URL } from '../support/redis-server';

type Http = TestApp['http'];

function wrongPasswords(http: Http, email: string, count: number) {
  return Array.from({ length: count }, () => http.post('/api/auth/login').send({ email, password: 'wrong-password' }));
}

function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** The same behaviour is asserted on the in-process store and on Redis (two instances sharing it). */
for (const mode of ['in memory', 'on Redis'] as const) {
  describe(`login throttle ${mode}`, () => {
    const prefix = `lp-throttle-${process.pid}-${Date.now()}:`;
    const env: Record<string, string> = mode === 'on Redis' ? { REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix } : {};
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      a = await startTestApp({ env });
      b = mode === 'on Redis' ? await startTestApp({ env }) : a;
    });
    afterAll(async () => {
      await a.close();
      if (b !== a) await b.close();
    });

    it('should check at most 10 of 40 concurrent wrong passwords for one email and answer 429 to the rest', async () => {
      const victim = await register(a.http);
      const responses = await Promise.all([...wrongPasswords(a.http, victim.email, 20), ...wrongPasswords(b.http, victim.email, 20)]);
      expect(tally(responses.map((r) => r.status))).toEqual({ 401: 10, 429: 30 });
      for (const limited of responses.filter((r) => r.status === 429)) {
        assert.equal(errorCode(limited), 'rate_limited');
        const retryAfter = Number(limited.headers['retry-after']);
        assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 900, String(limited.headers['retry-after']));
      }
      // The right password is refused too until the window has passed.
      const right = await a.http.post('/api/auth/login').send({ email: victim.email, password: victim.password });
      assert.equal(right.status, 429);
      // Another account is not affected.
      const bystander = await register(a.http);
      assert.equal((await a.http.post('/api/auth/login').send({ email: bystander.email, password: bystander.password })).status, 200);
    });

    it('should not count successful sign-ins as failures', async () => {
      const account = await register(a.http);
      await Promise.all(wrongPasswords(a.http, account.email, 9));
      for (let i = 0; i < 12; i++)
        assert.equal((await a.http.post('/api/auth/login').send({ email: account.email, password: account.password })).status, 200);
      assert.equal((await a.http.post('/api/auth/login').send({ email: account.email, password: 'wrong-password' })).status, 401);
      assert.equal((await a.http.post('/api/auth/login').send({ email: account.email, password: account.password })).status, 429);
    });

    if (mode === 'on Redis') {
      it('should keep its counts under REDIS_KEY_PREFIX', async () => {
        const keys = await redisKeys(SHARED_REDIS_URL, `${prefix}throttle:*`);
        assert.ok(
          keys.some((key) => key.startsWith(`${prefix}throttle:login-email:`)),
          keys.join(', '),
        );
        assert.ok(
          keys.some((key) => key.startsWith(`${prefix}throttle:login-address:`)),
          keys.join(', '),
        );
      });
    }
  });
}

describe('login throttle per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOGIN_MAX_FAILURES_PER_ADDRESS: '5' } });
  });
  afterAll(() => t.close());

  it('should stop password spraying across many emails from one address, counting only failures', async () => {
    const account = await register(t.http);
    // Successful sign-ins from the address use none of its allowance.
    for (let i = 0; i < 6; i++)
      assert.equal((await t.http.post('/api/auth/login').send({ email: account.email, password: account.password })).status, 200);
    // One wrong password for each of many emails, all at once: only 5 are checked.
    const sprayed = await Promise.all(
      Array.from({ length: 12 }, () => t.http.post('/api/auth/login').send({ email: uniqueEmail('sprayed'), password: 'Summer2026!' })),
    );
    expect(tally(sprayed.map((r) => r.status))).toEqual({ 401: 5, 429: 7 });
    const next = await t.http.post('/api/auth/login').send({ email: account.email, password: account.password });
    assert.equal(next.status, 429);
    assert.equal(errorCode(next), 'rate_limited');
    assert.ok(Number(next.headers['retry-after']) >= 1);
  });
});
