import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/app-config';
import { RedisConnection } from '../../src/infrastructure/cache/redis-connection';
import { MemoryThrottlerStorage } from '../../src/infrastructure/throttling/memory-throttler.storage';
import { RateLimitStore } from '../../src/infrastructure/throttling/rate-limit.store';
import { RedisThrottlerStorage } from '../../src/infrastructure/throttling/redis-throttler.storage';
import { redisKeys, SHARED_REDIS_URL } from '../support/redis-server';

const MINUTE_MS = 60_000;
const prefix = `lp-rate-${process.pid}-${Date.now()}:`;

interface Harness {
  store: RateLimitStore;
  close(): Promise<void>;
}

const adapters: Array<[string, () => Promise<Harness>]> = [
  [
    'the throttler’s memory storage',
    async () => {
      const store = new MemoryThrottlerStorage();
      return { store, close: async () => store.onApplicationShutdown() };
    },
  ],
  [
    'Redis',
    async () => {
      const redis = await RedisConnection.open(loadConfig({ NODE_ENV: 'test', REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: prefix }));
      await redis.connect();
      const store = new RedisThrottlerStorage(redis, prefix);
      return { store, close: () => redis.onApplicationShutdown() };
    },
  ],
];

for (const [name, open] of adapters) {
  describe(`rate limit store on ${name}`, () => {
    let harness: Harness;
    let n = 0;
    const key = () => `key-${Date.now()}-${++n}`;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(() => harness.close());

    it('should count and decide in one step: of 30 concurrent hits on a limit of 7, exactly 7 pass', async () => {
      const k = key();
      const records = await Promise.all(Array.from({ length: 30 }, () => harness.store.increment(k, MINUTE_MS, 7, 0, 'test')));
      expect(records.filter((r) => !r.isBlocked).length).toBe(7);
      for (const blocked of records.filter((r) => r.isBlocked)) {
        assert.ok(blocked.timeToBlockExpire >= 1 && blocked.timeToBlockExpire <= 60, String(blocked.timeToBlockExpire));
      }
    });

    it('should let one more hit pass for each refund, and keep limits of different names apart', async () => {
      const k = key();
      for (let i = 0; i < 3; i++) assert.equal((await harness.store.increment(k, MINUTE_MS, 3, 0, 'a')).isBlocked, false);
      assert.equal((await harness.store.increment(k, MINUTE_MS, 3, 0, 'a')).isBlocked, true);
      assert.equal((await harness.store.increment(k, MINUTE_MS, 3, 0, 'b')).isBlocked, false);
      await harness.store.refund(k, 'a');
      assert.equal((await harness.store.increment(k, MINUTE_MS, 3, 0, 'a')).isBlocked, false);
      assert.equal((await harness.store.increment(k, MINUTE_MS, 3, 0, 'a')).isBlocked, true);
      // A refund of nothing counted is harmless.
      await harness.store.refund(key(), 'a');
    });

    it('should start again once the window has passed', async () => {
      const k = key();
      assert.equal((await harness.store.increment(k, 300, 1, 0, 'short')).isBlocked, false);
      assert.equal((await harness.store.increment(k, 300, 1, 0, 'short')).isBlocked, true);
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal((await harness.store.increment(k, 300, 1, 0, 'short')).isBlocked, false);
    });

    it('should block for the block duration once over the limit, when one is given', async () => {
      const k = key();
      assert.equal((await harness.store.increment(k, MINUTE_MS, 1, 5_000, 'block')).isBlocked, false);
      const over = await harness.store.increment(k, MINUTE_MS, 1, 5_000, 'block');
      assert.equal(over.isBlocked, true);
      assert.ok(over.timeToBlockExpire >= 1 && over.timeToBlockExpire <= 5);
    });
  });
}

it('should keep the Redis counts under REDIS_KEY_PREFIX', async () => {
  const keys = await redisKeys(SHARED_REDIS_URL, `${prefix}*`);
  assert.ok(keys.length > 0 && keys.every((k) => k.startsWith(`${prefix}throttle:`)), keys.join(', '));
});
