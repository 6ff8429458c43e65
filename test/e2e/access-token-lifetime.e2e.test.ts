import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Clock } from '../../src/common/clock';
import { MovableClock } from '../support/movable-clock';
import { bearer, errorCode, register, startTestApp, TestApp } from '../support/test-app';

/** Access tokens live by the injected Clock, like refresh tokens: issued by it, expired by it. */
describe('access-token lifetime', () => {
  const clock = new MovableClock();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { JWT_ACCESS_TTL_SECONDS: '600' },
      override: (builder) => builder.overrideProvider(Clock).useValue(clock),
    });
  });
  afterAll(() => t.close());

  const me = (account: { accessToken: string }) => t.http.get('/api/users/me').set(bearer(account));

  it('should accept an access token within its lifetime and refuse it as expired once the clock passes it', async () => {
    const account = await register(t.http);
    // Verified once, then answered from the verified-token cache: both must follow the clock.
    assert.equal((await me(account)).status, 200);
    clock.advance(590);
    assert.equal((await me(account)).status, 200);

    clock.advance(11);
    const late = await me(account);
    assert.equal(late.status, 401);
    assert.equal(errorCode(late), 'unauthorized');
    assert.match(late.body.error.message, /expired/);
    assert.match(String(late.headers['www-authenticate']), /error_description="The access token expired"/);
  });

  it('should count a new access token from the clock that issued it', async () => {
    const account = await register(t.http);
    clock.advance(3_600);
    const refreshed = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const fresh = { accessToken: refreshed.body.data.access_token as string };
    // An hour ahead of the system time, the new token is valid for its whole lifetime, no more.
    assert.equal((await me(fresh)).status, 200);
    clock.advance(599);
    assert.equal((await me(fresh)).status, 200);
    clock.advance(2);
    assert.equal((await me(fresh)).status, 401);
  });
});
