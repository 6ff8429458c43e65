import { randomBytes } from 'node:crypto';
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { MAX_ACCESS_TOKEN_LENGTH } from '../../../src/auth/bearer-token';
import { entryBytes, VerifiedTokens } from '../../../src/auth/verified-tokens';

const claims = { sub: 'a'.repeat(24), sid: 'b'.repeat(24), exp: 2_000_000_000 };
const now = 1_800_000_000;

/** A distinct token of the largest size the API looks at. */
const largeToken = () =>
  `${randomBytes(MAX_ACCESS_TOKEN_LENGTH)
    .toString('base64url')
    .slice(0, MAX_ACCESS_TOKEN_LENGTH - 44)}.${'s'.repeat(43)}`;

describe('VerifiedTokens', () => {
  it('should stay within its byte bound with thousands of distinct large tokens', () => {
    const maxBytes = 1024 * 1024;
    const cache = new VerifiedTokens(maxBytes);
    const tokens: string[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const token = largeToken();
      tokens.push(token);
      cache.add(token, claims);
      assert.ok(cache.sizeInBytes <= maxBytes, `${cache.sizeInBytes} bytes after ${i + 1} tokens`);
    }
    // Unbounded, 5,000 such tokens would take about 20 MB; the bound keeps the newest that fit.
    assert.equal(cache.size, Math.floor(maxBytes / entryBytes(tokens[0]!)));
    assert.equal(cache.sizeInBytes, cache.size * entryBytes(tokens[0]!));
    assert.deepEqual(cache.get(tokens.at(-1)!, now), claims);
    assert.equal(cache.get(tokens[0]!, now), undefined, 'the oldest went first');
  });

  it('should count a token once however often it is added', () => {
    const cache = new VerifiedTokens(1024 * 1024);
    const token = largeToken();
    for (let i = 0; i < 100; i += 1) cache.add(token, claims);
    assert.equal(cache.size, 1);
    assert.equal(cache.sizeInBytes, entryBytes(token));
  });

  it('should answer by exact text only, and forget a token once it expires', () => {
    const cache = new VerifiedTokens(1024 * 1024);
    const token = largeToken();
    cache.add(token, { ...claims, exp: now + 10 });
    assert.equal(cache.get(`${token}=`, now), undefined);
    assert.equal(cache.get(token.slice(0, -1) + 't', now), undefined);
    assert.deepEqual(cache.get(token, now + 9), { ...claims, exp: now + 10 });
    assert.equal(cache.get(token, now + 10), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.sizeInBytes, 0);
  });

  it('should keep only the claims it needs, not what else a payload carried', () => {
    const cache = new VerifiedTokens(1024 * 1024);
    const token = largeToken();
    cache.add(token, { ...claims, padding: 'x'.repeat(100_000) } as typeof claims);
    assert.deepEqual(Object.keys(cache.get(token, now)!).sort(), ['exp', 'sid', 'sub']);
  });
});
