import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { AccountState, AuthStateCache } from '../../../src/auth/auth-state.cache';
import { SessionsRepository } from '../../../src/auth/sessions.repository';
import { AppCache } from '../../../src/infrastructure/cache/app-cache';
import { RedisConnection } from '../../../src/infrastructure/cache/redis-connection';
import { User } from '../../../src/users/user';
import { UsersRepository } from '../../../src/users/users.repository';

const userId = 'a'.repeat(24);
const sessionId = 'b'.repeat(24);

/** The cache as it runs without Redis, over a store that counts its reads and can be held mid-read. */
function setUp() {
  const user = {
    id: userId,
    email: 'u@example.org',
    displayName: null,
    role: 'student',
    locale: 'en',
    disabled: false,
    createdAt: new Date(0),
  };
  const reads = { users: 0, sessions: 0 };
  let hold: Promise<void> | null = null;
  const users = {
    findById: async () => {
      reads.users += 1;
      const snapshot = { ...user };
      if (hold) await hold;
      return snapshot as User;
    },
  } as unknown as UsersRepository;
  const sessions = {
    findById: async () => {
      reads.sessions += 1;
      return { id: sessionId, userId, revokedAt: null };
    },
  } as unknown as SessionsRepository;
  const cache = new AuthStateCache({} as AppCache, { configured: false } as RedisConnection, users, sessions);
  const holdReads = (until: Promise<void> | null): void => {
    hold = until;
  };
  return { cache, user, reads, holdReads };
}

describe('AuthStateCache without Redis', () => {
  it('should answer from memory, without a promise, once the state has been read', async () => {
    const { cache, reads } = setUp();
    const firstAccount = cache.account(userId);
    const firstSession = cache.sessionIsLive(sessionId, userId);
    assert.ok(firstAccount instanceof Promise, 'the first read goes to the store');
    assert.ok(firstSession instanceof Promise);
    await Promise.all([firstAccount, firstSession]);
    const account = cache.account(userId) as AccountState;
    assert.equal(account.role, 'student');
    assert.equal(cache.sessionIsLive(sessionId, userId), true);
    assert.equal(cache.sessionIsLive(sessionId, 'c'.repeat(24)), false, 'a session belongs to its own user only');
    assert.deepEqual(reads, { users: 1, sessions: 1 });
  });

  it('should read the store again after the account is forgotten', async () => {
    const { cache, user, reads } = setUp();
    await cache.account(userId);
    user.role = 'teacher';
    await cache.forgetAccount(userId);
    assert.equal((await cache.account(userId))?.role, 'teacher');
    assert.equal(reads.users, 2);
  });

  it('should not keep a state read before a change that was forgotten while the read was under way', async () => {
    const { cache, user, reads, holdReads } = setUp();
    let release!: () => void;
    holdReads(new Promise<void>((resolve) => (release = resolve)));
    const stale = cache.account(userId);
    user.disabled = true;
    await cache.forgetAccount(userId);
    release();
    assert.equal((await stale)?.disabled, false, 'the read that started first sees the old state');
    holdReads(null);
    assert.equal((await cache.account(userId))?.disabled, true, 'but it was not remembered');
    assert.equal(reads.users, 2);
  });
});
