import { Injectable } from '@nestjs/common';
import { AppCache } from '../infrastructure/cache/app-cache';
import { BoundedMap } from '../infrastructure/cache/bounded-map';
import { RedisConnection } from '../infrastructure/cache/redis-connection';
import { Role } from '../users/user';
import { toUserDto, UserDto } from '../users/users.dto';
import { UsersRepository } from '../users/users.repository';
import { SessionsRepository } from './sessions.repository';

export interface AccountState {
  role: Role;
  disabled: boolean;
  /** The account as `GET /api/users/me` shows it, so that route needs no further read. */
  profile: UserDto;
}

/**
 * What every authenticated request must know beyond the token: the account's current role and
 * status, and whether its session is still live. Cached briefly; every write that changes them
 * forgets the entry, so a change applies on the very next request. The short lifetime bounds
 * staleness if an invalidation was lost while Redis was away.
 *
 * With Redis the entries live in the shared cache, so a change made through one instance applies
 * on all of them. Without Redis there is one process, and the entries are kept in a plain map read
 * without a promise: going through cache-manager and Keyv twice per request was a large share of
 * an authenticated request's cost.
 */
const TTL_MS = 60_000;
const LOCAL_ENTRIES = 50_000;
const MISSING = 'missing';

@Injectable()
export class AuthStateCache {
  private readonly local: BoundedMap<string, { value: unknown; expiresAt: number }> | null;

  constructor(
    private readonly cache: AppCache,
    redis: RedisConnection,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
  ) {
    this.local = redis.configured ? null : new BoundedMap(LOCAL_ENTRIES);
  }

  /**
   * The account's state. Answered at once, without a promise, when this process holds it: it is
   * read on every authenticated request.
   */
  account(userId: string): AccountState | null | Promise<AccountState | null> {
    const key = `auth:user:${userId}`;
    const held = this.localValue<AccountState | typeof MISSING>(key);
    if (held !== undefined) return held === MISSING ? null : held;
    return this.loadAccount(key, userId);
  }

  /**
   * Whether the session is live: until revoked (logout, reuse, password change); access tokens
   * expire on their own. Answered at once when this process holds it, like `account`.
   */
  sessionIsLive(sessionId: string, userId: string): boolean | Promise<boolean> {
    const key = `auth:session:${sessionId}`;
    const owner = this.localValue<string>(key);
    if (owner !== undefined) return owner === userId;
    return this.loadSessionOwner(key, sessionId).then((loaded) => loaded === userId);
  }

  forgetAccount(userId: string): Promise<void> {
    return this.forget(`auth:user:${userId}`);
  }

  async forgetSessions(sessionIds: string[]): Promise<void> {
    await Promise.all(sessionIds.map((id) => this.forget(`auth:session:${id}`)));
  }

  private async loadAccount(key: string, userId: string): Promise<AccountState | null> {
    const cached = this.local ? undefined : await this.cache.get<AccountState | typeof MISSING>(key);
    if (cached !== undefined) return cached === MISSING ? null : cached;
    const user = await this.users.findById(userId);
    const state = user ? { role: user.role, disabled: user.disabled, profile: toUserDto(user) } : null;
    await this.remember(key, state ?? MISSING);
    return state;
  }

  private async loadSessionOwner(key: string, sessionId: string): Promise<string> {
    const cached = this.local ? undefined : await this.cache.get<string>(key);
    if (cached !== undefined) return cached;
    const session = await this.sessions.findById(sessionId);
    const owner = session && !session.revokedAt ? session.userId : MISSING;
    await this.remember(key, owner);
    return owner;
  }

  /** Only without Redis: with Redis every instance must see the shared entry. */
  private localValue<T>(key: string): T | undefined {
    if (!this.local) return undefined;
    const entry = this.local.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value as T;
    this.local.delete(key);
    return undefined;
  }

  private async remember(key: string, value: unknown): Promise<void> {
    if (this.local) this.local.set(key, { value, expiresAt: Date.now() + TTL_MS });
    else await this.cache.set(key, value, TTL_MS);
  }

  private async forget(key: string): Promise<void> {
    if (this.local) this.local.delete(key);
    else await this.cache.del(key);
  }
}
