import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { Keyv } from 'keyv';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AppCache } from './app-cache';
import { BoundedMap } from './bounded-map';
import { DistributedLock } from './distributed-lock';
import { RedisConnection } from './redis-connection';

const MEMORY_CACHE_ENTRIES = 50_000;

async function createStore(config: AppConfig, redis: RedisConnection): Promise<Keyv> {
  // Loaded only with REDIS_URL, like the client itself (RedisConnection.open).
  const KeyvRedis = redis.client ? (await import('@keyv/redis')).default : undefined;
  const keyv = KeyvRedis
    ? new Keyv({
        store: new KeyvRedis(redis.client, { throwOnConnectError: false, throwOnErrors: true }),
        namespace: `${config.redisKeyPrefix}cache`,
        useKeyPrefix: false,
      })
    : // In memory the values are kept as they are: no JSON round trip on every read.
      new Keyv({ store: new BoundedMap(MEMORY_CACHE_ENTRIES), serialize: undefined, deserialize: undefined });
  // Failures are handled (and logged once) by AppCache; an unhandled 'error' event would crash.
  keyv.on('error', () => undefined);
  return keyv;
}

/** Owns the single Redis connection (when REDIS_URL is set). */
@Global()
@Module({
  providers: [{ provide: RedisConnection, inject: [APP_CONFIG], useFactory: (config: AppConfig) => RedisConnection.open(config) }],
  exports: [RedisConnection],
})
export class RedisModule {}

@Global()
@Module({
  imports: [
    RedisModule,
    NestCacheModule.registerAsync({
      imports: [RedisModule],
      inject: [APP_CONFIG, RedisConnection],
      useFactory: async (config: AppConfig, redis: RedisConnection) => {
        await redis.connect();
        return { stores: [await createStore(config, redis)] };
      },
    }),
  ],
  providers: [AppCache, DistributedLock],
  exports: [AppCache, DistributedLock],
})
export class CacheModule {}
