import { createSecretKey } from 'node:crypto';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { AccessTokenCodec } from '../../../src/auth/access-token';

const key = createSecretKey(Buffer.from('unit-test-secret-unit-test-secret'));
const codec = new AccessTokenCodec(key, 'issuer-a', 900);
const claims = { sub: 'a'.repeat(24), sid: 'b'.repeat(24), role: 'student' as const };
const now = 1_800_000_000;

describe('AccessTokenCodec', () => {
  it('should verify its own tokens until they expire', () => {
    const token = codec.sign(claims, now);
    assert.deepEqual(codec.verify(token, now + 899), { ...claims, iat: now, exp: now + 900, iss: 'issuer-a' });
    assert.equal(codec.verify(token, now + 900), null);
  });

  it('should refuse tokens of another issuer or key', () => {
    assert.equal(new AccessTokenCodec(key, 'issuer-b', 900).verify(codec.sign(claims, now), now), null);
    const otherKey = new AccessTokenCodec(createSecretKey(Buffer.from('another-secret-another-secret-xx')), 'issuer-a', 900);
    assert.equal(codec.verify(otherKey.sign(claims, now), now), null);
  });

  it('should refuse structurally broken tokens without throwing', () => {
    const token = codec.sign(claims, now);
    for (const broken of ['', '.', '..', 'a.b', `${token}.extra`, token.slice(0, -2), `x${token}`, token.replace(/\./g, '')]) {
      assert.equal(codec.verify(broken, now), null, broken);
    }
  });

  it('should remember a verified token by its exact text only', () => {
    const token = codec.sign(claims, now);
    assert.ok(codec.verify(token, now));
    const lastChar = token.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(codec.verify(token.slice(0, -1) + lastChar, now), null, 'a forged signature is checked, not remembered');
    const [header, , signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, role: 'admin', iat: now, exp: now + 900, iss: 'issuer-a' })).toString(
      'base64url',
    );
    assert.equal(codec.verify(`${header}.${otherPayload}.${signature}`, now), null, 'a changed payload is checked, not remembered');
    assert.equal(codec.verify(token, now + 900), null, 'a remembered token still expires');
  });
});
