import { Injectable } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { RateLimitStore } from './rate-limit.store';

/** The fields of ThrottlerStorageService (6.x) a refund touches; they are private in its typings. */
interface HitLedger {
  hitExpirations: Map<string, Map<string, number[]>>;
}

/**
 * The throttler's own in-process storage (per-hit expiry: a sliding window). `increment` runs
 * without an await, so in one process it counts and decides atomically.
 */
@Injectable()
export class MemoryThrottlerStorage extends ThrottlerStorageService implements RateLimitStore {
  constructor() {
    super();
    // Fail at start, not at the first refund, if an upgrade of @nestjs/throttler renamed its ledger.
    if (!((this as unknown as HitLedger).hitExpirations instanceof Map)) {
      throw new Error(
        '@nestjs/throttler no longer keeps ThrottlerStorageService.hitExpirations: MemoryThrottlerStorage.refund needs updating',
      );
    }
  }

  refund(key: string, throttlerName: string): Promise<void> {
    const record = this.storage.get(key);
    const hits = (this as unknown as HitLedger).hitExpirations.get(key)?.get(throttlerName);
    if (record && hits && hits.length > 0) {
      // The latest hit is the one being given back: it would have expired last.
      hits.splice(hits.indexOf(Math.max(...hits)), 1);
      record.totalHits.set(throttlerName, hits.length);
    }
    return Promise.resolve();
  }
}
