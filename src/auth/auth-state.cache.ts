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

type Held<T> = { value: T; expiresAt: number };

/** Entries of one kind held in this process, by id: the id strings come from remembered tokens, so their hashes are cached. */
class LocalEntries<T> {
  private readonly entries = new BoundedMap<string, Held<T>>(LOCAL_ENTRIES);

  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.entries.delete(id);
    return undefined;
  }

  set(id: string, value: T): void {
    this.entries.set(id, { value, expiresAt: Date.now() + TTL_MS });
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}

@Injectable()
export class AuthStateCache {
  /** Without Redis only: with Redis every instance must see the shared entries. */
  private readonly local: { accounts: LocalEntries<AccountState | typeof MISSING>; sessions: LocalEntries<string> } | null;
  /**
   * Counts every forget. A read from the store that a forget overtook may hold the old state, so
   * it is returned but not remembered; otherwise a change could wait a whole TTL to apply.
   */
  private forgets = 0;

  constructor(
    private readonly cache: AppCache,
    redis: RedisConnection,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
  ) {
    this.local = redis.configured ? null : { accounts: new LocalEntries(), sessions: new LocalEntries() };
  }

  /**
   * The account's state. Answered at once, without a promise, when this process holds it: it is
   * read on every authenticated request.
   */
  account(userId: string): AccountState | null | Promise<AccountState | null> {
    const held = this.local?.accounts.get(userId);
    if (held !== undefined) return held === MISSING ? null : held;
    return this.loadAccount(userId);
  }

  /**
   * Whether the session is live: until revoked (logout, reuse, password change); access tokens
   * expire on their own. Answered at once when this process holds it, like `account`.
   */
  sessionIsLive(sessionId: string, userId: string): boolean | Promise<boolean> {
    const owner = this.local?.sessions.get(sessionId);
    if (owner !== undefined) return owner === userId;
    return this.loadSessionOwner(sessionId).then((loaded) => loaded === userId);
  }

  async forgetAccount(userId: string): Promise<void> {
    this.forgets += 1;
    if (this.local) this.local.accounts.delete(userId);
    else await this.cache.del(accountKey(userId));
  }

  async forgetSessions(sessionIds: string[]): Promise<void> {
    this.forgets += 1;
    const local = this.local;
    if (local) sessionIds.forEach((id) => local.sessions.delete(id));
    else await Promise.all(sessionIds.map((id) => this.cache.del(sessionKey(id))));
  }

  private async loadAccount(userId: string): Promise<AccountState | null> {
    if (!this.local) {
      const cached = await this.cache.get<AccountState | typeof MISSING>(accountKey(userId));
      if (cached !== undefined) return cached === MISSING ? null : cached;
    }
    const forgetsBefore = this.forgets;
    const user = await this.users.findById(userId);
    const state = user ? { role: user.role, disabled: user.disabled, profile: toUserDto(user) } : null;
    if (this.forgets === forgetsBefore) {
      if (this.local) this.local.accounts.set(userId, state ?? MISSING);
      else await this.cache.set(accountKey(userId), state ?? MISSING, TTL_MS);
    }
    return state;
  }

  private async loadSessionOwner(sessionId: string): Promise<string> {
    if (!this.local) {
      const cached = await this.cache.get<string>(sessionKey(sessionId));
      if (cached !== undefined) return cached;
    }
    const forgetsBefore = this.forgets;
    const session = await this.sessions.findById(sessionId);
    const owner = session && !session.revokedAt ? session.userId : MISSING;
    if (this.forgets === forgetsBefore) {
      if (this.local) this.local.sessions.set(sessionId, owner);
      else await this.cache.set(sessionKey(sessionId), owner, TTL_MS);
    }
    return owner;
  }
}

const accountKey = (userId: string) => `auth:user:${userId}`;
const sessionKey = (sessionId: string) => `auth:session:${sessionId}`;
