import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { RedisConnection } from './redis-connection';

/**
 * The application's cache: Redis when configured, memory otherwise. A cache failure is a miss, never
 * an error for the request; the outage is reported once through the Redis connection.
 */
@Injectable()
export class AppCache {
  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly redis: RedisConnection,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    if (this.redis.configured && !this.redis.isUp) return undefined;
    try {
      return (await this.cache.get<T>(key)) ?? undefined;
    } catch (error) {
      this.redis.reportFailure(error);
      return undefined;
    }
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    if (this.redis.configured && !this.redis.isUp) return;
    try {
      await this.cache.set(key, value, ttlMs);
    } catch (error) {
      this.redis.reportFailure(error);
    }
  }

  async del(key: string): Promise<void> {
    if (this.redis.configured && !this.redis.isUp) return;
    try {
      await this.cache.del(key);
    } catch (error) {
      this.redis.reportFailure(error);
    }
  }
}
