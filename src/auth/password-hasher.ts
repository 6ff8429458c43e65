import { Inject, Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { BoundedWork, WorkQueueFull } from '../common/bounded-work';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane):
 * https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** What a refused caller is told to wait: the queue drains in well under a second when it is small. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Each hash costs 19 MiB and tens of milliseconds of a libuv worker, which file and DNS work share.
 * A registration or sign-in flood would otherwise queue without end and starve every request, so
 * hashes run a few at a time with a small queue, and beyond it the caller gets 503 with Retry-After.
 */
@Injectable()
export class PasswordHasher {
  /** Verified against when an email is unknown, so both failures take the same time. */
  private decoy?: Promise<string>;
  private readonly work: BoundedWork;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.work = new BoundedWork(config.passwordHashing.concurrency, config.passwordHashing.queueSize);
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => argon2.hash(password, OPTIONS));
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    if (!hash) {
      this.decoy ??= argon2.hash('decoy password that matches nothing', OPTIONS);
      const decoy = await this.decoy;
      await this.bounded(() => argon2.verify(decoy, password).catch(() => false));
      return false;
    }
    return this.bounded(() => argon2.verify(hash, password).catch(() => false));
  }

  private async bounded<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.work.run(task);
    } catch (error) {
      if (!(error instanceof WorkQueueFull)) throw error;
      throw new ApiError('service_unavailable', 'The server is busy checking passwords; try again in a moment.', undefined, {
        'Retry-After': String(RETRY_AFTER_SECONDS),
      });
    }
  }
}
