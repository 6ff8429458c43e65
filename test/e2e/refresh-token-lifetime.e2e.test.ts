import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Clock } from '../../src/common/clock';
import { MovableClock } from '../support/movable-clock';
import { errorCode, register, startTestApp, TestApp } from '../support/test-app';

describe('refresh-token lifetime', () => {
  const clock = new MovableClock();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { JWT_REFRESH_TTL_SECONDS: '3600' },
      override: (builder) => builder.overrideProvider(Clock).useValue(clock),
    });
  });
  afterAll(() => t.close());

  const refresh = (token: string) => t.http.post('/api/auth/refresh').send({ refresh_token: token });

  it('should rotate a refresh token within its lifetime and refuse one past it', async () => {
    const account = await register(t.http);
    clock.advance(3_000);
    const rotated = await refresh(account.refreshToken);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));

    // Each rotation starts a new lifetime: an hour after the last one, the token is spent by time.
    clock.advance(3_601);
    const late = await refresh(rotated.body.data.refresh_token as string);
    assert.equal(late.status, 401);
    assert.equal(errorCode(late), 'invalid_refresh_token');
  });
});
