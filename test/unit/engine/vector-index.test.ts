import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { Document, NodeRelationship, TextNode } from '@llamaindex/core/schema';
import { FilterOperator, VectorStoreQueryMode } from '@llamaindex/core/vector-store';
import { LocalVectorStore, UnsupportedVectorQueryError } from '../../../src/index/engine';

/** Deterministic Gaussian-ish vectors (sum of uniforms), so failures reproduce. */
function randomVectors(count: number, dims: number, seed: number): Float32Array[] {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const v = new Float32Array(dims);
    for (let d = 0; d < dims; d++) v[d] = uniform() + uniform() + uniform() - 1.5;
    return v;
  });
}

const norms = new WeakMap<Float32Array, number>();
const normOf = (v: Float32Array): number => {
  let norm = norms.get(v);
  if (norm === undefined) {
    norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    norms.set(v, norm);
  }
  return norm;
};

/** Index of the vector with the highest cosine to the query, by exhaustive float computation. */
function exactBest(query: Float32Array, vectors: Float32Array[], allowed: (i: number) => boolean = () => true): number {
  let best = -1;
  let bestScore = -Infinity;
  vectors.forEach((v, i) => {
    if (!allowed(i)) return;
    let dot = 0;
    for (let d = 0; d < v.length; d++) dot += v[d] * query[d];
    const score = dot / normOf(v);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

function buildStore(vectors: Float32Array[], moduleOf: (i: number) => string): LocalVectorStore {
  const store = new LocalVectorStore({ dimensions: vectors[0].length });
  store.upsert(vectors.map((vector, i) => ({ id: `v${i}`, vector, resourceId: `r${i % 40}`, moduleId: moduleOf(i) })));
  return store;
}

describe('LocalVectorStore', () => {
  const dims = 384;
  const vectors = randomVectors(2000, dims, 7);
  const queries = randomVectors(100, dims, 99);
  const moduleOf = (i: number) => (i % 100 === 0 ? 'small' : i % 2 === 0 ? 'even' : 'odd');
  const store = buildStore(vectors, moduleOf);

  it('should find the exact nearest vector for at least 95% of random queries', () => {
    let agree = 0;
    for (const query of queries) {
      const [hit] = store.search(query, { k: 1 });
      if (hit.chunkId === `v${exactBest(query, vectors)}`) agree++;
    }
    assert.ok(agree >= 95, `top-1 agreed with brute force for ${agree}/100 queries`);
  });

  it('should return k results from a small module only, and the right best one', () => {
    for (const query of queries.slice(0, 10)) {
      const hits = store.search(query, { k: 5, moduleIds: ['small'] });
      assert.equal(hits.length, 5);
      assert.ok(hits.every((h) => moduleOf(Number(h.chunkId.slice(1))) === 'small'));
      assert.equal(hits[0].chunkId, `v${exactBest(query, vectors, (i) => moduleOf(i) === 'small')}`);
    }
  });

  it('should return k results from a large module only when filtering during the graph walk', () => {
    const lenient = new LocalVectorStore({ dimensions: dims, exactScanLimit: 10, exactScanShare: 0.01 });
    const half = vectors.slice(0, 1000);
    lenient.upsert(half.map((vector, i) => ({ id: `v${i}`, vector, resourceId: 'r', moduleId: moduleOf(i) })));
    let agree = 0;
    for (const query of queries.slice(0, 40)) {
      const hits = lenient.search(query, { k: 10, moduleIds: ['even'] });
      assert.equal(hits.length, 10);
      assert.ok(hits.every((h) => moduleOf(Number(h.chunkId.slice(1))) === 'even'));
      if (hits[0].chunkId === `v${exactBest(query, half, (i) => moduleOf(i) === 'even')}`) agree++;
    }
    assert.ok(agree >= 38, `filtered top-1 agreed for ${agree}/40 queries`);
  });

  it('should never return removed vectors and stay accurate on the remaining ones', () => {
    const local = buildStore(vectors.slice(0, 1000), moduleOf);
    let removed = 0;
    for (let r = 0; r < 20; r++) removed += local.removeResource(`r${r}`);
    assert.equal(removed, 500);
    assert.equal(local.size, 500);
    const remaining = (i: number) => i < 1000 && i % 40 >= 20;
    let agree = 0;
    for (const query of queries) {
      const hits = local.search(query, { k: 10 });
      assert.equal(hits.length, 10);
      assert.ok(hits.every((h) => remaining(Number(h.chunkId.slice(1)))));
      if (hits[0].chunkId === `v${exactBest(query, vectors, remaining)}`) agree++;
    }
    assert.ok(agree >= 95, `top-1 after removals agreed for ${agree}/100 queries`);
    // Freed slots are reused by new vectors without disturbing the others.
    local.upsert([{ id: 'again', vector: queries[0], resourceId: 'r0', moduleId: 'odd' }]);
    assert.equal(local.search(queries[0], { k: 1 })[0].chunkId, 'again');
  });

  it('should give the exact similarity of chosen ids, leaving out unknown ones', () => {
    const query = queries[3];
    const exact = (i: number) => vectors[i].reduce((sum, x, d) => sum + x * query[d], 0) / normOf(vectors[i]) / normOf(query);
    const found = store.similarities(query, ['v5', 'v1234', 'nobody']);
    assert.deepEqual([...found.keys()].sort(), ['v1234', 'v5']);
    for (const i of [5, 1234]) assert.ok(Math.abs((found.get(`v${i}`) as number) - exact(i)) < 0.02, `v${i}`);
  });

  it('should answer the same after a binary round trip', () => {
    const copy = LocalVectorStore.deserialize(store.serialize());
    for (const query of queries.slice(0, 10)) {
      assert.deepEqual(copy.search(query, { k: 5 }), store.search(query, { k: 5 }));
      assert.deepEqual(copy.search(query, { k: 5, moduleIds: ['small'] }), store.search(query, { k: 5, moduleIds: ['small'] }));
    }
  });

  it('should filter and remove by module and resource in a loaded store changed before any filtered search', () => {
    // A loaded store groups its slots by module and resource only when first asked: changes made
    // before then must show in the groups built afterwards, as in a store that never was saved.
    const original = buildStore(vectors.slice(0, 600), moduleOf);
    original.removeIds(['v0', 'v2']);
    const loaded = LocalVectorStore.deserialize(original.serialize());
    for (const store of [original, loaded]) {
      store.upsert([
        { id: 'late', vector: queries[5], resourceId: 'r-late', moduleId: 'small' },
        { id: 'v4', vector: queries[6], resourceId: 'r-late', moduleId: 'odd' },
      ]);
      store.removeIds(['v100']);
    }
    assert.equal(loaded.size, original.size);
    assert.equal(loaded.moduleCount, original.moduleCount);
    assert.equal(loaded.resourceCount, original.resourceCount);
    for (const query of [queries[5], queries[6], queries[7]]) {
      for (const filter of [{ moduleIds: ['small'] }, { moduleIds: ['odd'] }, { resourceIds: ['r-late', 'r4'] }]) {
        assert.deepEqual(loaded.search(query, { k: 5, ...filter }), original.search(query, { k: 5, ...filter }));
      }
    }
    assert.equal(loaded.search(queries[5], { k: 1, moduleIds: ['small'] })[0].chunkId, 'late');
    assert.equal(loaded.removeModule('small'), original.removeModule('small'));
    assert.equal(loaded.removeResource('r-late'), original.removeResource('r-late'));
    assert.equal(loaded.size, original.size);
    assert.deepEqual(loaded.search(queries[5], { k: 5, moduleIds: ['small'] }), []);
  });

  it('should work as a LlamaIndex vector store: add nodes, filter by module, delete a document', async () => {
    const llama = new LocalVectorStore({ dimensions: 4 });
    const doc = (id: string) => new Document({ id_: id, text: id });
    const node = (id: string, embedding: number[], docId: string, moduleId: string) =>
      new TextNode({
        id_: id,
        text: id,
        embedding,
        metadata: { module_id: moduleId },
        relationships: { [NodeRelationship.SOURCE]: doc(docId).asRelatedNodeInfo() },
      });
    const ids = await llama.add([
      node('a', [1, 0, 0, 0], 'doc1', 'm1'),
      node('b', [0.9, 0.1, 0, 0], 'doc2', 'm2'),
      node('c', [0, 1, 0, 0], 'doc2', 'm2'),
    ]);
    assert.deepEqual(ids, ['a', 'b', 'c']);
    assert.equal(llama.storesText, false);

    const query = (filters?: { key: string; value: string; operator: `${FilterOperator}` }[]) =>
      llama.query({
        queryEmbedding: [1, 0, 0, 0],
        similarityTopK: 2,
        mode: VectorStoreQueryMode.DEFAULT,
        filters: filters && { filters },
      });
    assert.deepEqual((await query()).ids, ['a', 'b']);
    assert.deepEqual((await query([{ key: 'module_id', value: 'm2', operator: '==' }])).ids, ['b', 'c']);
    await llama.delete('doc2');
    assert.deepEqual((await query()).ids, ['a']);
    await assert.rejects(query([{ key: 'title', value: 'x', operator: '==' }]), UnsupportedVectorQueryError);
  });
});
