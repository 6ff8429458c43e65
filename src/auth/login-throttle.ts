import { Inject, Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RateLimitStore } from '../infrastructure/throttling/rate-limit.store';

const PER_EMAIL = 'login-email';
const PER_ADDRESS = 'login-address';

/** One sign-in attempt that passed the throttle, counted as a failure until it is refunded. */
export interface LoginAttempt {
  /** The attempt was no failure (right password, or never checked): its counts are given back. */
  refund(): Promise<void>;
}

/**
 * Failed sign-ins per email, and per client address across all emails (password spraying).
 * An attempt is counted as a failure before its password is checked, in one atomic step of the
 * store, so of many attempts sent at once only as many as the limit allows get checked
 * (API.md, Auth); a correct password then takes its count back. OWASP's Authentication Cheat
 * Sheet, "Login Throttling": https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html
 */
@Injectable()
export class LoginThrottle {
  private readonly windowMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RateLimitStore,
  ) {
    this.windowMs = config.loginThrottle.windowSeconds * 1000;
  }

  async begin(emailKey: string, address: string | undefined): Promise<LoginAttempt> {
    const { maxFailures, maxFailuresPerAddress } = this.config.loginThrottle;
    // An IPv6 client is counted by its /64 network (the throttler's default): one host often holds a whole one.
    const addressKey = address ? normalizeIp(address) : undefined;
    if (addressKey) {
      const byAddress = await this.store.increment(addressKey, this.windowMs, maxFailuresPerAddress, 0, PER_ADDRESS);
      if (byAddress.isBlocked) {
        throw ApiError.rateLimited(byAddress.timeToBlockExpire, 'Too many failed sign-ins from this address; try again later.');
      }
    }
    const byEmail = await this.store.increment(emailKey, this.windowMs, maxFailures, 0, PER_EMAIL);
    if (byEmail.isBlocked) {
      // Not checked, so not a failure of this address.
      if (addressKey) await this.store.refund(addressKey, PER_ADDRESS);
      throw ApiError.rateLimited(byEmail.timeToBlockExpire, 'Too many failed sign-ins for this account; try again later.');
    }
    return {
      refund: async () => {
        await this.store.refund(emailKey, PER_EMAIL);
        if (addressKey) await this.store.refund(addressKey, PER_ADDRESS);
      },
    };
  }
}
