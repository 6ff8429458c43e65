import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, errorCode, loginAdmin, register, startTestApp, TestApp, uniqueEmail, Account } from '../support/test-app';

describe('users', () => {
  let t: TestApp;
  let admin: Account;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAdmin(t.http);
  });
  afterAll(() => t.close());

  describe('me', () => {
    it('should change my display name and locale', async () => {
      const account = await register(t.http);
      const response = await t.http.patch('/api/users/me').set(bearer(account)).send({ display_name: '  Grace ', locale: 'fr' });
      assert.equal(response.status, 200);
      assert.equal(response.body.data.display_name, 'Grace');
      assert.equal(response.body.data.locale, 'fr');
      const cleared = await t.http.patch('/api/users/me').set(bearer(account)).send({ locale: null });
      assert.equal(cleared.body.data.locale, null);
      assert.equal(cleared.body.data.display_name, 'Grace');
    });

    it('should refuse a locale other than fr or en, and fields that are not mine to change', async () => {
      const account = await register(t.http);
      for (const body of [{ locale: 'de' }, { role: 'admin' }, { disabled: true }, { email: 'x@y.z' }]) {
        const response = await t.http.patch('/api/users/me').set(bearer(account)).send(body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(errorCode(response), 'validation_failed');
      }
      const me = await t.http.get('/api/users/me').set(bearer(account));
      assert.equal(me.body.data.role, 'student');
    });

    it('should never expose a password hash', async () => {
      const account = await register(t.http);
      const me = await t.http.get('/api/users/me').set(bearer(account));
      assert.doesNotMatch(JSON.stringify(me.body), /argon2|password/i);
    });
  });

  describe('admin', () => {
    it('should forbid students and instructors from the user admin', async () => {
      const student = await register(t.http);
      const response = await t.http.get('/api/admin/users').set(bearer(student));
      assert.equal(response.status, 403);
      assert.equal(errorCode(response), 'forbidden');
    });

    it('should create a user with a role, and refuse a taken email', async () => {
      const email = uniqueEmail('teacher');
      const created = await t.http
        .post('/api/admin/users')
        .set(bearer(admin))
        .send({ email, password: 'teacher-password', role: 'instructor', display_name: 'Prof' });
      assert.equal(created.status, 201);
      assert.equal(created.body.data.role, 'instructor');
      const again = await t.http
        .post('/api/admin/users')
        .set(bearer(admin))
        .send({ email: email.toUpperCase(), password: 'teacher-password', role: 'student' });
      assert.equal(again.status, 409);
      assert.equal(errorCode(again), 'email_taken');
      const signIn = await t.http.post('/api/auth/login').send({ email, password: 'teacher-password' });
      assert.equal(signIn.body.data.user.role, 'instructor');
    });

    it('should list users page by page with an opaque cursor', async () => {
      const marker = `pager${Date.now()}`;
      for (let i = 0; i < 5; i++) await register(t.http, { email: uniqueEmail(marker) });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string | number> = { q: marker, limit: 2, ...(cursor ? { cursor } : {}) };
        const page = await t.http.get('/api/admin/users').query(query).set(bearer(admin));
        assert.equal(page.status, 200);
        assert.ok(page.body.data.items.length <= 2);
        seen.push(...page.body.data.items.map((u: { email: string }) => u.email));
        cursor = page.body.data.next_cursor;
      } while (cursor);
      assert.equal(seen.length, 5);
      assert.equal(new Set(seen).size, 5);
      assert.ok(seen.every((email) => email.includes(marker)));
    });

    it('should filter by role and by text, case-insensitively', async () => {
      const marker = `Filter${Date.now()}`;
      await register(t.http, { email: uniqueEmail(marker.toLowerCase()) });
      await t.http
        .post('/api/admin/users')
        .set(bearer(admin))
        .send({ email: uniqueEmail(marker.toLowerCase()), password: 'teacher-password', role: 'instructor' });
      const instructors = await t.http.get('/api/admin/users').query({ q: marker.toUpperCase(), role: 'instructor' }).set(bearer(admin));
      assert.equal(instructors.body.data.items.length, 1);
      assert.equal(instructors.body.data.items[0].role, 'instructor');
      const all = await t.http.get('/api/admin/users').query({ q: marker }).set(bearer(admin));
      assert.equal(all.body.data.items.length, 2);
      const regexAttack = await t.http.get('/api/admin/users').query({ q: '.*' }).set(bearer(admin));
      assert.equal(regexAttack.body.data.items.length, 0);
    });

    it('should find an accented email by text typed in either Unicode form', async () => {
      const marker = `Ren\u00e9e${Date.now()}`;
      await register(t.http, { email: uniqueEmail(marker.toLowerCase()) });
      for (const q of [marker, marker.normalize('NFD')]) {
        const found = await t.http.get('/api/admin/users').query({ q }).set(bearer(admin));
        assert.equal(found.body.data.items.length, 1, `searching ${JSON.stringify(q)}`);
      }
    });

    it('should refuse bad list parameters', async () => {
      for (const query of [{ limit: 0 }, { limit: 101 }, { limit: 'many' }, { role: 'king' }, { cursor: 'forged' }, { unknown: 1 }]) {
        const response = await t.http.get('/api/admin/users').query(query).set(bearer(admin));
        assert.equal(response.status, 400, JSON.stringify(query));
        assert.equal(errorCode(response), 'validation_failed');
      }
    });

    it('should answer 400 to a malformed id and 404 to an unknown one', async () => {
      const malformed = await t.http.patch('/api/admin/users/not-an-id').set(bearer(admin)).send({ role: 'student' });
      assert.equal(malformed.status, 400);
      const unknown = await t.http
        .patch(`/api/admin/users/${'a'.repeat(24)}`)
        .set(bearer(admin))
        .send({ role: 'student' });
      assert.equal(unknown.status, 404);
      assert.equal(errorCode(unknown), 'not_found');
      const deleteUnknown = await t.http.delete(`/api/admin/users/${'b'.repeat(24)}`).set(bearer(admin));
      assert.equal(deleteUnknown.status, 404);
    });

    it('should not let an admin demote, disable or delete themselves', async () => {
      for (const body of [{ role: 'student' }, { disabled: true }]) {
        const response = await t.http.patch(`/api/admin/users/${admin.id}`).set(bearer(admin)).send(body);
        assert.equal(response.status, 409, JSON.stringify(body));
        assert.equal(errorCode(response), 'conflict');
      }
      assert.equal((await t.http.delete(`/api/admin/users/${admin.id}`).set(bearer(admin))).status, 409);
      const me = await t.http.get('/api/users/me').set(bearer(admin));
      assert.equal(me.body.data.role, 'admin');
      assert.equal(me.body.data.disabled, false);
    });

    it('should delete a user: their tokens stop working and their email is free again', async () => {
      const account = await register(t.http);
      const deleted = await t.http.delete(`/api/admin/users/${account.id}`).set(bearer(admin));
      assert.equal(deleted.status, 204);
      assert.equal((await t.http.get('/api/users/me').set(bearer(account))).status, 401);
      assert.equal((await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken })).status, 401);
      const again = await t.http.post('/api/auth/register').send({ email: account.email, password: 'another-password' });
      assert.equal(again.status, 201);
    });
  });
});
