import { createHmac } from 'node:crypto';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearerCredentials, MAX_ACCESS_TOKEN_LENGTH } from '../../../src/auth/bearer-token';
import { b64 } from '../../support/jwt';

const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'a'.repeat(24), sid: 'b'.repeat(24), exp: 1_800_000_000 })}`;
const token = `${body}.${createHmac('sha256', 'unit-test-key').update(body).digest('base64url')}`;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Every other spelling of the last character that Node's base64url decoder reads as the same bytes. */
function sameBytesSpellings(jwt: string): string[] {
  const index = ALPHABET.indexOf(jwt.at(-1)!);
  return [1, 2, 3].map((bits) => jwt.slice(0, -1) + ALPHABET[index ^ bits]);
}

describe('bearerCredentials', () => {
  it('should accept a canonical token, whatever the case of the scheme', () => {
    assert.equal(bearerCredentials(`Bearer ${token}`).token, token);
    assert.equal(bearerCredentials(`bearer ${token}`).token, token);
  });

  it('should count no header, or another scheme, as no token at all', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearerx abc', 'Token abc']) {
      assert.equal(bearerCredentials(header).problem, 'missing', String(header));
    }
  });

  it('should refuse every other spelling of the same signature', () => {
    const signature = token.split('.')[2]!;
    const spellings = [
      ...sameBytesSpellings(token),
      `${token}=`,
      `${token}==`,
      `${token.slice(0, -10)}!${token.slice(-10)}`,
      `${token.slice(0, -10)} ${token.slice(-10)}`,
      token.replace(/-/g, '+').replace(/_/g, '/') + (signature.match(/[-_]/) ? '' : '+'),
    ];
    for (const spelling of spellings) {
      assert.notEqual(spelling, token);
      assert.equal(bearerCredentials(`Bearer ${spelling}`).problem, 'invalid', spelling);
    }
    // The point of the test: Node itself decodes the first spellings to the very same signature bytes.
    const bytes = Buffer.from(signature, 'base64url');
    for (const spelling of sameBytesSpellings(token)) assert.deepEqual(Buffer.from(spelling.split('.')[2]!, 'base64url'), bytes);
  });

  it('should refuse structurally broken tokens', () => {
    for (const broken of ['', '.', '..', 'a.b', `${token}.extra`, token.slice(0, -2), token.replace(/\./g, ''), 'not.a.jwt']) {
      assert.equal(bearerCredentials(`Bearer ${broken}`).problem, 'invalid', broken);
    }
    assert.equal(bearerCredentials('Bearer').problem, 'invalid');
  });

  it('should refuse an oversized header at once, without reading it', () => {
    const huge = `Bearer ${body}${'A'.repeat(10_000_000)}.${token.split('.')[2]}`;
    const nanosEach = (times: number, run: () => unknown): number => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < times; i += 1) run();
      return Number(process.hrtime.bigint() - started) / times;
    };
    // Against reading the header once, as any check of its characters would, so that a busy
    // machine slows both sides alike: a refusal that read it would cost about as much.
    const reading = nanosEach(5, () => /^[A-Za-z0-9._ -]*$/.test(huge));
    const refusing = nanosEach(1000, () => assert.equal(bearerCredentials(huge).problem, 'invalid'));
    assert.ok(refusing * 50 < reading, `a refusal took ${refusing} ns, reading the header ${reading} ns`);
    // Well-formed and canonical either way: only the length decides.
    const ofLength = (length: number) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${'A'.repeat(length - 81)}.${token.split('.')[2]}`;
    assert.equal(bearerCredentials(`Bearer ${ofLength(MAX_ACCESS_TOKEN_LENGTH)}`).token, ofLength(MAX_ACCESS_TOKEN_LENGTH));
    assert.equal(bearerCredentials(`Bearer ${ofLength(MAX_ACCESS_TOKEN_LENGTH + 1)}`).problem, 'invalid');
  });
});
