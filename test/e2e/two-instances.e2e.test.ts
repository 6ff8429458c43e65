import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { AppProcess, startAppProcess } from '../support/app-process';
import { dropMongoDatabase, freshMongoUri, MONGODB_SKIP_REASON, MONGODB_TEST_URI } from '../support/mongo';
import { SHARED_REDIS_URL, waitFor } from '../support/redis-server';
import { Account, bearer, loginAdmin } from '../support/test-app';

const describeMongo = MONGODB_TEST_URI ? describe : describe.skip;

/** What any instance changed must reach every other one within this long (issue #13). */
const VISIBLE_WITHIN_MS = 5_000;

async function timeUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(check, timeoutMs, 20);
  return Date.now() - started;
}

/**
 * Two `node dist/src/main.js` processes on one database and one Redis, as behind a load balancer:
 * each keeps its own local index under its own DATA_DIR, and both follow the shared one.
 */
describeMongo(`two instances of the application${MONGODB_TEST_URI ? '' : `: ${MONGODB_SKIP_REASON}`}`, () => {
  let uri: string;
  let first: AppProcess;
  let second: AppProcess;
  let admin: Account;
  let moduleId: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    uri = freshMongoUri('instances');
    env = {
      MONGODB_URI: uri,
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_KEY_PREFIX: `instances-${process.pid}-${Date.now()}:`,
      // A dead instance's job is noticed within seconds rather than BullMQ's default half minute.
      JOBS_LOCK_MS: '2000',
      // Rebuilds pause between pages of chunks, so one can be caught running.
      INDEX_REBUILD_PAUSE_MS: '2500',
    };
    first = await startAppProcess(env);
    second = await startAppProcess(env);
    admin = await loginAdmin(first.http);
    moduleId = (await first.http.post('/api/admin/modules').set(bearer(admin)).send({ title: 'Astronomy' })).body.data.id as string;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await dropMongoDatabase(uri);
  });

  const search = async (instance: AppProcess, q: string) =>
    (await instance.http.get('/api/search').query({ q, k: 5 }).set(bearer(admin))).body.data.results as { resource_id: string }[];
  const status = async (instance: AppProcess) =>
    (await instance.http.get('/api/admin/index/status').set(bearer(admin))).body.data as { chunks: number; generation: number };
  const upload = async (instance: AppProcess, title: string, content: string) => {
    const created = await instance.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(admin))
      .send({ title, content, format: 'markdown' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.data as { id: string; status: string; chunk_count: number };
  };

  it('should find through the second instance what was uploaded through the first, within 5 seconds', async () => {
    const planets = ['mercury', 'venus', 'mars', 'jupiter', 'saturn', 'uranus', 'neptune'];
    const latencies: number[] = [];
    for (const planet of planets) {
      const resource = await upload(first, planet, `# ${planet}\n\nThe planet ${planet} has its own ${planet}ian orbit and moons.`);
      assert.equal(resource.status, 'indexed');
      latencies.push(
        await timeUntil(async () => (await search(second, `${planet} orbit`))[0]?.resource_id === resource.id, VISIBLE_WITHIN_MS),
      );
    }
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `cross-instance visibility over ${latencies.length} uploads: median ${latencies[latencies.length >> 1]} ms, max ${latencies.at(-1)} ms\n`,
    );
  });

  it("should take a document deleted through the second instance out of the first one's index", async () => {
    const resource = await upload(first, 'Comets', '# Comets\n\nA comet grows a tail of gas and dust near the Sun.');
    await waitFor(async () => (await status(second)).chunks === (await status(first)).chunks, VISIBLE_WITHIN_MS, 20);
    const before = (await status(first)).chunks;

    const deleted = await second.http.delete(`/api/admin/resources/${resource.id}`).set(bearer(admin));
    assert.equal(deleted.status, 204);
    await timeUntil(async () => (await status(first)).chunks === before - resource.chunk_count, VISIBLE_WITHIN_MS);
    assert.deepEqual(
      (await search(first, 'comet tail gas dust')).filter((p) => p.resource_id === resource.id),
      [],
    );
  });

  it('should serve the new generation on the second instance once a rebuild through the first has finished', async () => {
    const generation = (await status(second)).generation;
    assert.equal((await status(first)).generation, generation);
    const started = await first.http.post('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(started.status, 202);
    // Asked through the other instance meanwhile: the same job, not a second rebuild.
    const again = await second.http.post('/api/admin/index/rebuild').set(bearer(admin));
    assert.equal(again.body.data.id, started.body.data.id);

    await waitFor(
      async () =>
        (await second.http.get(`/api/admin/index/jobs/${started.body.data.id}`).set(bearer(admin))).body.data.status === 'succeeded',
      30_000,
      50,
    );
    // Either instance may have run it; both serve the new generation within seconds.
    for (const instance of [first, second]) {
      await timeUntil(async () => (await status(instance)).generation === generation + 1, VISIBLE_WITHIN_MS);
    }
    assert.equal((await status(second)).chunks, (await status(first)).chunks);
    assert.ok((await search(second, 'jupiter orbit')).length > 0);
  }, 60_000);

  it('should finish on the other instance a rebuild whose instance was killed in the middle', async () => {
    // More chunks than one page of the rebuild (256), so it pauses between pages.
    const sections = Array.from({ length: 300 }, (_, i) => `## Star ${i}\n\nStar number ${i} shines in constellation ${i % 88}.`);
    const catalogue = await upload(first, 'Star catalogue', `# Stars\n\n${sections.join('\n\n')}\n`);
    assert.ok(catalogue.chunk_count > 256, `${catalogue.chunk_count} chunks`);
    await waitFor(async () => (await status(second)).chunks >= catalogue.chunk_count, 60_000, 100);
    const generation = (await status(second)).generation;

    const started = (await first.http.post('/api/admin/index/rebuild').set(bearer(admin))).body.data as { id: string };
    const job = async (instance: AppProcess) =>
      (await instance.http.get(`/api/admin/index/jobs/${started.id}`).set(bearer(admin))).body.data as {
        status: string;
        progress: { processed: number; total: number };
      };
    await waitFor(async () => (await job(first)).progress.processed > 0, 30_000, 20);
    const runsIt = (instance: AppProcess) => instance.logs().some((l) => String(l.msg).includes(`Rebuilding the index: job ${started.id}`));
    const [victim, survivor] = runsIt(first) ? [first, second] : [second, first];
    assert.ok(runsIt(victim) && !runsIt(survivor));
    await victim.kill();
    const killedAt = Date.now();

    assert.equal((await job(survivor)).status, 'running', 'the job is still running when its instance dies');
    await waitFor(async () => (await job(survivor)).status === 'succeeded', 60_000, 50);
    const takeover = Date.now() - killedAt;
    assert.ok(runsIt(survivor), 'the surviving instance ran it');
    const done = await job(survivor);
    assert.equal(done.progress.processed, done.progress.total);
    assert.equal((await status(survivor)).generation, generation + 1);
    process.stdout.write(`rebuild taken over and finished ${takeover} ms after its instance was killed\n`);
    [first, second] = [survivor, victim];
  }, 120_000);

  it('should build the index of a new instance from the stored vectors, and take back the rebuild of an instance that stops', async () => {
    // The killed instance is replaced by a new one, with an empty DATA_DIR.
    await second.stop();
    second = await startAppProcess(env);
    const expected = (await status(first)).chunks;
    assert.equal((await status(second)).chunks, expected, 'it serves the whole index as soon as it is ready');
    assert.equal((await status(second)).generation, (await status(first)).generation);

    const started = (await first.http.post('/api/admin/index/rebuild').set(bearer(admin))).body.data as { id: string };
    const job = async (instance: AppProcess) =>
      (await instance.http.get(`/api/admin/index/jobs/${started.id}`).set(bearer(admin))).body.data as { status: string };
    const runsIt = (instance: AppProcess) => instance.logs().some((l) => String(l.msg).includes(`Rebuilding the index: job ${started.id}`));
    await waitFor(async () => runsIt(first) || runsIt(second), 30_000, 20);
    const [leaving, staying] = runsIt(first) ? [first, second] : [second, first];
    // SIGTERM: the stopping instance hands the job back at once, without waiting for its lock to lapse.
    await leaving.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await job(staying)).status === 'succeeded', 60_000, 50);
    assert.ok(runsIt(staying));
    process.stdout.write(`rebuild handed back by a stopping instance, finished ${Date.now() - stoppedAt} ms after it stopped\n`);
    [first, second] = [staying, leaving];
  }, 120_000);
});
