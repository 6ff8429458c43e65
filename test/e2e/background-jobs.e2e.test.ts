import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { newId } from '../../src/common/ids';
import { JobsRepository } from '../../src/index/jobs.repository';
import { FakeAzureOpenAI, startFakeAzureOpenAI } from '../support/fake-azure-openai';
import { redisKeys, SHARED_REDIS_URL, waitFor } from '../support/redis-server';
import { Account, bearer, loginAdmin, startTestApp, TestApp } from '../support/test-app';

const BACKOFF_MS = 300;
const ATTEMPTS = 3;

/** A document of many chunks: above INDEX_BACKGROUND_CHUNKS, so it is indexed by a background job. */
function longDocument(topic: string): string {
  const sections = Array.from(
    { length: 12 },
    (_, i) =>
      `## ${topic} section ${i}\n\n` +
      Array.from(
        { length: 12 },
        (_, j) => `In part ${i} the ${topic} sentence ${j} explains one more detail of ${topic} number ${i}.`,
      ).join(' '),
  );
  return `# ${topic}\n\n${sections.join('\n\n')}\n`;
}

const drivers: [string, () => Record<string, string>][] = [
  ['in the process', () => ({})],
  ['on BullMQ', () => ({ REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: `jobs-test-${process.pid}-${Date.now()}:` })],
];

