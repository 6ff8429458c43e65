import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { newId } from '../../src/common/ids';
import { LocalHashingEmbedding } from '../../src/index/engine';
import { JobsRepository } from '../../src/index/jobs.repository';
import { waitFor } from '../support/redis-server';
import { Account, bearer, errorCode, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';

const LESSON = (topic: string, i: number) =>
  `## ${topic} part ${i}\n\nThe ${topic} fact number ${i} is that ${topic} matters in lesson ${i}.\n`;

async function seedModule(t: TestApp, admin: Account, title: string, body: string): Promise<{ moduleId: string; resourceId: string }> {
  const moduleId = (await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title })).body.data.id as string;
  const resource = await t.http
    .post(`/api/admin/modules/${moduleId}/resources`)
    .set(bearer(admin))
    .send({ title, content: body, format: 'markdown' });
  assert.equal(resource.status, 201);
  await waitFor(
    async () => (await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin))).body.data.items[0].status === 'indexed',
    10_000,
  );
  return { moduleId, resourceId: resource.body.data.id as string };
}

describe('index rebuild', () => {
  let t: TestApp;
  let admin: Account;
  beforeAll(async () => {
    // A pause between pages keeps the job running long enough to be observed.
    t = await startTestApp({ env: { INDEX_REBUILD_PAUSE_MS: '1500' } });
    admin = await loginAdmin(t.http);
    await seedModule(t, admin, 'Volcanoes', `# Volcanoes\n\n${Array.from({ length: 20 }, (_, i) => LESSON('magma', i)).join('\n')}`);
  });
  afterAll(() => t.close());

  it('should run one rebuild at a time, report progress, keep search answering, then switch', async () => {
    const started = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(started.status, 202);
    const job = started.body.data;
    assert.deepEqual(Object.keys(job).sort(), ['error', 'finished_at', 'id', 'progress', 'started_at', 'status']);
    assert.ok(['queued', 'running'].includes(job.status));

    // Asking again, by POST or by the deprecated GET, answers with the same job.
    const again = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    const alias = await t.http.get('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(again.status, 202);
    assert.equal(alias.status, 202);
    assert.equal(again.body.data.id, job.id);
    assert.equal(alias.body.data.id, job.id);

    const during = await t.http.get(`/api/admin/index/jobs/${job.id}`).set(bearer(admin));
    assert.equal(during.body.data.status, 'running');
    const search = await t.http.get('/api/search').query({ q: 'magma fact' }).set(bearer(admin));
    assert.equal(search.status, 200);
    assert.ok(search.body.data.results.length > 0, 'search answers from the current index during the rebuild');

    await waitFor(
      async () => (await t.http.get(`/api/admin/index/jobs/${job.id}`).set(bearer(admin))).body.data.status === 'succeeded',
      20_000,
      100,
    );
    const done = (await t.http.get(`/api/admin/index/jobs/${job.id}`).set(bearer(admin))).body.data;
    assert.equal(done.progress.processed, done.progress.total);
    assert.ok(done.progress.total > 0);
    assert.ok(done.finished_at >= done.started_at);
    const status = await t.http.get('/api/admin/index/status').set(bearer(admin));
    assert.equal(status.body.data.last_rebuild_at, done.finished_at);
    assert.equal(status.body.data.chunks, done.progress.total);
    const embedding = new LocalHashingEmbedding();
    assert.equal(status.body.data.embedding_model, embedding.model);
    assert.equal(status.body.data.dimensions, embedding.embedInfo?.dimensions);
    assert.equal((await t.http.get('/api/search').query({ q: 'magma fact' }).set(bearer(admin))).body.data.results.length > 0, true);
  });

  it('should keep a resource added during a rebuild in the new index', async () => {
    const started = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    const { resourceId } = await seedModule(
      t,
      admin,
      'Glaciers',
      '# Glaciers\n\nA glacier moves downhill under its own weight, grinding the moraine.',
    );
    await waitFor(
      async () => (await t.http.get(`/api/admin/index/jobs/${started.body.data.id}`).set(bearer(admin))).body.data.status === 'succeeded',
      20_000,
      100,
    );
    const found = await t.http.get('/api/search').query({ q: 'glacier moraine' }).set(bearer(admin));
    assert.equal(found.body.data.results[0].resource_id, resourceId);
  });

  it('should keep the index endpoints for admins only and answer 404 to unknown jobs', async () => {
    const student = await register(t.http);
    for (const [method, path] of [
      ['post', '/api/admin/index/rebuild'],
      ['get', '/api/admin/index/status'],
    ] as const) {
      const response = await t.http[method](path).set(bearer(student));
      assert.equal(response.status, 403);
    }
    const unknown = await t.http.get(`/api/admin/index/jobs/${newId()}`).set(bearer(admin));
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), 'not_found');
  });
});

describe('index across restarts', () => {
  it('should find documents after a restart and finish the rebuild a stopped process left running', async () => {
    const first = await startTestApp();
    const admin = await loginAdmin(first.http);
    const { resourceId } = await seedModule(first, admin, 'Tides', "# Tides\n\nThe Moon's gravity raises the tides twice a day.");
    const jobs = first.app.get(JobsRepository);
    const abandoned = await jobs.create({
      id: newId(),
      kind: 'index.rebuild',
      status: 'running',
      processed: 3,
      total: 10,
      error: null,
      runner: 'a-process-that-crashed',
      createdBy: null,
      createdAt: new Date(),
      startedAt: new Date(),
      finishedAt: null,
    });
    await first.close({ keepData: true });

    const second = await startTestApp({ dataDir: first.dataDir });
    try {
      const again = await loginAdmin(second.http);
      const found = await second.http.get('/api/search').query({ q: 'moon gravity tides' }).set(bearer(again));
      assert.equal(found.body.data.results[0].resource_id, resourceId);
      // Taken over at start, never left running.
      await waitFor(
        async () => (await second.http.get(`/api/admin/index/jobs/${abandoned.id}`).set(bearer(again))).body.data.status === 'succeeded',
        10_000,
        100,
      );
      const job = (await second.http.get(`/api/admin/index/jobs/${abandoned.id}`).set(bearer(again))).body.data;
      assert.equal(job.progress.processed, job.progress.total);
      assert.equal(job.error, null);
    } finally {
      await second.close();
    }
  });
});
