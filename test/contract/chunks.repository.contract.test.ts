import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { newId } from '../../src/common/ids';
import { Chunk, ChunksRepository } from '../../src/index/chunks.repository';
import { EmbeddedChunksRepository } from '../../src/index/embedded-chunks.repository';
import { StoredChunksRepository } from '../../src/index/stored-chunks.repository';
import { DocumentStore, DuplicateKeyError } from '../../src/infrastructure/persistence/document-store';
import { EmbeddedRecordStore } from '../../src/infrastructure/persistence/embedded/embedded-record-store';
import { describeEachStore } from '../support/stores';

const MODEL = 'local-hashing@384';

function chunksOf(resourceId: string, moduleId: string, count: number, overrides: Partial<Chunk> = {}): Chunk[] {
  return Array.from({ length: count }, (_, position) => ({
    id: newId(),
    resourceId,
    moduleId,
    position,
    text: `Passage ${position} of ${resourceId}`,
    page: null,
    heading: null,
    embedding: 'AAAAAA==',
    embeddingModel: MODEL,
    ...overrides,
  }));
}

async function walk(chunks: ChunksRepository, filter: Parameters<ChunksRepository['page']>[2], pageSize: number): Promise<string[]> {
  const seen: string[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page = await chunks.page(afterId, pageSize, filter);
    if (page.length === 0) return seen;
    seen.push(...page.map((c) => c.id));
    afterId = page[page.length - 1]!.id;
  }
}

