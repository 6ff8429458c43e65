import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { waitFor, redisKeys, SHARED_REDIS_URL } from '../support/redis-server';
import { startFakeAzureOpenAI } from '../support/fake-azure-openai';
import { bearer, createCourseModule, loginAdmin, register, startTestApp } from '../support/test-app';

describe('index lifecycle', () => {
  it('should load the demo course on a first development start, searchable at once', async () => {
    const t = await startTestApp({ env: { SEED_DEMO_CONTENT: 'true' } });
    try {
      const student = await register(t.http);
      await waitFor(
        async () => {
          const modules = (await t.http.get('/api/modules').set(bearer(student))).body.data.items as { resource_count: number }[];
          return modules.length === 2 && modules.every((m) => m.resource_count === 4);
        },
        60_000,
        200,
      );
      await waitFor(
        async () =>
          (await t.http.get('/api/search').query({ q: 'What does range(5) produce?' }).set(bearer(student))).body.data.results.length > 0,
        30_000,
        200,
      );
      const found = await t.http.get('/api/search').query({ q: 'What does range(5) produce?', k: 3 }).set(bearer(student));
      assert.ok(found.body.data.results.some((p: { text: string }) => /range\(5\)/.test(p.text)));
    } finally {
      await t.close();
    }
  });

  it('should detect a changed embedding model at start and rebuild instead of mixing vectors', async () => {
    const fake = await startFakeAzureOpenAI({ dimensions: 64 });
    const first = await startTestApp();
    try {
      const admin = await loginAdmin(first.http);
      await createCourseModule(first, admin, 'Tides', "# Tides\n\nThe Moon's gravity raises the tides twice a day.");
      await first.close({ keepData: true });

      const second = await startTestApp({
        dataDir: first.dataDir,
        env: { EMBEDDING_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: fake.openaiBaseUrl, OPENAI_EMBEDDING_MODEL: 'fake-embedding' },
      });
      try {
        const again = await loginAdmin(second.http);
        // The rebuild starts by itself and re-embeds every stored chunk with the new model.
        await waitFor(
          async () => {
            const status = (await second.http.get('/api/admin/index/status').set(bearer(again))).body.data;
            return status.rebuild_required === null && status.chunks > 0 && status.last_rebuild_at !== null;
          },
          20_000,
          100,
        );
        const status = (await second.http.get('/api/admin/index/status').set(bearer(again))).body.data;
        assert.equal(status.dimensions, 64);
        assert.equal(status.embedding_model, 'fake-embedding');
        assert.ok(fake.requests.some((r) => r.path.includes('/embeddings')));
        const found = await second.http.get('/api/search').query({ q: 'moon gravity tides' }).set(bearer(again));
        assert.equal(found.status, 200);
        assert.ok(found.body.data.results.length > 0);
      } finally {
        await second.close();
      }
    } finally {
      await fake.close();
    }
  });

  it('should queue the rebuild on BullMQ in Redis, one at a time across instances', async () => {
    const prefix = `lock-test-${process.pid}-${Date.now()}:`;
    const t = await startTestApp({ env: { REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix, INDEX_REBUILD_PAUSE_MS: '1000' } });
    try {
      const admin = await loginAdmin(t.http);
      await createCourseModule(t, admin, 'Rivers', '# Rivers\n\nRivers carry water back to the sea.');
      const started = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
      assert.ok(
        (await redisKeys(SHARED_REDIS_URL, `${prefix}jobs:jobs:${started.body.data.id as string}`)).length === 1,
        'the job is in Redis',
      );
      const again = await t.http.post('/api/admin/index/rebuild').set(bearer(admin));
      assert.equal(again.body.data.id, started.body.data.id);
      await waitFor(
        async () => (await t.http.get(`/api/admin/index/jobs/${started.body.data.id}`).set(bearer(admin))).body.data.status === 'succeeded',
        20_000,
        100,
      );
      assert.deepEqual(await redisKeys(SHARED_REDIS_URL, `${prefix}lock:*`), [], 'no lock is left behind');
    } finally {
      await t.close();
    }
  });
});
