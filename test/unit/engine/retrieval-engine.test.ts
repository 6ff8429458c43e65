import { describe, it, beforeAll, afterAll } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { terms } from '../../../src/common/text';
import {
  CorruptIndexFileError,
  EmbeddingModelChanged,
  IndexNotFound,
  LocalHashingEmbedding,
  LocalVectorStore,
  RetrievalEngine,
  type EngineChunk,
  type RetrievalMode,
} from '../../../src/index/engine';

const CORPUS: Record<string, string> = {
  sort: 'To order the items of a list, call its sort method; the sorted function returns a new ordered list instead.',
  hats: 'Sorting hats and sorting rituals: the sort of wizard school sorting that has nothing to do with programming.',
  listlit: 'Lists hold items in order; a list literal is written with square brackets and items separated by commas.',
  dict: 'A dictionary maps keys to values and looks them up by key in constant time.',
  keyboard: 'Keyboard shortcuts: press the keys Ctrl and C to copy text; keys can be remapped in the settings.',
  exc: 'Exceptions are raised when an error occurs and handled with try and except blocks.',
  loop: 'A while loop repeats its body as long as its condition stays true.',
  rec: 'Recursive functions call themselves on a smaller input until they reach a base case.',
  str: 'Strings are immutable sequences of characters; slicing a string gives a new string.',
  cls: 'Classes bundle data and behaviour; an object is an instance of a class.',
  file: 'Files are opened with open(), read with read() and closed when the with block ends.',
  tuple: 'A tuple is an ordered, immutable collection; tuples are written with parentheses.',
  mod: 'The modulo operator % gives the remainder of an integer division.',
  imp: 'Import a module to reuse its functions; the math module provides sqrt and pi.',
  fstr: 'Formatted string literals, or f-strings, embed expressions inside braces in a string.',
};

/** Two modules: "python" holds the corpus, "extra" a few chunks per resource. */
function corpusChunks(): EngineChunk[] {
  return Object.entries(CORPUS).map(([id, text]) => ({ id, text, resourceId: `res-${id}`, moduleId: 'python' }));
}

async function engineWith(chunks: EngineChunk[]): Promise<RetrievalEngine> {
  const engine = await RetrievalEngine.create(new LocalHashingEmbedding());
  await engine.addChunks(chunks);
  return engine;
}

const top = async (engine: RetrievalEngine, query: string, mode: RetrievalMode = 'hybrid') =>
  (await engine.search(query, { k: 5, mode })).map((hit) => hit.chunkId);

/** An embedding that is not the local class, as a remote provider would be. */
class WrappedEmbedding extends BaseEmbedding {
  private readonly inner: LocalHashingEmbedding;
  constructor(
    readonly model: string,
    dimensions: number,
  ) {
    super();
    this.inner = new LocalHashingEmbedding({ dimensions });
  }
  async getTextEmbedding(text: string): Promise<number[]> {
    return this.inner.getTextEmbedding(text);
  }
}

