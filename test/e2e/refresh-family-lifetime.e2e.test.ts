import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { errorCode, register, startTestApp, TestApp } from '../support/test-app';

const ABSOLUTE_TTL_SECONDS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('refresh-token families', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { JWT_REFRESH_ABSOLUTE_TTL_SECONDS: String(ABSOLUTE_TTL_SECONDS) } });
  });
  afterAll(() => t.close());

  it('should end a family at its absolute lifetime, however often it rotated', async () => {
    const account = await register(t.http);
    // The family started during registration, so at most now.
    const signedInAt = Date.now();
    let refreshToken = account.refreshToken;
    // Rotating keeps working within the lifetime: each rotation would restart a sliding expiry.
    while (Date.now() - signedInAt < (ABSOLUTE_TTL_SECONDS - 1.5) * 1000) {
      const rotated = await t.http.post('/api/auth/refresh').send({ refresh_token: refreshToken });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      refreshToken = rotated.body.data.refresh_token;
      await sleep(300);
    }
    await sleep(ABSOLUTE_TTL_SECONDS * 1000 - (Date.now() - signedInAt) + 200);
    const late = await t.http.post('/api/auth/refresh').send({ refresh_token: refreshToken });
    assert.equal(late.status, 401);
    assert.equal(errorCode(late), 'invalid_refresh_token');
    // A new sign-in starts a new family.
    const again = await t.http.post('/api/auth/login').send({ email: account.email, password: account.password });
    assert.equal(again.status, 200);
    assert.equal((await t.http.post('/api/auth/refresh').send({ refresh_token: again.body.data.refresh_token })).status, 200);
  });
});
