import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { seededRandom as rng } from '../../support/seeded-random';
import { Int8Vectors } from '../../../src/index/engine/int8-vectors';
import { INT8_DOT_WASM } from '../../../src/index/engine/int8-dot.wasm';
import { assembleInt8Dot } from '../../../scripts/assemble-wasm';

function unit(values: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Float32Array.from(values, (x) => x / Math.sqrt(sum));
}

function randomUnit(dims: number, random: () => number): Float32Array {
  return unit(Array.from({ length: dims }, () => random() - 0.5));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

describe('Int8Vectors', () => {
  it('should run the kernel assembled from int8-dot.wat (run `npm run build:wasm` after changing it)', async () => {
    assert.equal(INT8_DOT_WASM, await assembleInt8Dot());
  });

  for (const dims of [384, 100, 7, 3072]) {
    it(`should give the cosine of the stored vectors at ${dims} dimensions`, () => {
      const random = rng(dims);
      const vectors = new Int8Vectors(dims);
      const originals = Array.from({ length: 20 }, () => randomUnit(dims, random));
      vectors.ensureCapacity(originals.length);
      originals.forEach((vector, slot) => vectors.set(slot, vector));
      const query = randomUnit(dims, random);
      vectors.loadQuery(query);
      for (let slot = 0; slot < originals.length; slot++) {
        const stored = vectors.get(slot);
        // int8 storage moves a cosine by about 0.01; the int16 query by far less.
        assert.ok(Math.abs(dot(stored, originals[slot]) - 1) < 0.01);
        assert.ok(Math.abs(vectors.similarityToQuery(slot) - dot(stored, query)) < 1e-3);
        const other = (slot + 1) % originals.length;
        assert.ok(Math.abs(vectors.similarityBetween(slot, other) - dot(stored, vectors.get(other))) < 1e-5);
      }
    });
  }

  it('should not overflow where every component is as large as it can be', () => {
    // A unit vector with equal components quantises every one to 127: the largest possible sums.
    for (const dims of [384, 3072]) {
      const vectors = new Int8Vectors(dims);
      vectors.ensureCapacity(2);
      const flat = unit(new Float32Array(dims).fill(1));
      vectors.set(0, flat);
      vectors.set(
        1,
        flat.map((x) => -x),
      );
      vectors.loadQuery(flat);
      assert.ok(Math.abs(vectors.similarityToQuery(0) - 1) < 1e-4);
      assert.ok(Math.abs(vectors.similarityToQuery(1) + 1) < 1e-4);
      assert.ok(Math.abs(vectors.similarityBetween(0, 0) - 1) < 1e-4);
      assert.ok(Math.abs(vectors.similarityBetween(0, 1) + 1) < 1e-4);
    }
  });

  it('should answer zero for a zero vector or a zero query', () => {
    const vectors = new Int8Vectors(16);
    vectors.ensureCapacity(2);
    vectors.set(0, new Float32Array(16));
    vectors.set(1, unit(new Float32Array(16).fill(1)));
    vectors.loadQuery(unit(new Float32Array(16).fill(1)));
    assert.equal(vectors.similarityToQuery(0), 0);
    vectors.loadQuery(new Float32Array(16));
    assert.equal(vectors.similarityToQuery(1), 0);
  });

  it('should keep what it holds as it grows, and save and load it', () => {
    const random = rng(9);
    const dims = 40;
    const vectors = new Int8Vectors(dims);
    const originals: Float32Array[] = [];
    for (let slot = 0; slot < 5000; slot++) {
      vectors.ensureCapacity(slot + 1);
      originals.push(randomUnit(dims, random));
      vectors.set(slot, originals[slot]);
    }
    const before = originals.map((_, slot) => vectors.get(slot));
    const saved = vectors.export(originals.length);
    assert.equal(saved.codes.length, originals.length * dims);
    const loaded = new Int8Vectors(dims);
    loaded.import(saved.codes, saved.scales);
    for (let slot = 0; slot < originals.length; slot++) {
      assert.deepEqual(vectors.get(slot), before[slot]);
      assert.deepEqual(loaded.get(slot), before[slot]);
    }
    loaded.loadQuery(originals[42]);
    assert.ok(loaded.similarityToQuery(42) > 0.99);
  });
});