describe('RetrievalEngine', () => {
  let engine: RetrievalEngine;
  let dir: string;

  beforeAll(async () => {
    engine = await engineWith(corpusChunks());
    dir = await mkdtemp(join(tmpdir(), 'engine-test-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should find by vector a passage that shares no word with the query, only character n-grams', async () => {
    const query = 'dictionnaire';
    const passageTerms = new Set(terms(CORPUS.dict));
    assert.ok(terms(query).every((term) => !passageTerms.has(term)));
    assert.deepEqual(await top(engine, query, 'keyword'), []);
    assert.equal((await top(engine, query, 'vector'))[0], 'dict');
  });

  it('should rank the right chunk first in hybrid mode even where keyword search alone fails', async () => {
    const expected: [string, string][] = [
      ['dictionnaire', 'dict'],
      ['recursoin', 'rec'],
      ['remaindr of a divison', 'mod'],
      ['how do I sort a list', 'sort'],
      ['list in order', 'sort'],
      ['exceptoin handling', 'exc'],
      ['tuples immuables', 'tuple'],
      ['press keys to copy', 'keyboard'],
      ['constant time lookup', 'dict'],
    ];
    const misses = { keyword: 0, vector: 0, hybrid: 0 };
    for (const [query, want] of expected) {
      for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
        if ((await top(engine, query, mode))[0] !== want) misses[mode]++;
      }
    }
    assert.equal(misses.hybrid, 0);
    assert.ok(misses.keyword >= 3, `keyword missed ${misses.keyword}`);
  });

  it('should score hits between 0 and 1, best first, with 1 for a chunk ranked first by both lists', async () => {
    const hits = await engine.search('how do I sort a list', { k: 5 });
    assert.equal(hits[0].score, 1);
    assert.equal(hits[0].keywordRank, 1);
    assert.equal(hits[0].vectorRank, 1);
    for (let i = 1; i < hits.length; i++) {
      assert.ok(hits[i].score <= hits[i - 1].score && hits[i].score > 0);
    }
  });

  it('should score a chunk found by similarity alone at half the best, with equal weights', async () => {
    const [hit] = await engine.search('dictionnaire', { k: 1 });
    assert.equal(hit.chunkId, 'dict');
    assert.equal(hit.keywordRank, undefined);
    assert.equal(hit.score, 0.5);
    const keywordHeavy = await RetrievalEngine.create(new LocalHashingEmbedding(), { hybrid: { keywordWeight: 3, vectorWeight: 1 } });
    await keywordHeavy.addChunks(corpusChunks());
    assert.equal((await keywordHeavy.search('dictionnaire', { k: 1 }))[0].score, 0.25);
  });

  it('should weigh a keyword candidate by its real similarity even when the vector list stops before it', async () => {
    // Read one candidate deep, "module remainder" finds imp by keyword and mod by vector.
    const shallow = await RetrievalEngine.create(new LocalHashingEmbedding(), { hybrid: { candidates: 1 } });
    await shallow.addChunks(corpusChunks());
    const [hit] = await shallow.search('module remainder', { k: 1 });
    assert.equal(hit.chunkId, 'imp');
    assert.equal(hit.vectorRank, undefined);
    assert.ok((hit.vectorSimilarity ?? 0) > 0);
    assert.ok(hit.score > 0.5);
  });

  it('should return only the requested module, and k results when it has that many', async () => {
    const extra: EngineChunk[] = Array.from({ length: 6 }, (_, i) => ({
      id: `extra-${i}`,
      text: `Lecture ${i} about lists of numbers and loops in a small module.`,
      resourceId: `extra-res-${i % 2}`,
      moduleId: 'extra',
    }));
    const local = await engineWith([...corpusChunks(), ...extra]);
    for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
      const hits = await local.search('how do I sort a list', { k: 5, moduleId: 'extra', mode });
      assert.equal(hits.length, 5, mode);
      assert.ok(
        hits.every((hit) => hit.chunkId.startsWith('extra-')),
        mode,
      );
    }
    const both = await local.search('sort a list', { k: 20, moduleId: ['extra', 'python'] });
    assert.ok(both.some((hit) => hit.chunkId === 'sort') && both.some((hit) => hit.chunkId.startsWith('extra-')));
    assert.deepEqual(await local.search('sort a list', { moduleId: 'nobody' }), []);
  });

  it('should make a removed resource unfindable in every mode', async () => {
    const local = await engineWith(corpusChunks());
    assert.equal(local.removeResource('res-dict'), 1);
    for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
      const ids = (await local.search('dictionary keys and values', { k: 15, mode })).map((h) => h.chunkId);
      assert.ok(!ids.includes('dict'), mode);
    }
    assert.equal(local.stats().chunks, Object.keys(CORPUS).length - 1);
    assert.equal(local.removeModule('python'), Object.keys(CORPUS).length - 1);
    assert.deepEqual(await local.search('list', { k: 5 }), []);
  });

  it('should replace a chunk indexed again under the same id', async () => {
    const local = await engineWith(corpusChunks());
    await local.addChunks([{ id: 'dict', text: 'Sets keep unique elements.', resourceId: 'res-dict', moduleId: 'python' }]);
    assert.equal(local.stats().chunks, Object.keys(CORPUS).length);
    assert.equal((await top(local, 'unique elements of sets'))[0], 'dict');
    assert.ok(!(await top(local, 'dictionary keys', 'keyword')).includes('dict'));
  });

  it('should answer the same after save and load, and report what it holds', async () => {
    await engine.save(dir);
    const loaded = await RetrievalEngine.load(dir, new LocalHashingEmbedding());
    for (const query of ['dictionnaire', 'how do I sort a list', 'immutable sequences']) {
      for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
        assert.deepEqual(await loaded.search(query, { k: 5, mode }), await engine.search(query, { k: 5, mode }));
      }
    }
    const withoutBytes = (stats: ReturnType<RetrievalEngine['stats']>) => ({ ...stats, vectorBytes: 0 });
    assert.deepEqual(withoutBytes(loaded.stats()), withoutBytes(engine.stats()));
    assert.deepEqual(withoutBytes(engine.stats()), {
      chunks: 15,
      resources: 15,
      modules: 1,
      dimensions: 384,
      embeddingModel: 'local-hash-v2',
      vectorStore: 'hnsw-int8',
      vectorBytes: 0,
    });
    const manifest = await RetrievalEngine.readManifest(dir);
    assert.equal(manifest?.embeddingModel, 'local-hash-v2');
    assert.equal(manifest?.dimensions, 384);
  });

  it('should load an index saved in format 1, whose vector file stores the chunk ids itself', async () => {
    const oldDir = await mkdtemp(join(tmpdir(), 'engine-format1-'));
    try {
      await engine.save(oldDir);
      const generation = join(oldDir, (await readFile(join(oldDir, 'CURRENT'), 'utf8')).trim());
      const manifest = JSON.parse(await readFile(join(generation, 'manifest.json'), 'utf8')) as { format: number };
      assert.equal(manifest.format, 2);
      // What format 1 wrote: the same files, but the vector file carries its ids as strings.
      await writeFile(join(generation, 'vectors.bin'), engine.vectorStore.serialize());
      await writeFile(join(generation, 'manifest.json'), JSON.stringify({ ...manifest, format: 1 }));
      const loaded = await RetrievalEngine.load(oldDir, new LocalHashingEmbedding());
      for (const query of ['how do I sort a list', 'immutable sequences']) {
        assert.deepEqual(await loaded.search(query, { k: 5 }), await engine.search(query, { k: 5 }));
      }
      assert.deepEqual({ ...loaded.stats(), vectorBytes: 0 }, { ...engine.stats(), vectorBytes: 0 });
      // A vector file of format 2 cannot be read without the keyword file's ids.
      await engine.save(oldDir);
      const current = join(oldDir, (await readFile(join(oldDir, 'CURRENT'), 'utf8')).trim());
      assert.throws(() => LocalVectorStore.deserialize(readFileSync(join(current, 'vectors.bin'))), CorruptIndexFileError);
    } finally {
      await rm(oldDir, { recursive: true, force: true });
    }
  });

  it('should keep serving the last complete save when a later save was interrupted', async () => {
    await engine.save(dir);
    // What a crash mid-save leaves: a half-written generation and a temporary file.
    await mkdir(join(dir, 'gen-9999999999999-dead'));
    await writeFile(join(dir, 'gen-9999999999999-dead', 'vectors.bin'), 'partial');
    await writeFile(join(dir, 'CURRENT.tmp-1-abcd'), 'gen-9999999999999-dead');
    const loaded = await RetrievalEngine.load(dir, new LocalHashingEmbedding());
    assert.equal(loaded.stats().chunks, 15);
    await loaded.save(dir);
    const left = await readdir(dir);
    assert.equal(left.filter((name) => name.startsWith('gen-')).length, 1);
    assert.ok(!left.some((name) => name.includes('.tmp-')));
  });

  it('should refuse to load an index built with another embedding model or dimension', async () => {
    await engine.save(dir);
    await assert.rejects(RetrievalEngine.load(dir, new LocalHashingEmbedding({ dimensions: 256 })), (error) => {
      assert.ok(error instanceof EmbeddingModelChanged);
      assert.deepEqual(error.indexed, { model: 'local-hash-v2', dimensions: 384 });
      assert.deepEqual(error.configured, { model: 'local-hash-v2', dimensions: 256 });
      return true;
    });
    await assert.rejects(RetrievalEngine.load(dir, new WrappedEmbedding('remote-embed-3', 384)), EmbeddingModelChanged);
    await assert.rejects(RetrievalEngine.load(join(dir, 'missing'), new LocalHashingEmbedding()), IndexNotFound);
  });

  it('should index and search through any LlamaIndex embedding, not only the local one', async () => {
    const remote = await RetrievalEngine.create(new WrappedEmbedding('remote-embed-3', 384));
    await remote.addChunks(corpusChunks());
    assert.equal(remote.stats().embeddingModel, 'remote-embed-3');
    assert.equal(remote.stats().dimensions, 384);
    assert.deepEqual(await top(remote, 'dictionnaire', 'vector'), await top(engine, 'dictionnaire', 'vector'));
  });
});
