import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { seededRandom as rng } from '../../support/seeded-random';
import { HnswGraph } from '../../../src/index/engine/hnsw-graph';
import { LocalVectorStore } from '../../../src/index/engine';

function randomVector(dims: number, random: () => number): Float32Array {
  return Float32Array.from({ length: dims }, () => random() + random() + random() - 1.5);
}

/**
 * Clusters of near-duplicates, like a course whose passages come back in many slightly edited
 * copies: the hard case for a graph, whose link selection keeps few links inside a cluster.
 */
function clusteredVectors(clusters: number, copies: number, dims: number, seed: number): Float32Array[] {
  const random = rng(seed);
  const out: Float32Array[] = [];
  for (let c = 0; c < clusters; c++) {
    const centre = randomVector(dims, random);
    for (let i = 0; i < copies; i++) out.push(centre.map((x) => x + (random() - 0.5) * 0.6));
  }
  return out;
}

describe('HnswGraph', () => {
  it('should find vectors added without links at once, and the same ones once they are linked', () => {
    const random = rng(5);
    const graph = new HnswGraph(32, { m: 8, efConstruction: 32, efSearch: 64 });
    for (let i = 0; i < 400; i++) graph.insert(randomVector(32, random));
    const fresh = Array.from({ length: 50 }, () => randomVector(32, random));
    const slots = fresh.map((vector) => graph.add(vector));
    assert.equal(graph.pendingCount, 50);
    assert.equal(graph.size, 450);
    for (let i = 0; i < fresh.length; i++) assert.equal(graph.search(fresh[i], 1).slots[0], slots[i]);

    assert.equal(graph.linkPending(20), 30);
    assert.equal(graph.linkPending(100), 0);
    for (let i = 0; i < fresh.length; i++) assert.equal(graph.search(fresh[i], 1).slots[0], slots[i]);
  });

  it('should forget an unlinked vector that is removed, and never link it', () => {
    const random = rng(6);
    const graph = new HnswGraph(16, { m: 6, efConstruction: 24 });
    for (let i = 0; i < 100; i++) graph.insert(randomVector(16, random));
    const doomed = randomVector(16, random);
    const slot = graph.add(doomed);
    graph.remove([slot]);
    assert.equal(graph.pendingCount, 0);
    assert.equal(graph.linkPending(10), 0);
    assert.notEqual(graph.search(doomed, 1).slots[0], slot);
    assert.equal(graph.size, 100);
  });

  it('should keep unlinked vectors across a save and link them after loading', () => {
    const random = rng(7);
    const graph = new HnswGraph(16, { m: 6, efConstruction: 24 });
    for (let i = 0; i < 100; i++) graph.insert(randomVector(16, random));
    const fresh = randomVector(16, random);
    const slot = graph.add(fresh);
    const loaded = HnswGraph.deserialize(graph.serialize());
    assert.equal(loaded.pendingCount, 1);
    assert.equal(loaded.search(fresh, 1).slots[0], slot);
    loaded.linkPending(1);
    assert.equal(loaded.pendingCount, 0);
    assert.equal(loaded.search(fresh, 1).slots[0], slot);
  });

  it('should grow and shrink after loading exactly as the graph it was saved from', () => {
    const random = rng(9);
    const graph = new HnswGraph(16, { m: 6, efConstruction: 24 });
    for (let i = 0; i < 120; i++) graph.insert(randomVector(16, random));
    const loaded = HnswGraph.deserialize(graph.serialize());
    const more = Array.from({ length: 80 }, () => randomVector(16, random));
    for (const g of [graph, loaded]) {
      for (const vector of more) g.insert(vector);
      g.remove([3, 50, 130]);
    }
    for (let q = 0; q < 10; q++) {
      const query = randomVector(16, random);
      assert.deepEqual(loaded.search(query, 5), graph.search(query, 5));
    }
  });

  // A 5 MB upload of one sentence repeated became 6,622 identical chunks; linking them held the
  // event loop for up to 20 s at a time and answered /health/live after a minute.
  it.each([
    ['copies of one vector', 0],
    ['near-duplicates', 0.02],
  ])('should link 3,000 %s without holding the thread for long', (_, spread) => {
    const random = rng(21);
    const centre = randomVector(384, random);
    const graph = new HnswGraph(384);
    for (let i = 0; i < 3000; i++) graph.add(centre.map((x) => x + (random() - 0.5) * spread));
    // A call takes about 15 ms on a quiet machine; the bound only tells a freeze from a loaded CI.
    let longest = 0;
    while (graph.pendingCount > 0 && longest < 1000) {
      const started = performance.now();
      graph.linkPending(8);
      longest = Math.max(longest, performance.now() - started);
    }
    assert.ok(longest < 1000, `one linkPending(8) call took ${longest.toFixed(0)} ms`);
    assert.equal(graph.search(centre, 1).slots.length, 1);
  });
});

describe('LocalVectorStore graph', () => {
  it('should reach the exact top 5 for at least 98% of queries over clusters of near-duplicates', async () => {
    const vectors = clusteredVectors(40, 60, 48, 11);
    const store = new LocalVectorStore({ dimensions: 48 });
    store.upsert(vectors.map((vector, i) => ({ id: `c${i}`, vector, resourceId: `r${i % 7}`, moduleId: 'm' })));
    await store.whenLinked();
    const graph = store.client();
    assert.equal(graph.pendingCount, 0);
    const queries = clusteredVectors(40, 1, 48, 12);
    let found = 0;
    for (const query of queries) {
      const exact = graph.bruteForce(query, 5).similarities;
      for (const similarity of graph.search(query, 5).similarities) if (similarity >= exact[4] - 1e-9) found++;
    }
    const recall = found / (queries.length * 5);
    assert.ok(recall >= 0.98, `recall@5 ${recall}`);
  });

  it('should answer for vectors still waiting to be linked', async () => {
    const random = rng(8);
    const store = new LocalVectorStore({ dimensions: 24 });
    const vectors = Array.from({ length: 300 }, () => randomVector(24, random));
    store.upsert(vectors.map((vector, i) => ({ id: `v${i}`, vector, resourceId: 'r', moduleId: 'm' })));
    assert.ok(store.client().pendingCount > 0, 'linking happens later');
    assert.equal(store.search(vectors[123], { k: 1 })[0]?.chunkId, 'v123');
    await store.whenLinked();
    assert.equal(store.client().pendingCount, 0);
    assert.equal(store.search(vectors[123], { k: 1 })[0]?.chunkId, 'v123');
  });
});
