import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { retryAfterMs } from '../../../src/infrastructure/llm/retry-policy';

describe('Retry-After reading', () => {
  it('should prefer retry-after-ms, then read Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-02T10:00:00Z');
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }), now), 250);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '3' }), now), 3000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Mon, 02 Nov 2026 10:00:05 GMT' }), now), 5000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterMs(new Headers(), now), undefined);
  });
});
