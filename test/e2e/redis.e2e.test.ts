import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { bearer, createCourseModule, errorCode, login, loginAdmin, register, startTestApp, TestApp } from '../support/test-app';
import { DisposableRedis, freePort, redisKeys, SHARED_REDIS_URL, waitFor } from '../support/redis-server';

describe('with Redis configured', () => {
  const prefix = `lp-test-${process.pid}-${Date.now()}:`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix };
    a = await startTestApp({ env });
    // A second instance on the same Redis (its own store: only the shared counters matter here).
    b = await startTestApp({ env });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('should report Redis in readiness', async () => {
    const response = await a.http.get('/health/ready');
    assert.equal(response.status, 200);
    assert.equal(response.body.data.components.redis.status, 'up');
  });

  it('should hold the login throttle across instances', async () => {
    const account = await register(a.http);
    // b has its own document store, so the account exists only in a; failures still count in Redis.
    for (let i = 0; i < 5; i++)
      assert.equal((await a.http.post('/api/auth/login').send({ email: account.email, password: 'wrong-password' })).status, 401);
    for (let i = 0; i < 5; i++)
      assert.equal((await b.http.post('/api/auth/login').send({ email: account.email, password: 'wrong-password' })).status, 401);
    const blocked = await a.http.post('/api/auth/login').send({ email: account.email, password: account.password });
    assert.equal(blocked.status, 429);
    assert.equal(errorCode(blocked), 'rate_limited');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
  });

  it('should keep the auth cache in Redis', async () => {
    const account = await register(a.http);
    await a.http.get('/api/users/me').set(bearer(account));
    const keys = await redisKeys(SHARED_REDIS_URL, `${prefix}cache*`);
    assert.ok(
      keys.some((key) => key.includes(`auth:user:${account.id}`)),
      `keys: ${keys.join(', ')}`,
    );
  });
});

describe('when Redis goes away while running', () => {
  let redis: DisposableRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    // Every upload goes to a background job, so the test can see BullMQ's worker back at work.
    t = await startTestApp({ env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'outage:', INDEX_BACKGROUND_CHUNKS: '0' } });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('should keep answering, say so once in the log, report it in readiness, and use Redis again when it returns', async () => {
    const account = await register(t.http);
    assert.equal((await t.http.get('/api/users/me').set(bearer(account))).status, 200);

    await redis.stop();
    for (let i = 0; i < 10; i++) {
      const me = await t.http.get('/api/users/me').set(bearer(account));
      assert.equal(me.status, 200, 'requests keep working as cache misses');
    }
    assert.equal((await login(t.http, account.email, account.password)).id, account.id);
    const failed = await t.http.post('/api/auth/login').send({ email: account.email, password: 'wrong-password' });
    assert.equal(failed.status, 401, 'throttling falls back to the process');

    const ready = await t.http.get('/health/ready');
    assert.equal(ready.status, 503);
    assert.equal(errorCode(ready), 'service_unavailable');
    assert.equal(ready.body.error.details.redis.status, 'down');
    assert.equal(ready.body.error.details.database.status, 'up');

    const outageLines = t.logs().filter((line) => String(line.msg).startsWith('Redis is unavailable'));
    assert.equal(outageLines.length, 1, 'the outage is logged once, not once per request');

    await redis.start();
    await waitFor(async () => (await t.http.get('/health/ready')).status === 200, 10_000, 100);
    await t.http.get('/api/users/me').set(bearer(account));
    const keys = await redisKeys(redis.url, 'outage:cache*');
    assert.ok(
      keys.some((key) => key.includes(`auth:user:${account.id}`)),
      'the cache is used again',
    );
    assert.equal(t.logs().filter((line) => String(line.msg).startsWith('Redis is connected')).length, 2);

    // Background jobs resume too, once BullMQ's own connections are back (they retry on their own
    // schedule, up to 20 s apart). Closing the app before that would also leave a blocking command
    // that ioredis never settles once the reconnect is cancelled, and BullMQ's watchdog timer for
    // it (6 s) would keep Jest's worker alive after the suite ("failed to exit gracefully").
    const admin = await loginAdmin(t.http);
    const moduleId = await createCourseModule(t, admin, 'After the outage');
    const created = await t.http
      .post(`/api/admin/modules/${moduleId}/resources`)
      .set(bearer(admin))
      .send({ title: 'Basalt', content: '# Basalt\n\nBasalt is a dark volcanic rock.', format: 'markdown' });
    assert.equal(created.status, 201);
    assert.equal(created.body.data.status, 'pending');
    const status = async () =>
      (
        (await t.http.get(`/api/modules/${moduleId}/resources`).set(bearer(admin))).body.data.items as { id: string; status: string }[]
      ).find((r) => r.id === created.body.data.id)?.status;
    await waitFor(async () => (await status()) === 'indexed', 30_000, 100);
  });
});
