import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, errorCode, login, register, startTestApp, TestApp, uniqueEmail } from '../support/test-app';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('registration', () => {
    it('should create a student and sign them in', async () => {
      const email = uniqueEmail();
      const response = await t.http.post('/api/auth/register').send({ email, password: 'long-enough-pw', display_name: 'Ada' });
      assert.equal(response.status, 201);
      assert.equal(response.body.ok, true);
      const { user, access_token, refresh_token, token_type, expires_in } = response.body.data;
      assert.deepEqual(Object.keys(user).sort(), ['created_at', 'disabled', 'display_name', 'email', 'id', 'locale', 'role']);
      assert.match(user.id, /^[0-9a-f]{24}$/);
      assert.equal(user.role, 'student');
      assert.equal(user.display_name, 'Ada');
      assert.equal(user.locale, null);
      assert.equal(token_type, 'Bearer');
      assert.equal(expires_in, 900);
      assert.equal(typeof access_token, 'string');
      assert.equal(typeof refresh_token, 'string');
      const me = await t.http.get('/api/users/me').set(bearer({ accessToken: access_token }));
      assert.equal(me.status, 200);
      assert.equal(me.body.data.email, email);
    });

    it('should refuse a second account with the same email, whatever its case and spaces', async () => {
      const email = uniqueEmail('Case');
      await register(t.http, { email });
      const again = await t.http.post('/api/auth/register').send({ email: `  ${email.toUpperCase()} `, password: 'long-enough-pw' });
      assert.equal(again.status, 409);
      assert.equal(errorCode(again), 'email_taken');
    });

    it('should take an accented email typed in either Unicode form as one address', async () => {
      const [local, domain] = uniqueEmail('cafe').split('@');
      const composed = `${local}-caf\u00e9@${domain}`;
      const decomposed = composed.normalize('NFD');
      assert.notEqual(decomposed, composed);
      await register(t.http, { email: decomposed, password: 'long-enough-pw' });
      const again = await t.http.post('/api/auth/register').send({ email: composed.toUpperCase(), password: 'long-enough-pw' });
      assert.equal(again.status, 409);
      assert.equal(errorCode(again), 'email_taken');
      const signIn = await t.http.post('/api/auth/login').send({ email: composed, password: 'long-enough-pw' });
      assert.equal(signIn.status, 200);
      assert.equal(signIn.body.data.user.email, decomposed);
    });

    it('should give exactly one 201 to 20 concurrent registrations of one email', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.http.post('/api/auth/register').send({ email, password: 'long-enough-pw' })),
      );
      const statuses = responses.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 201).length, 1);
      assert.equal(statuses.filter((s) => s === 409).length, 19);
    });

    it('should answer validation_failed with one entry per offending field', async () => {
      const response = await t.http.post('/api/auth/register').send({ email: 'not-an-email', password: 'short' });
      assert.equal(response.status, 400);
      assert.equal(errorCode(response), 'validation_failed');
      const fields = (response.body.error.details as { field: string }[]).map((d) => d.field);
      assert.ok(fields.includes('email'));
      assert.ok(fields.includes('password'));
    });

    it('should refuse unknown fields instead of ignoring them (no self-promotion to admin)', async () => {
      const response = await t.http.post('/api/auth/register').send({ email: uniqueEmail(), password: 'long-enough-pw', role: 'admin' });
      assert.equal(response.status, 400);
      assert.equal(errorCode(response), 'validation_failed');
      assert.deepEqual(response.body.error.details, [{ field: 'role', message: 'property role should not exist' }]);
    });

    it('should refuse passwords over 128 characters', async () => {
      const response = await t.http.post('/api/auth/register').send({ email: uniqueEmail(), password: 'x'.repeat(129) });
      assert.equal(response.status, 400);
    });

    it('should answer invalid_json to a body that is not JSON', async () => {
      const response = await t.http.post('/api/auth/register').set('Content-Type', 'application/json').send('{"email": ');
      assert.equal(response.status, 400);
      assert.equal(errorCode(response), 'invalid_json');
    });

    it('should answer payload_too_large to a body over 1 MB', async () => {
      const response = await t.http.post('/api/auth/register').send({ email: uniqueEmail(), password: 'x'.repeat(1_100_000) });
      assert.equal(response.status, 413);
      assert.equal(errorCode(response), 'payload_too_large');
    });
  });

  describe('login', () => {
    it('should sign in by JSON with a trimmed, case-insensitive email', async () => {
      const account = await register(t.http);
      const response = await t.http.post('/api/auth/login').send({ email: ` ${account.email.toUpperCase()} `, password: account.password });
      assert.equal(response.status, 200);
      assert.equal(response.body.data.user.id, account.id);
    });

    it('should sign in by OAuth2 password form, with the token at the top level for Swagger UI', async () => {
      const account = await register(t.http);
      const response = await t.http
        .post('/api/auth/login')
        .type('form')
        .send({ grant_type: 'password', username: account.email, password: account.password, scope: '' });
      assert.equal(response.status, 200);
      assert.equal(response.body.ok, true);
      assert.equal(response.body.data.user.id, account.id);
      assert.equal(response.body.access_token, response.body.data.access_token);
      assert.equal(response.body.token_type, 'Bearer');
      const me = await t.http.get('/api/users/me').set('Authorization', `Bearer ${response.body.access_token}`);
      assert.equal(me.status, 200);
    });

    it('should give the same answer for a wrong password and an unknown email', async () => {
      const account = await register(t.http);
      const wrongPassword = await t.http.post('/api/auth/login').send({ email: account.email, password: 'not-the-password' });
      const unknownEmail = await t.http.post('/api/auth/login').send({ email: uniqueEmail('nobody'), password: 'not-the-password' });
      assert.equal(wrongPassword.status, 401);
      assert.equal(unknownEmail.status, 401);
      assert.equal(errorCode(wrongPassword), 'invalid_credentials');
      assert.equal(wrongPassword.body.error.message, unknownEmail.body.error.message);
    });

    it('should refuse NoSQL operator payloads', async () => {
      const response = await t.http.post('/api/auth/login').send({ email: { $gt: '' }, password: { $ne: null } });
      assert.equal(response.status, 400);
      assert.equal(errorCode(response), 'validation_failed');
      const fields = (response.body.error.details as { field: string }[]).map((d) => d.field);
      assert.ok(fields.includes('email.$gt'));
    });

    it('should throttle an account after 10 failures without affecting other accounts', async () => {
      const victim = await register(t.http);
      const bystander = await register(t.http);
      for (let i = 0; i < 10; i++) {
        const failed = await t.http.post('/api/auth/login').send({ email: victim.email, password: 'wrong-password' });
        assert.equal(failed.status, 401);
      }
      const eleventh = await t.http.post('/api/auth/login').send({ email: victim.email, password: victim.password });
      assert.equal(eleventh.status, 429);
      assert.equal(errorCode(eleventh), 'rate_limited');
      const retryAfter = Number(eleventh.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
      const other = await t.http.post('/api/auth/login').send({ email: bystander.email, password: bystander.password });
      assert.equal(other.status, 200);
    });
  });

  describe('refresh and logout', () => {
    it('should rotate the refresh token and spend the old one', async () => {
      const account = await register(t.http);
      const first = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
      assert.equal(first.status, 200);
      assert.notEqual(first.body.data.refresh_token, account.refreshToken);
      const me = await t.http.get('/api/users/me').set('Authorization', `Bearer ${first.body.data.access_token}`);
      assert.equal(me.status, 200);
    });

    it('should revoke the whole family when a spent refresh token is presented again', async () => {
      const account = await register(t.http);
      const rotated = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
      const reuse = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
      assert.equal(reuse.status, 401);
      assert.equal(errorCode(reuse), 'invalid_refresh_token');
      // The thief's replay also ends the legitimate holder's newer tokens.
      const next = await t.http.post('/api/auth/refresh').send({ refresh_token: rotated.body.data.refresh_token });
      assert.equal(next.status, 401);
      const me = await t.http.get('/api/users/me').set('Authorization', `Bearer ${rotated.body.data.access_token}`);
      assert.equal(me.status, 401);
    });

    it('should let only one of two simultaneous refreshes with the same token succeed', async () => {
      const account = await register(t.http);
      const [a, b] = await Promise.all([
        t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken }),
        t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), [200, 401]);
    });

    it('should refuse unknown and malformed refresh tokens', async () => {
      const account = await register(t.http);
      const [sessionId] = account.refreshToken.split('.');
      for (const token of ['nonsense', `${sessionId}.${'A'.repeat(43)}`, `${'0'.repeat(24)}.${'A'.repeat(43)}`]) {
        const response = await t.http.post('/api/auth/refresh').send({ refresh_token: token });
        assert.equal(response.status, 401, token);
        assert.equal(errorCode(response), 'invalid_refresh_token');
      }
      // A guessed token for a known session must not revoke that session.
      const still = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
      assert.equal(still.status, 200);
    });

    it('should end the session on logout: refresh and access tokens stop working', async () => {
      const account = await register(t.http);
      const out = await t.http.post('/api/auth/logout').send({ refresh_token: account.refreshToken });
      assert.equal(out.status, 204);
      assert.equal(out.text, '');
      const refresh = await t.http.post('/api/auth/refresh').send({ refresh_token: account.refreshToken });
      assert.equal(refresh.status, 401);
      const me = await t.http.get('/api/users/me').set(bearer(account));
      assert.equal(me.status, 401);
    });

    it('should keep other sessions of the user alive on logout', async () => {
      const account = await register(t.http);
      const other = await login(t.http, account.email, account.password);
      await t.http.post('/api/auth/logout').send({ refresh_token: account.refreshToken });
      const me = await t.http.get('/api/users/me').set(bearer(other));
      assert.equal(me.status, 200);
    });
  });
});

describe('auth with registration closed', () => {
  it('should answer 403 forbidden to registration', async () => {
    const t = await startTestApp({ env: { REGISTRATION_OPEN: 'false' } });
    try {
      const response = await t.http.post('/api/auth/register').send({ email: uniqueEmail(), password: 'long-enough-pw' });
      assert.equal(response.status, 403);
      assert.equal(errorCode(response), 'forbidden');
    } finally {
      await t.close();
    }
  });
});