/** The same behaviour from MongoDB's `chunks` collection and from the embedded store's LMDB. */
describeEachStore('ChunksRepository', (harness) => {
  let store: DocumentStore;
  let records: EmbeddedRecordStore | undefined;
  let chunks: ChunksRepository;
  const dir = mkdtempSync(join(tmpdir(), 'lp-chunks-'));
  const moduleA = newId();
  const moduleB = newId();
  const first = newId();
  const second = newId();
  const third = newId();

  beforeAll(async () => {
    store = await harness().open();
    if (harness().kind === 'embedded') {
      records = new EmbeddedRecordStore(dir);
      chunks = await EmbeddedChunksRepository.open(records);
    } else chunks = new StoredChunksRepository(store);
    // Given out of position order: findByResource still answers in position order.
    await chunks.insertMany(chunksOf(first, moduleA, 5).reverse());
    await chunks.insertMany(chunksOf(second, moduleA, 3, { embeddingModel: 'another@384' }));
    await chunks.insertMany(chunksOf(third, moduleB, 4, { embedding: null, embeddingModel: null }));
  });
  afterAll(async () => {
    await records?.close();
    await harness().close(store);
    await harness().dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("should give a resource's chunks in position order, and only the ids that exist", async () => {
    const found = await chunks.findByResource(first);
    assert.deepEqual(
      found.map((c) => c.position),
      [0, 1, 2, 3, 4],
    );
    assert.equal(found[2]!.text, `Passage 2 of ${first}`);
    const byIds = await chunks.findByIds([found[1]!.id, newId(), found[3]!.id]);
    assert.deepEqual(byIds.map((c) => c.id).sort(), [found[1]!.id, found[3]!.id].sort());
    assert.equal(await chunks.count(), 12);
  });

  it('should walk every chunk, a module, or one model, in id order, a page at a time', async () => {
    const all = await walk(chunks, {}, 5);
    assert.equal(all.length, 12);
    assert.deepEqual(all, [...all].sort());
    assert.equal(new Set(all).size, 12);
    assert.equal((await walk(chunks, { moduleId: moduleA }, 3)).length, 8);
    assert.equal((await walk(chunks, { moduleId: moduleB }, 3)).length, 4);
    const current = await walk(chunks, { embeddingModel: MODEL }, 2);
    assert.deepEqual(current.sort(), (await chunks.findByResource(first)).map((c) => c.id).sort());
  });

  it("should count another model's vectors as stale, not those waiting for their first, and follow setEmbeddings", async () => {
    assert.equal(await chunks.countStale(MODEL), 3);
    const others = await chunks.findByResource(second);
    await chunks.setEmbeddings(
      others.map((c) => c.id),
      others.map(() => 'AQIDBA=='),
      MODEL,
    );
    assert.equal(await chunks.countStale(MODEL), 0);
    assert.equal((await walk(chunks, { embeddingModel: MODEL }, 4)).length, 8);
    const updated = await chunks.findByResource(second);
    assert.ok(updated.every((c) => c.embedding === 'AQIDBA==' && c.embeddingModel === MODEL));
    assert.equal(await chunks.countStale('newer@768'), 8);
  });

  it('should refuse a batch holding an id already stored', async () => {
    const [existing] = await chunks.findByResource(first);
    const batch = [...chunksOf(newId(), moduleB, 2), { ...existing!, position: 9 }];
    await assert.rejects(chunks.insertMany(batch), DuplicateKeyError);
    if (harness().kind === 'embedded') assert.equal(await chunks.count(), 12, 'the embedded store writes none of the batch');
  });

  it('should delete a resource, then a module, from every way of finding them', async () => {
    const before = await chunks.count();
    assert.equal(await chunks.deleteByResource(first), 5);
    assert.deepEqual(await chunks.findByResource(first), []);
    assert.equal(await chunks.count(), before - 5);
    assert.equal((await walk(chunks, { moduleId: moduleA }, 10)).length, 3);
    const inB = (await walk(chunks, { moduleId: moduleB }, 10)).length;
    assert.ok(inB >= 4);
    assert.equal(await chunks.deleteByModule(moduleB), inB);
    assert.deepEqual(await walk(chunks, { moduleId: moduleB }, 10), []);
    assert.equal((await walk(chunks, { embeddingModel: MODEL }, 10)).length, 3);
    assert.equal(await chunks.deleteByResource(newId()), 0);
  });
});

describe('EmbeddedChunksRepository', () => {
  it('should keep its chunks across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lp-chunks-'));
    try {
      const resourceId = newId();
      const records = new EmbeddedRecordStore(dir);
      await (await EmbeddedChunksRepository.open(records)).insertMany(chunksOf(resourceId, newId(), 3));
      await records.close();
      const again = new EmbeddedRecordStore(dir);
      const texts = (await (await EmbeddedChunksRepository.open(again)).findByResource(resourceId)).map((c) => c.text);
      await again.close();
      assert.deepEqual(
        texts,
        [0, 1, 2].map((i) => `Passage ${i} of ${resourceId}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("should move an earlier version's NeDB chunks in once, those without vectors counted stale", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lp-chunks-'));
    try {
      const resourceId = newId();
      const moduleId = newId();
      const old = new Datastore({ filename: join(dir, 'chunks.db') });
      await old.loadDatabaseAsync();
      // As the first release stored them: no vector fields at all.
      await old.insertAsync(
        [0, 1, 2].map((position) => ({
          _id: newId(),
          resourceId,
          moduleId,
          position,
          text: `Old passage ${position}`,
          page: null,
          heading: null,
        })),
      );
      const { id: withVectorId, ...withVector } = chunksOf(newId(), moduleId, 1)[0]!;
      await old.insertAsync({ _id: withVectorId, ...withVector });

      const records = new EmbeddedRecordStore(dir);
      const chunks = await EmbeddedChunksRepository.open(records);
      assert.equal(existsSync(join(dir, 'chunks.db')), false);
      assert.deepEqual(
        (await chunks.findByResource(resourceId)).map((c) => c.text),
        ['Old passage 0', 'Old passage 1', 'Old passage 2'],
      );
      assert.equal(await chunks.countStale(MODEL), 3);
      assert.equal((await chunks.findByIds([withVectorId]))[0]?.embedding, withVector.embedding);
      await records.close();

      const again = new EmbeddedRecordStore(dir);
      assert.equal(await (await EmbeddedChunksRepository.open(again)).count(), 4, 'nothing moved twice');
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
