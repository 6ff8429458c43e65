import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { ChunksRepository } from '../../src/index/chunks.repository';
import { Clock } from '../../src/common/clock';
import { IndexFeedRepository } from '../../src/index/index-feed.repository';
import { IndexService } from '../../src/index/index.service';
import { MovableClock } from '../support/movable-clock';
import { freshMongoUri, MONGODB_SKIP_REASON, MONGODB_TEST_URI } from '../support/mongo';
import { waitFor } from '../support/redis-server';
import { bearer, createCourseModule, loginAdmin, startTestApp, TestApp } from '../support/test-app';

const describeMongo = MONGODB_TEST_URI ? describe : describe.skip;

async function upload(t: TestApp, token: { accessToken: string }, moduleId: string, title: string, content: string): Promise<string> {
  const created = await t.http
    .post(`/api/admin/modules/${moduleId}/resources`)
    .set(bearer(token))
    .send({ title, content, format: 'markdown' });
  assert.equal(created.status, 201);
  return created.body.data.id as string;
}

async function topResource(t: TestApp, token: { accessToken: string }, q: string): Promise<string | undefined> {
  return (await t.http.get('/api/search').query({ q }).set(bearer(token))).body.data.results[0]?.resource_id as string | undefined;
}

describeMongo(`an instance that was stopped${MONGODB_TEST_URI ? '' : `: ${MONGODB_SKIP_REASON}`}`, () => {
  it('should catch up from its last applied entry of the feed when it starts again, before it serves', async () => {
    const uri = freshMongoUri('feed');
    const serving = await startTestApp({ mongodbUri: uri });
    let paused: TestApp | undefined = await startTestApp({ mongodbUri: uri });
    try {
      const admin = await loginAdmin(serving.http);
      const moduleId = await createCourseModule(serving, admin, 'Oceans');
      const kept = await upload(serving, admin, moduleId, 'Currents', '# Currents\n\nThe Gulf Stream carries warm water north.');
      const removed = await upload(serving, admin, moduleId, 'Reefs', '# Reefs\n\nCoral reefs bleach when the water warms.');
      await waitFor(async () => (await topResource(paused!, admin, 'coral reefs bleach')) === removed, 5_000);
      const { dataDir } = paused;
      await paused.close({ keepData: true });

      // While it is away: one document added, one deleted.
      const added = await upload(serving, admin, moduleId, 'Tides', "# Tides\n\nThe Moon's gravity raises the tides twice a day.");
      assert.equal((await serving.http.delete(`/api/admin/resources/${removed}`).set(bearer(admin))).status, 204);
      const head = await serving.app.get(IndexFeedRepository).head();

      paused = await startTestApp({ mongodbUri: uri, dataDir });
      const again = await loginAdmin(paused.http);
      // No waiting: what changed meanwhile is in its index as soon as it answers.
      assert.equal(await topResource(paused, again, 'moon gravity tides'), added);
      assert.equal(await topResource(paused, again, 'gulf stream warm water'), kept);
      const status = (await paused.http.get('/api/admin/index/status').set(bearer(again))).body.data;
      assert.equal(status.chunks, (await serving.http.get('/api/admin/index/status').set(bearer(admin))).body.data.chunks);
      assert.ok(
        !paused.logs().some((line) => String(line.msg).startsWith('Index generation')),
        'it applied the entries it missed instead of building its index again',
      );
      await paused.close({ keepData: true });
      const saved = JSON.parse(readFileSync(join(dataDir, 'index', 'feed.json'), 'utf8')) as { seq: number; generation: number };
      assert.deepEqual(saved, { seq: head.seq, generation: head.generation });
      paused = undefined;
    } finally {
      await paused?.close();
      await serving.close();
    }
  });
});

