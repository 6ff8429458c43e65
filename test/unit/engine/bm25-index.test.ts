import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Bm25Index } from '../../../src/index/engine';

function sampleIndex(): Bm25Index {
  const index = new Bm25Index();
  index.add('loop', 'A while loop repeats its body while the condition is true.', 'm1', 'r1');
  index.add('for', 'A for loop iterates over the items of a list.', 'm1', 'r1');
  index.add('list', 'Lists hold items in order; append adds an item to a list.', 'm2', 'r2');
  index.add('dict', 'A dictionary maps keys to values.', 'm2', 'r3');
  return index;
}

describe('Bm25Index', () => {
  it('should rank the chunk that matches the rarer query term first', () => {
    const hits = sampleIndex().search('loop condition', { k: 3 });
    assert.deepEqual(
      hits.map((h) => h.chunkId),
      ['loop', 'for'],
    );
    assert.ok(hits[0].score > hits[1].score);
  });

  it('should return only chunks of the requested modules', () => {
    const index = sampleIndex();
    assert.deepEqual(
      index.search('list items', { k: 5, moduleIds: ['m1'] }).map((h) => h.chunkId),
      ['for'],
    );
    assert.deepEqual(index.search('list items', { k: 5, moduleIds: ['unknown'] }), []);
  });

  it('should forget removed chunks and whole resources', () => {
    const index = sampleIndex();
    assert.equal(index.remove('list'), true);
    assert.deepEqual(index.search('append', { k: 5 }), []);
    assert.equal(index.removeByResource('r1'), 2);
    assert.deepEqual(index.search('loop', { k: 5 }), []);
    assert.equal(index.size, 1);
  });

  it('should replace the text of a chunk added twice', () => {
    const index = sampleIndex();
    index.add('dict', 'Tuples are immutable.', 'm2', 'r3');
    assert.deepEqual(index.search('dictionary', { k: 5 }), []);
    assert.deepEqual(
      index.search('tuples', { k: 5 }).map((h) => h.chunkId),
      ['dict'],
    );
  });

  it('should keep ranking correctly after most chunks are removed and slots renumbered', () => {
    const index = new Bm25Index();
    for (let i = 0; i < 3000; i++) index.add(`c${i}`, `common filler words number${i % 50} topic${i}`, `m${i % 3}`, `r${i}`);
    for (let i = 0; i < 2900; i++) index.remove(`c${i}`);
    const hits = index.search('topic2950 common', { k: 3 });
    assert.equal(hits[0].chunkId, 'c2950');
    assert.equal(hits.length, 3);
    assert.ok(hits.every((h) => Number(h.chunkId.slice(1)) >= 2900));
  });

  it('should answer the same after a binary round trip', () => {
    const index = sampleIndex();
    index.remove('dict');
    const copy = Bm25Index.deserialize(index.serialize());
    for (const query of ['loop', 'list items', 'dictionary']) {
      assert.deepEqual(copy.search(query, { k: 5 }), index.search(query, { k: 5 }));
    }
    copy.removeByResource('r2');
    assert.deepEqual(copy.search('append', { k: 5 }), []);
  });

  it('should take changes after loading as an index built in memory does', () => {
    const built = sampleIndex();
    const loaded = Bm25Index.deserialize(sampleIndex().serialize());
    // A loaded index maps ids to slots only at its first change or lookup: it counts right before.
    assert.equal(loaded.size, built.size);
    assert.deepEqual(loaded.search('loop', { k: 5 }), built.search('loop', { k: 5 }));
    assert.ok(loaded.has('list') && !loaded.has('nothing'));
    for (const index of [built, loaded]) {
      index.add('tuple', 'A tuple holds items in order and cannot change.', 'm2', 'r4');
      index.remove('list');
      index.add('for', 'A for loop can also count with range.', 'm1', 'r1');
    }
    for (const query of ['items in order', 'loop', 'range count', 'append']) {
      assert.deepEqual(loaded.search(query, { k: 5 }), built.search(query, { k: 5 }));
    }
    assert.deepEqual(loaded.search('append', { k: 5 }), []);
    assert.equal(loaded.size, built.size);
  });

  it('should load a file that does not start its own memory (a slice of a larger buffer)', () => {
    const file = sampleIndex().serialize();
    const larger = Buffer.alloc(file.length + 3);
    file.copy(larger, 3);
    const loaded = Bm25Index.deserialize(larger.subarray(3));
    assert.deepEqual(loaded.search('list items', { k: 5 }), sampleIndex().search('list items', { k: 5 }));
  });
});