describe.each(drivers)('background jobs %s', (driver, driverEnv) => {
  let fake: FakeAzureOpenAI;
  let t: TestApp;
  let admin: Account;
  let moduleId: string;
  const env = driverEnv();

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI({ dimensions: 16 });
    t = await startTestApp({
      env: {
        ...env,
        EMBEDDING_PROVIDER: 'openai-compatible',
        OPENAI_BASE_URL: fake.openaiBaseUrl,
        OPENAI_EMBEDDING_MODEL: 'fake-embedding',
        LLM_MAX_RETRIES: '0',
        INDEX_BACKGROUND_CHUNKS: '4',
        JOBS_ATTEMPTS: String(ATTEMPTS),
        JOBS_BACKOFF_MS: String(BACKOFF_MS),
      },
    });
    admin = await loginAdmin(t.http);
    moduleId = (await t.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Geology' })).body.data.id as string;
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const upload = (title: string, content: string) =>
    t.http.post(`/api/admin/modules/${moduleId}/resources`).set(bearer(admin)).send({ title, content, format: 'markdown' });
  const resource = async (id: string) =>
    ((await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin))).body.data.items as { id: string }[]).find(
      (r) => r.id === id,
    ) as { id: string; status: string; error: string | null; chunk_count: number };
  const embeddingRequests = () => fake.requests.filter((r) => r.route === 'embeddings');

  it('should answer a large upload 201 pending, then index it in the background', async () => {
    const created = await upload('Basalt', longDocument('basalt'));
    assert.equal(created.status, 201);
    assert.equal(created.body.data.status, 'pending');
    assert.ok(created.body.data.chunk_count > 4, `a large document (${created.body.data.chunk_count} chunks)`);
    await waitFor(async () => (await resource(created.body.data.id)).status === 'indexed', 15_000, 50);
    const found = await t.http.get('/api/search').query({ q: 'basalt sentence detail', k: 3 }).set(bearer(admin));
    assert.equal(found.body.data.results[0].resource_id, created.body.data.id);
  });

  it('should index a small upload before answering', async () => {
    const created = await upload('Quartz', '# Quartz\n\nQuartz is a hard mineral made of silica.');
    assert.equal(created.status, 201);
    assert.equal(created.body.data.status, 'indexed');
    const found = await t.http.get('/api/search').query({ q: 'quartz silica' }).set(bearer(admin));
    assert.equal(found.body.data.results[0].resource_id, created.body.data.id);
  });

  it('should retry a failed embedding with growing pauses until it succeeds', async () => {
    fake.reset();
    fake.setDefault('embeddings', () => ({ type: 'error', status: 500, message: 'embedding backend down' }));
    const created = await upload('Granite', longDocument('granite'));
    assert.equal(created.body.data.status, 'pending');
    await fake.waitForRequests(2, 10_000);
    assert.equal((await resource(created.body.data.id)).status, 'pending', 'still pending while attempts remain');
    const [first, second] = embeddingRequests();
    assert.ok(second!.receivedAt - first!.receivedAt >= BACKOFF_MS * 0.9, 'the retry waited for the backoff');
    fake.reset();
    await waitFor(async () => (await resource(created.body.data.id)).status === 'indexed', 15_000, 50);
    const found = await t.http.get('/api/search').query({ q: 'granite sentence detail', k: 3 }).set(bearer(admin));
    assert.equal(found.body.data.results[0].resource_id, created.body.data.id);
  });

  it('should leave the resource failed, with the reason, after the last attempt', async () => {
    fake.reset();
    fake.setDefault('embeddings', () => ({ type: 'error', status: 500, message: 'embedding backend down' }));
    const created = await upload('Marble', longDocument('marble'));
    await waitFor(async () => (await resource(created.body.data.id)).status === 'failed', 15_000, 50);
    const failed = await resource(created.body.data.id);
    assert.equal(failed.error, 'The embedding service is unavailable.');
    assert.equal(embeddingRequests().length, ATTEMPTS, 'one embedding call per attempt, no more');
    const [a, b, c] = embeddingRequests().map((r) => r.receivedAt);
    assert.ok(c! - b! > b! - a!, 'each pause is longer than the one before');
    fake.reset();
  });

  it('should index a small upload in the background when its embedding fails at once', async () => {
    fake.reset();
    fake.enqueue('embeddings', { type: 'error', status: 500, message: 'a brief outage' });
    const created = await upload('Slate', '# Slate\n\nSlate splits into thin flat sheets.');
    assert.equal(created.status, 201);
    assert.equal(created.body.data.status, 'pending');
    await waitFor(async () => (await resource(created.body.data.id)).status === 'indexed', 15_000, 50);
  });

  it('should report job outcomes and the queue depth in /metrics', async () => {
    let text = '';
    const value = (pattern: RegExp) => Number(text.match(pattern)?.[1] ?? NaN);
    // A resource shows `indexed` a moment before its job reports back.
    await waitFor(async () => {
      text = (await t.http.get('/metrics')).text;
      return value(/background_jobs_queued\{state="active"\} (\d+)/) === 0;
    }, 5_000);
    assert.equal(value(/background_jobs_total\{job="resource\.index",outcome="completed"\} (\d+)/), 3);
    assert.ok(value(/background_jobs_total\{job="resource\.index",outcome="retried"\} (\d+)/) >= ATTEMPTS);
    assert.equal(value(/background_jobs_total\{job="resource\.index",outcome="failed"\} (\d+)/), 1);
    for (const state of ['waiting', 'active', 'delayed']) {
      assert.equal(value(new RegExp(`background_jobs_queued\\{state="${state}"\\} (\\d+)`)), 0, `${state} jobs`);
    }
  });

  it('should record as failed a rebuild the queue no longer holds, and start a new one', async () => {
    const lost = await t.app.get(JobsRepository).create({
      id: newId(),
      kind: 'index.rebuild',
      status: 'running',
      processed: 1,
      total: 10,
      error: null,
      runner: 'an-instance-that-died',
      createdBy: null,
      createdAt: new Date(),
      startedAt: new Date(),
      finishedAt: null,
    });
    const shown = await t.http.get(`/api/admin/index/jobs/${lost.id}`).set(bearer(admin));
    assert.equal(shown.body.data.status, 'failed');
    assert.match(shown.body.data.error, /given up/);
    const started = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(started.status, 202);
    assert.notEqual(started.body.data.id, lost.id);
    await waitFor(
      async () => (await t.http.get(`/api/admin/index/jobs/${started.body.data.id}`).set(bearer(admin))).body.data.status === 'succeeded',
      15_000,
      50,
    );
  });

  if (driver === 'on BullMQ') {
    it('should keep the jobs in Redis under the key prefix', async () => {
      const keys = await redisKeys(SHARED_REDIS_URL, `${env.REDIS_KEY_PREFIX}jobs:*`);
      assert.ok(
        keys.some((key) => key.startsWith(`${env.REDIS_KEY_PREFIX}jobs:jobs:`)),
        keys.join(', '),
      );
    });
  }
});
