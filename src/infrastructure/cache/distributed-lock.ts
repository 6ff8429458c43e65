import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { RedisConnection } from './redis-connection';

export interface HeldLock {
  /** Stops renewing and releases the lock if this holder still has it. */
  release(): Promise<void>;
}

const TTL_MS = 30_000;
const RENEW_EVERY_MS = 10_000;

/**
 * One holder at a time for work that must not run twice (the index rebuild). In Redis when it is
 * configured, so the rule holds across instances: SET NX PX with a token, renewed while the work
 * runs, so a crashed holder's lock lapses by itself. In the process otherwise.
 */
@Injectable()
export class DistributedLock {
  private readonly local = new Set<string>();
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${config.redisKeyPrefix}lock:`;
  }

  async acquire(name: string): Promise<HeldLock | null> {
    const client = this.redis.client;
    if (!client) {
      if (this.local.has(name)) return null;
      this.local.add(name);
      return {
        release: () => {
          this.local.delete(name);
          return Promise.resolve();
        },
      };
    }
    const key = this.prefix + name;
    const token = randomUUID();
    const acquired = await client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: TTL_MS } }).catch(() => null);
    if (acquired !== 'OK') return null;
    const renew = setInterval(() => {
      void client.eval(RENEW_IF_OWNER, { keys: [key], arguments: [token, String(TTL_MS)] }).catch(() => undefined);
    }, RENEW_EVERY_MS).unref();
    return {
      release: async () => {
        clearInterval(renew);
        await client.eval(RELEASE_IF_OWNER, { keys: [key], arguments: [token] }).catch(() => undefined);
      },
    };
  }

  /** Whether anyone (any instance) holds the lock now. */
  async isHeld(name: string): Promise<boolean> {
    const client = this.redis.client;
    if (!client) return this.local.has(name);
    return (await client.exists(this.prefix + name).catch(() => 0)) === 1;
  }
}

const RENEW_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
