import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RedisConnection } from '../cache/redis-connection';
import { MemoryThrottlerStorage } from './memory-throttler.storage';
import { PerUserLimit } from './per-user-limits';
import { RateLimitStore } from './rate-limit.store';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const MINUTE_MS = 60_000;

/** The one store of every limit: Redis when configured (shared by all instances), else the process. */
@Global()
@Module({
  providers: [
    {
      provide: RateLimitStore,
      inject: [APP_CONFIG, RedisConnection],
      useFactory: (config: AppConfig, redis: RedisConnection): RateLimitStore =>
        redis.configured ? new RedisThrottlerStorage(redis, config.redisKeyPrefix) : new MemoryThrottlerStorage(),
    },
  ],
  exports: [RateLimitStore],
})
class RateLimitStoreModule {}

/**
 * @nestjs/throttler for the per-user limits (PerUserLimited) and, through RateLimitStore, for the
 * sign-in throttle. A block duration of 0 makes each a sliding (memory) or fixed (Redis) window
 * whose refused requests are not counted; Retry-After says when the next one is accepted.
 */
@Global()
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [APP_CONFIG, RateLimitStore],
      useFactory: (config: AppConfig, storage: RateLimitStore) => {
        const perMinute: Record<PerUserLimit, number> = {
          chat: config.chat.requestsPerMinute,
          evaluation: config.evaluation.requestsPerMinute,
        };
        return {
          storage,
          // Retry-After comes with the error envelope (ApiError.rateLimited), like every other 429.
          setHeaders: false,
          throttlers: Object.entries(perMinute).map(([name, limit]) => ({ name, limit, ttl: MINUTE_MS, blockDuration: 0 })),
        };
      },
    }),
  ],
  exports: [RateLimitStoreModule, ThrottlerModule],
})
export class ThrottlingModule {}
