import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, errorCode, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

const REFRESH_SECRET = 'cursor-test-refresh-secret-0123456789-abcdef';

describe('list cursors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { JWT_REFRESH_SECRET: REFRESH_SECRET } });
  });
  afterAll(() => t.close());

  it('should accept the cursors it issued and refuse one signed with the refresh secret itself', async () => {
    const admin = await loginAdmin(t.http);
    await register(t.http);
    await register(t.http);
    const first = await t.http.get('/api/admin/users?limit=1').set(bearer(admin));
    assert.equal(first.status, 200);
    const cursor = first.body.data.next_cursor as string;
    assert.equal(typeof cursor, 'string');
    const next = await t.http.get('/api/admin/users').query({ limit: 1, cursor }).set(bearer(admin));
    assert.equal(next.status, 200);
    assert.notEqual(next.body.data.items[0].id, first.body.data.items[0].id);

    // The cursor format with an HMAC keyed by the raw refresh secret: what the API signed before
    // it derived a key of its own; whoever could compute it would forge cursors.
    const [payload] = cursor.split('.');
    const signature = createHmac('sha256', REFRESH_SECRET).update(`cursor:${payload}`).digest('base64url').slice(0, 22);
    const forged = await t.http
      .get('/api/admin/users')
      .query({ limit: 1, cursor: `${payload}.${signature}` })
      .set(bearer(admin));
    assert.equal(forged.status, 400);
    assert.equal(errorCode(forged), 'validation_failed');
  });
});
