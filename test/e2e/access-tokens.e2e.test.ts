import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { b64, claimsOf, signJwt } from '../support/jwt';
import { bearer, errorCode, login, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

describe('access tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('should refuse requests without a token, or with another scheme', async () => {
    for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer not.a.jwt']) {
      const request = t.http.get('/api/users/me');
      const response = header ? await request.set('Authorization', header) : await request;
      assert.equal(response.status, 401, String(header));
      assert.equal(errorCode(response), 'unauthorized');
    }
  });

  it('should refuse an unsigned token (alg: none)', async () => {
    const account = await register(t.http);
    const claims = claimsOf(account.accessToken);
    const forged = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, role: 'admin' })}.`;
    const response = await t.http.get('/api/users/me').set('Authorization', `Bearer ${forged}`);
    assert.equal(response.status, 401);
  });

  it('should refuse a token signed with another key', async () => {
    const account = await register(t.http);
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64(claimsOf(account.accessToken));
    const signature = createHmac('sha256', 'some-other-secret').update(`${header}.${payload}`).digest('base64url');
    const response = await t.http.get('/api/users/me').set('Authorization', `Bearer ${header}.${payload}.${signature}`);
    assert.equal(response.status, 401);
  });

  it('should refuse a token whose claims were changed after signing', async () => {
    const account = await register(t.http);
    const [header, , signature] = account.accessToken.split('.');
    const tampered = `${header}.${b64({ ...claimsOf(account.accessToken), role: 'admin' })}.${signature}`;
    const response = await t.http.get('/api/admin/users').set('Authorization', `Bearer ${tampered}`);
    assert.equal(response.status, 401);
  });

  it('should refuse an expired token', async () => {
    const account = await register(t.http);
    const claims = claimsOf(account.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(t.config.jwt.accessKey, { ...claims, iat: now - 3600, exp: now - 2700 });
    const response = await t.http.get('/api/users/me').set('Authorization', `Bearer ${expired}`);
    assert.equal(response.status, 401);
    assert.equal(errorCode(response), 'unauthorized');
    assert.match(response.body.error.message, /expired/);
    assert.equal(
      response.headers['www-authenticate'],
      'Bearer realm="learning-platform-api", error="invalid_token", error_description="The access token expired"',
    );
    const fresh = signJwt(t.config.jwt.accessKey, { ...claims, iat: now, exp: now + 600 });
    assert.equal((await t.http.get('/api/users/me').set('Authorization', `Bearer ${fresh}`)).status, 200);
  });

  it('should apply a role change on the very next request', async () => {
    const admin = await loginAdmin(t.http);
    const account = await register(t.http);
    assert.equal((await t.http.get('/api/admin/users').set(bearer(account))).status, 403);
    const promoted = await t.http.patch(`/api/admin/users/${account.id}`).set(bearer(admin)).send({ role: 'admin' });
    assert.equal(promoted.status, 200);
    assert.equal((await t.http.get('/api/admin/users').set(bearer(account))).status, 200);
    await t.http.patch(`/api/admin/users/${account.id}`).set(bearer(admin)).send({ role: 'student' });
    assert.equal((await t.http.get('/api/admin/users').set(bearer(account))).status, 403);
  });

  it("should answer account_disabled to a disabled user's existing token, and refuse their sign-in", async () => {
    const admin = await loginAdmin(t.http);
    const account = await register(t.http);
    await t.http.patch(`/api/admin/users/${account.id}`).set(bearer(admin)).send({ disabled: true });
    const me = await t.http.get('/api/users/me').set(bearer(account));
    assert.equal(me.status, 403);
    assert.equal(errorCode(me), 'account_disabled');
    const signIn = await t.http.post('/api/auth/login').send({ email: account.email, password: account.password });
    assert.equal(signIn.status, 403);
    assert.equal(errorCode(signIn), 'account_disabled');
    const refresh = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
    assert.equal(refresh.status, 403);
    await t.http.patch(`/api/admin/users/${account.id}`).set(bearer(admin)).send({ disabled: false });
    assert.equal((await t.http.get('/api/users/me').set(bearer(account))).status, 200);
  });

  it("should revoke every other session on password change and keep the caller's", async () => {
    const account = await register(t.http);
    const other = await login(t.http, account.email, account.password);
    const changed = await t.http
      .post('/api/users/me/password')
      .set(bearer(account))
      .send({ current_password: account.password, new_password: 'a-brand-new-password' });
    assert.equal(changed.status, 204);
    assert.equal((await t.http.get('/api/users/me').set(bearer(account))).status, 200);
    assert.equal((await t.http.get('/api/users/me').set(bearer(other))).status, 401);
    assert.equal((await t.http.post('/api/auth/refresh').send({ refresh_token: other.refreshToken })).status, 401);
    assert.equal((await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken })).status, 200);
    assert.equal((await t.http.post('/api/auth/login').send({ email: account.email, password: account.password })).status, 401);
    assert.equal((await t.http.post('/api/auth/login').send({ email: account.email, password: 'a-brand-new-password' })).status, 200);
  });

  it('should apply one of several password changes sent at once, and refuse the others with 400', async () => {
    // Each checked the same current password before any stored its hash: all answered 204, and
    // only the last one written signed in.
    const account = await register(t.http);
    const passwords = ['first-new-password', 'second-new-password', 'third-new-password', 'fourth-new-password'];
    const answers = await Promise.all(
      passwords.map((new_password) =>
        t.http.post('/api/users/me/password').set(bearer(account)).send({ current_password: account.password, new_password }),
      ),
    );
    const applied = passwords.filter((_, i) => answers[i].status === 204);
    assert.equal(applied.length, 1, answers.map((a) => a.status).join(', '));
    for (const refused of answers.filter((a) => a.status !== 204)) {
      assert.equal(refused.status, 400);
      assert.equal(errorCode(refused), 'validation_failed');
      assert.equal(refused.body.error.details[0].field, 'current_password');
    }
    for (const password of passwords) {
      const signIn = await t.http.post('/api/auth/login').send({ email: account.email, password });
      assert.equal(signIn.status, password === applied[0] ? 200 : 401, password);
    }
  });

  it('should answer 400 validation_failed to a wrong current password', async () => {
    const account = await register(t.http);
    const response = await t.http
      .post('/api/users/me/password')
      .set(bearer(account))
      .send({ current_password: 'wrong-password', new_password: 'a-brand-new-password' });
    assert.equal(response.status, 400);
    assert.equal(errorCode(response), 'validation_failed');
    assert.equal(response.body.error.details[0].field, 'current_password');
  });
});
