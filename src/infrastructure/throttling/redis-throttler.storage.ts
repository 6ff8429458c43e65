import { RedisConnection } from '../cache/redis-connection';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { RateLimitStore, ThrottlerStorageRecord } from './rate-limit.store';

/**
 * One script, so counting and deciding are one atomic step for every instance sharing Redis.
 * A fixed window per key (its first hit sets the expiry). With a block duration, going over the
 * limit blocks the key for that long (the throttler's semantics); without one, a hit over the
 * limit is refused and not counted, so hammering a closed door does not keep it closed longer.
 * Returns [hits, ms until the window ends, blocked (0/1), ms until the block ends].
 */
const INCREMENT = `
local hits_key, block_key = KEYS[1], KEYS[2]
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local block_left = redis.call('PTTL', block_key)
local hits = tonumber(redis.call('GET', hits_key) or '0')
if block_left > 0 then
  return {hits, math.max(redis.call('PTTL', hits_key), 0), 1, block_left}
end
if block <= 0 and hits >= limit then
  local left = redis.call('PTTL', hits_key)
  if left < 0 then left = ttl end
  return {hits + 1, left, 1, left}
end
hits = redis.call('INCR', hits_key)
if redis.call('PTTL', hits_key) < 0 then redis.call('PEXPIRE', hits_key, ttl) end
local left = redis.call('PTTL', hits_key)
if block > 0 and hits > limit then
  redis.call('SET', block_key, '1', 'PX', block)
  return {hits, left, 1, block}
end
return {hits, left, 0, 0}
`;

const REFUND = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then redis.call('DECR', KEYS[1]) end
return hits
`;

/**
 * Throttler storage in Redis over the application's one connection (node-redis, through
 * @keyv/redis). While Redis is away, limits are counted in the process instead, as the cache does.
 */
export class RedisThrottlerStorage implements RateLimitStore {
  private readonly fallback = new MemoryThrottlerStorage();

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const client = this.redis.client;
    if (client && this.redis.isUp) {
      try {
        const hitsKey = this.keyOf(key, throttlerName);
        const reply = (await client.eval(INCREMENT, {
          keys: [hitsKey, `${hitsKey}:blocked`],
          arguments: [String(Math.max(1, Math.ceil(ttl))), String(limit), String(Math.max(0, Math.ceil(blockDuration)))],
        })) as [number, number, number, number];
        const [totalHits, expiresInMs, blocked, blockLeftMs] = reply.map(Number);
        return {
          totalHits,
          timeToExpire: Math.ceil(expiresInMs / 1000),
          isBlocked: blocked === 1,
          timeToBlockExpire: blocked === 1 ? Math.ceil(blockLeftMs / 1000) : 0,
        };
      } catch (error) {
        this.redis.reportFailure(error);
      }
    }
    return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  async refund(key: string, throttlerName: string): Promise<void> {
    const client = this.redis.client;
    if (client && this.redis.isUp) {
      try {
        await client.eval(REFUND, { keys: [this.keyOf(key, throttlerName)] });
        return;
      } catch (error) {
        this.redis.reportFailure(error);
      }
    }
    await this.fallback.refund(key, throttlerName);
  }

  onApplicationShutdown(): void {
    this.fallback.onApplicationShutdown();
  }

  private keyOf(key: string, throttlerName: string): string {
    return `${this.prefix}throttle:${throttlerName}:${key}`;
  }
}