describeMongo(`an instance away longer than the feed keeps its entries${MONGODB_TEST_URI ? '' : `: ${MONGODB_SKIP_REASON}`}`, () => {
  it('should build its index again from the stored vectors when the entries it missed were pruned', async () => {
    const uri = freshMongoUri('feed-pruned');
    const clock = new MovableClock();
    const serving = await startTestApp({ mongodbUri: uri, override: (builder) => builder.overrideProvider(Clock).useValue(clock) });
    let away: TestApp | undefined = await startTestApp({ mongodbUri: uri });
    try {
      const admin = await loginAdmin(serving.http);
      const moduleId = await createCourseModule(serving, admin, 'Deserts');
      const removed = await upload(serving, admin, moduleId, 'Dunes', '# Dunes\n\nWind piles sand into crescent dunes.');
      await waitFor(async () => (await topResource(away!, admin, 'wind sand crescent dunes')) === removed, 5_000);
      const { dataDir } = away;
      await away.close({ keepData: true });

      const added = await upload(serving, admin, moduleId, 'Oases', '# Oases\n\nAn oasis forms where groundwater reaches the surface.');
      assert.equal((await serving.http.delete(`/api/admin/resources/${removed}`).set(bearer(admin))).status, 204);
      const feed = serving.app.get(IndexFeedRepository);
      const before = await feed.head();
      // A week later (the default retention is 168 hours), every entry so far goes.
      clock.advance(169 * 3_600_000);
      assert.equal(await serving.app.get(IndexService).pruneFeed(), before.seq);
      assert.deepEqual(await feed.after(0, 10), []);
      assert.equal((await feed.head()).prunedThrough, before.seq);

      away = await startTestApp({ mongodbUri: uri, dataDir });
      const again = await loginAdmin(away.http);
      assert.equal(await topResource(away, again, 'oasis groundwater surface'), added);
      assert.notEqual(await topResource(away, again, 'wind sand crescent dunes'), removed);
      assert.ok(
        away.logs().some((line) => String(line.msg).includes('were pruned before this instance applied them')),
        'it says why it builds its index again',
      );
      // The serving instance had applied everything it pruned: it keeps its index.
      assert.equal(await topResource(serving, admin, 'oasis groundwater surface'), added);
    } finally {
      await away?.close();
      await serving.close();
    }
  });
});

describe('a data directory of a version that kept chunks in NeDB, without their vectors', () => {
  it('should move the chunks into the record store, embed them again at start, by itself, and find them', async () => {
    const first = await startTestApp();
    const admin = await loginAdmin(first.http);
    const moduleId = await createCourseModule(first, admin, 'Volcanoes');
    const resourceId = await upload(first, admin, moduleId, 'Magma', '# Magma\n\nMagma that reaches the surface is called lava.');
    const chunks = await first.app.get(ChunksRepository).findByResource(resourceId);
    assert.ok(chunks.length > 0);
    await first.close({ keepData: true });
    // The chunks as that version stored them: in NeDB's chunks.db, text only, no vector.
    rmSync(join(first.dataDir, 'records.lmdb'), { force: true });
    rmSync(join(first.dataDir, 'records.lmdb-lock'), { force: true });
    const old = new Datastore({ filename: join(first.dataDir, 'chunks.db') });
    await old.loadDatabaseAsync();
    await old.insertAsync(chunks.map(({ id, embedding: _vector, embeddingModel: _model, ...rest }) => ({ _id: id, ...rest })));

    const second = await startTestApp({ dataDir: first.dataDir });
    try {
      const again = await loginAdmin(second.http);
      await waitFor(
        async () => {
          const status = (await second.http.get('/api/admin/index/status').set(bearer(again))).body.data;
          return status.rebuild_required === null && status.last_rebuild_at !== null;
        },
        15_000,
        50,
      );
      assert.equal(await topResource(second, again, 'magma surface lava'), resourceId);
      const moved = await second.app.get(ChunksRepository).findByResource(resourceId);
      assert.deepEqual(
        moved.map((c) => c.text),
        chunks.map((c) => c.text),
      );
      assert.ok(
        moved.every((c) => c.embedding !== null),
        'every chunk has its vector again',
      );
      assert.equal(existsSync(join(first.dataDir, 'chunks.db')), false, 'the NeDB file is gone once its chunks moved');
    } finally {
      await second.close();
    }
  });
});
