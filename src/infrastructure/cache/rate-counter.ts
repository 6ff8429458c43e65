import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { BoundedMap } from './bounded-map';
import { RedisConnection } from './redis-connection';

export interface CounterState {
  count: number;
  /** Seconds until the window ends and the count starts again from zero. */
  resetInSeconds: number;
}

/**
 * Fixed-window counters for throttling and quotas. In Redis when configured, so the limit holds
 * across instances; in the process otherwise, and also while Redis is away.
 */
@Injectable()
export class RateCounter {
  private readonly local = new BoundedMap<string, { count: number; resetsAt: number }>(100_000);
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${config.redisKeyPrefix}counter:`;
  }

  async increment(key: string, windowSeconds: number): Promise<CounterState> {
    const client = this.redis.client;
    if (client && this.redis.isUp) {
      try {
        const [count, ttl] = (await client
          .multi()
          .incr(this.prefix + key)
          .expire(this.prefix + key, windowSeconds, 'NX')
          .ttl(this.prefix + key)
          .exec()) as unknown as [number, number, number];
        return { count: Number(count), resetInSeconds: Number(ttl) > 0 ? Number(ttl) : windowSeconds };
      } catch (error) {
        this.redis.reportFailure(error);
      }
    }
    return this.incrementLocally(key, windowSeconds);
  }

  async peek(key: string): Promise<CounterState> {
    const client = this.redis.client;
    if (client && this.redis.isUp) {
      try {
        const [count, ttl] = (await client
          .multi()
          .get(this.prefix + key)
          .ttl(this.prefix + key)
          .exec()) as unknown as [string | null, number];
        return { count: Number(count ?? 0), resetInSeconds: Math.max(0, Number(ttl)) };
      } catch (error) {
        this.redis.reportFailure(error);
      }
    }
    const entry = this.local.get(key);
    if (!entry || entry.resetsAt <= Date.now()) return { count: 0, resetInSeconds: 0 };
    return { count: entry.count, resetInSeconds: Math.ceil((entry.resetsAt - Date.now()) / 1000) };
  }

  async reset(key: string): Promise<void> {
    this.local.delete(key);
    const client = this.redis.client;
    if (client && this.redis.isUp) {
      await client.del(this.prefix + key).catch((error: unknown) => this.redis.reportFailure(error));
    }
  }

  private incrementLocally(key: string, windowSeconds: number): CounterState {
    const now = Date.now();
    let entry = this.local.get(key);
    if (!entry || entry.resetsAt <= now) entry = { count: 0, resetsAt: now + windowSeconds * 1000 };
    entry.count += 1;
    this.local.set(key, entry);
    return { count: entry.count, resetInSeconds: Math.ceil((entry.resetsAt - now) / 1000) };
  }
}
