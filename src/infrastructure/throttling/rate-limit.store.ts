import type { ThrottlerStorage } from '@nestjs/throttler';

/** The package's index does not export the record type (6.x). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * @nestjs/throttler's storage, plus giving back one hit: a sign-in counts as a failure until its
 * password is checked (so concurrent attempts cannot all pass a limit they each saw unreached),
 * and a correct one returns its hit. Used as a DI token; the memory and Redis stores implement it.
 */
export abstract class RateLimitStore implements ThrottlerStorage {
  abstract increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord>;

  /** Takes back the latest hit of `key` under `throttlerName`, if any is still counted. */
  abstract refund(key: string, throttlerName: string): Promise<void>;
}
