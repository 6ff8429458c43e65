import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { createClient } from '@keyv/redis';
import { AppConfig } from '../../config/app-config';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-redis' generic parameters vary by options
export type RedisClient = ReturnType<typeof createClient> & { multi(): any };

const CONNECT_WAIT_MS = 2_000;

/**
 * The one Redis connection of the process, shared by the cache, the counters and the health check.
 * Commands fail at once while Redis is away (no offline queue), so callers fall back instead of
 * hanging; the client keeps reconnecting in the background, and each outage is logged once.
 * Made by `RedisConnection.open`, which loads the Redis client library only when REDIS_URL is set
 * (a start without Redis does not pay for loading it).
 */
export class RedisConnection implements OnApplicationShutdown {
  readonly client?: RedisClient;
  private readonly logger = new Logger('Redis');
  private wasUp: boolean | undefined;

  static async open(config: AppConfig): Promise<RedisConnection> {
    return new RedisConnection(config, config.redisUrl ? (await import('@keyv/redis')).createClient : undefined);
  }

  private constructor(config: AppConfig, create?: typeof createClient) {
    if (!config.redisUrl || !create) return;
    const client = create({
      url: config.redisUrl,
      disableOfflineQueue: true,
      socket: { connectTimeout: CONNECT_WAIT_MS, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000) },
    });
    client.on('ready', () => this.transition(true));
    client.on('error', (error: Error) => this.transition(false, error));
    client.on('end', () => this.transition(false));
    this.client = client as unknown as RedisClient;
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  get isUp(): boolean {
    return this.client?.isReady ?? false;
  }

  /** Starts connecting; waits a little for the first connection but never blocks start-up on it. */
  async connect(): Promise<void> {
    if (!this.client || this.client.isOpen) return;
    const connecting = this.client.connect().catch(() => undefined);
    await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, CONNECT_WAIT_MS).unref())]);
    if (!this.client.isReady) this.transition(false);
  }

  async ping(): Promise<void> {
    if (!this.client?.isReady) throw new Error('Redis is not connected');
    await this.client.ping();
  }

  /** Marks the connection as down after a failed command (the socket may not have noticed yet). */
  reportFailure(error: unknown): void {
    this.transition(false, error);
  }

  async onApplicationShutdown(): Promise<void> {
    // The cache store may have closed the shared client already when Nest tore the cache down.
    if (this.client?.isOpen) await this.client.close().catch(() => this.client?.destroy());
  }

  private transition(up: boolean, error?: unknown): void {
    if (this.wasUp === up) return;
    this.wasUp = up;
    if (up) this.logger.log('Redis is connected; shared cache and counters are in use.');
    else {
      const reason = error instanceof Error && error.message ? ` (${error.message})` : '';
      this.logger.warn(`Redis is unavailable${reason}; falling back to in-process cache and counters until it returns.`);
    }
  }
}
