import { Injectable } from '@nestjs/common';
import { AppCache } from '../infrastructure/cache/app-cache';
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
 * status, and whether its session is still live. Cached briefly (shared in Redis when configured);
 * every write that changes them forgets the entry, so a change applies on the very next request.
 * The short lifetime bounds staleness if an invalidation was lost while Redis was away.
 */
const TTL_MS = 60_000;
const MISSING = 'missing';

@Injectable()
export class AuthStateCache {
  constructor(
    private readonly cache: AppCache,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
  ) {}

  async account(userId: string): Promise<AccountState | null> {
    const key = `auth:user:${userId}`;
    const cached = await this.cache.get<AccountState | typeof MISSING>(key);
    if (cached !== undefined) return cached === MISSING ? null : cached;
    const user = await this.users.findById(userId);
    const state = user ? { role: user.role, disabled: user.disabled, profile: toUserDto(user) } : null;
    await this.cache.set(key, state ?? MISSING, TTL_MS);
    return state;
  }

  /** A session is live until revoked (logout, reuse, password change); access tokens expire on their own. */
  async sessionIsLive(sessionId: string, userId: string): Promise<boolean> {
    const key = `auth:session:${sessionId}`;
    let owner = await this.cache.get<string>(key);
    if (owner === undefined) {
      const session = await this.sessions.findById(sessionId);
      owner = session && !session.revokedAt ? session.userId : MISSING;
      await this.cache.set(key, owner, TTL_MS);
    }
    return owner === userId;
  }

  forgetAccount(userId: string): Promise<void> {
    return this.cache.del(`auth:user:${userId}`);
  }

  async forgetSessions(sessionIds: string[]): Promise<void> {
    await Promise.all(sessionIds.map((id) => this.cache.del(`auth:session:${id}`)));
  }
}
