import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { snapshotDelay } from '../../../src/index/index.service';

describe('index snapshots while changes keep coming', () => {
  it('a small index is saved half a second after a burst of changes', () => {
    assert.equal(snapshotDelay(0), 500);
    assert.equal(snapshotDelay(10), 500);
  });

  it('a large index whose last snapshot took a second waits twenty seconds before the next', () => {
    assert.equal(snapshotDelay(1_000), 20_000);
  });

  it('never waits more than thirty seconds, so that a crash replays at most that much of the feed', () => {
    assert.equal(snapshotDelay(5_000), 30_000);
  });
});
