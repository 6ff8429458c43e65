import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import request from 'supertest';
import { claimsOf, signJwt } from '../support/jwt';
import { bearer, errorCode, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

const REALM = 'Bearer realm="learning-platform-api"';
const INVALID = `${REALM}, error="invalid_token", error_description="The access token is not valid"`;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Asserts a 401 `unauthorized` in the envelope with the given challenge, and returns its message. */
function refusal(response: request.Response, challenge: string): string {
  assert.equal(response.status, 401, JSON.stringify(response.body));
  assert.equal(errorCode(response), 'unauthorized');
  assert.equal(response.headers['www-authenticate'], challenge);
  return response.body.error.message as string;
}

describe('bearer tokens (RFC 6750, canonical encoding)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const me = (authorization?: string) => {
    const call = t.http.get('/api/users/me');
    return authorization === undefined ? call : call.set('Authorization', authorization);
  };

  it('should challenge a request without a token, with no error code', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNzd29yZA==']) {
      const message = refusal(await me(authorization), REALM);
      assert.match(message, /access token is required/);
    }
  });

  it('should refuse every other spelling of a valid signature, and keep the canonical one working', async () => {
    const account = await register(t.http);
    const token = account.accessToken;
    const index = ALPHABET.indexOf(token.at(-1)!);
    const spellings = [
      // The last character's two unused bits changed: Node decodes these to the same bytes.
      ...[1, 2, 3].map((bits) => token.slice(0, -1) + ALPHABET[index ^ bits]),
      `${token}=`,
      `${token.slice(0, -8)}!${token.slice(-8)}`,
      `${token.slice(0, -8)} ${token.slice(-8)}`,
    ];
    for (const spelling of spellings) {
      assert.notEqual(spelling, token);
      const message = refusal(await me(`Bearer ${spelling}`), INVALID);
      assert.doesNotMatch(message, /expired/);
    }
    assert.equal((await me(`Bearer ${token}`)).status, 200);
    assert.equal((await me(`bearer ${token}`)).status, 200, 'the scheme is case-insensitive (RFC 7235 §2.1)');
  });

  it('should refuse an oversized token, even one signed with our key', async () => {
    const account = await register(t.http);
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...claimsOf(account.accessToken), iat: now, exp: now + 600 };
    // How cheap a refusal is belongs to a benchmark, not to a timed test on a shared machine: this
    // checks that the size alone refuses.
    for (let i = 0; i < 5; i += 1) {
      const oversized = signJwt(t.config.jwt.accessKey, { ...claims, padding: `${i}-${'x'.repeat(8_000)}` });
      refusal(await me(`Bearer ${oversized}`), INVALID);
    }
    // The same claims at an ordinary size are accepted: the refusal was the size.
    assert.equal((await me(`Bearer ${signJwt(t.config.jwt.accessKey, claims)}`)).status, 200);
  });

  it('should say that an expired token expired, so the client refreshes, and tell it from garbage', async () => {
    const account = await register(t.http);
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(t.config.jwt.accessKey, { ...claimsOf(account.accessToken), iat: now - 1000, exp: now - 100 });
    const expiredMessage = refusal(
      await me(`Bearer ${expired}`),
      `${REALM}, error="invalid_token", error_description="The access token expired"`,
    );
    assert.match(expiredMessage, /expired/);
    assert.match(expiredMessage, /\/api\/auth\/refresh/);
    const garbageMessage = refusal(await me('Bearer not.a.token'), INVALID);
    assert.notEqual(garbageMessage, expiredMessage);
    // An expired token signed with another key is garbage, not "expired": expiry is only read once the signature holds.
    const forged = signJwt('another-key', { ...claimsOf(account.accessToken), iat: now - 1000, exp: now - 100 });
    refusal(await me(`Bearer ${forged}`), INVALID);
  });

  it('should refuse tokens of another algorithm, even signed with our key', async () => {
    const account = await register(t.http);
    const claims = claimsOf(account.accessToken);
    const [, payload] = account.accessToken.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    refusal(await me(`Bearer ${unsigned}`), INVALID);
    for (const [alg, hash] of [
      ['HS512', 'sha512'],
      ['HS384', 'sha384'],
    ] as const) {
      const body = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
      const token = `${body}.${createHmac(hash, t.config.jwt.accessKey).update(body).digest('base64url')}`;
      refusal(await me(`Bearer ${token}`), INVALID);
    }
    // The same header and claims under HS256 pass, so the refusals above were the algorithm.
    assert.equal((await me(`Bearer ${signJwt(t.config.jwt.accessKey, claims)}`)).status, 200);
  });

  it('should refuse a token of another issuer, or without our claims', async () => {
    const account = await register(t.http);
    const claims = claimsOf(account.accessToken);
    const { iss: _iss, ...withoutIssuer } = claims;
    const { sid: _sid, ...withoutSession } = claims;
    const { exp: _exp, ...withoutExpiry } = claims;
    for (const payload of [{ ...claims, iss: 'someone-else' }, withoutIssuer, withoutSession, withoutExpiry]) {
      refusal(await me(`Bearer ${signJwt(t.config.jwt.accessKey, payload)}`), INVALID);
    }
  });

  it('should refuse the access token of a revoked session on the next request, saying so', async () => {
    const account = await register(t.http);
    assert.equal((await me(`Bearer ${account.accessToken}`)).status, 200);
    assert.equal((await t.http.post('/api/auth/logout').send({ refresh_token: account.refreshToken })).status, 204);
    const message = refusal(
      await me(`Bearer ${account.accessToken}`),
      `${REALM}, error="invalid_token", error_description="The access token was revoked"`,
    );
    assert.match(message, /sign in again/);
  });

  it('should carry the challenge on every bearer-protected route, in the error envelope', async () => {
    for (const [method, path] of [
      ['get', '/api/admin/users'],
      ['post', '/api/chat'],
      ['get', '/api/users/me/usage'],
    ] as const) {
      refusal(await t.http[method](path), REALM);
      refusal(await t.http[method](path).set('Authorization', 'Bearer x.y.z'), INVALID);
    }
  });

  it('should apply a role change on the very next request, though the token is remembered', async () => {
    const admin = await loginAdmin(t.http);
    const account = await register(t.http);
    assert.equal((await t.http.get('/api/users/me').set(bearer(account))).body.data.role, 'student');
    await t.http.patch(`/api/admin/users/${account.id}`).set(bearer(admin)).send({ role: 'instructor' });
    assert.equal((await t.http.get('/api/users/me').set(bearer(account))).body.data.role, 'instructor');
  });
});
