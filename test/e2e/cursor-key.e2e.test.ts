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

  it('should refuse a cursor of another list, or of the same list under another module, rather than page from its position', async () => {
    const admin = await loginAdmin(t.http);
    const moduleIds: string[] = [];
    for (const title of ['Cursor A', 'Cursor B', 'Cursor C']) {
      moduleIds.push((await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title })).body.data.id as string);
    }
    for (const moduleId of moduleIds.slice(0, 2)) {
      for (const title of ['One', 'Two']) {
        const added = await t.http
          .post(`/api/admin/modules/${moduleId}/resources`)
          .set(bearer(admin))
          .send({ title, format: 'text', content: `Lesson ${title} about rivers.` });
        assert.equal(added.status, 201, added.text);
      }
    }
    const modules = await t.http.get('/api/modules?limit=1').set(bearer(admin));
    const moduleCursor = modules.body.data.next_cursor as string;
    const resources = await t.http.get(`/api/modules/${moduleIds[0]}/resources?limit=1`).set(bearer(admin));
    const resourceCursor = resources.body.data.next_cursor as string;
    assert.equal(typeof moduleCursor, 'string');
    assert.equal(typeof resourceCursor, 'string');
    assert.equal((await t.http.get('/api/modules').query({ cursor: moduleCursor }).set(bearer(admin))).status, 200);

    for (const [path, cursor] of [
      ['/api/admin/users', moduleCursor],
      ['/api/admin/audit', moduleCursor],
      ['/api/chat/conversations', moduleCursor],
      ['/api/courses', moduleCursor],
      ['/api/modules', resourceCursor],
      [`/api/modules/${moduleIds[1]}/resources`, resourceCursor],
    ]) {
      const response = await t.http.get(path).query({ cursor }).set(bearer(admin));
      assert.equal(response.status, 400, `${path}: ${response.status} ${response.text}`);
      assert.equal(errorCode(response), 'validation_failed', path);
    }
  });
});
