import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { AuditService } from '../../../src/audit/audit.service';
import { AuthService } from '../../../src/auth/auth.service';
import { AuthStateCache } from '../../../src/auth/auth-state.cache';
import { Principal } from '../../../src/auth/principal';
import { SystemClock } from '../../../src/common/clock';
import { ApiError } from '../../../src/common/errors/api-error';
import { User } from '../../../src/users/user';
import { UserDataErasure } from '../../../src/users/user-data-erasure';
import { UsersRepository } from '../../../src/users/users.repository';
import { UsersService } from '../../../src/users/users.service';

/** UsersService with every collaborator replaced by a recording fake. */
function setUp(existing: Partial<User>[] = []) {
  const users = new Map(existing.map((u) => [u.id!, { role: 'student', disabled: false, ...u } as User]));
  const calls: string[] = [];
  const repository = {
    findById: async (id: string) => users.get(id) ?? null,
    update: async (id: string, patch: Partial<User>) => {
      const user = users.get(id);
      if (!user) return null;
      Object.assign(user, patch);
      calls.push(`update:${id}`);
      return user;
    },
    delete: async (id: string) => users.delete(id),
  } as unknown as UsersRepository;
  const auth = { endSessionsOf: async (id: string) => void calls.push(`end-sessions:${id}`) } as unknown as AuthService;
  const state = { forgetAccount: async (id: string) => void calls.push(`forget:${id}`) } as unknown as AuthStateCache;
  const erasure = new UserDataErasure();
  erasure.register('grades', async (id) => void calls.push(`erase-grades:${id}`));
  const audit = { record: async (_actor: string, action: string) => void calls.push(`audit:${action}`) } as unknown as AuditService;
  return { service: new UsersService(repository, auth, state, erasure, audit, new SystemClock()), calls, users };
}

const admin = { userId: 'admin-1', role: 'admin', sessionId: 's' } as Principal;

describe('UsersService', () => {
  it('should refuse an admin removing their own admin role or disabling themselves', async () => {
    const { service, calls } = setUp([{ id: 'admin-1', role: 'admin' }]);
    for (const patch of [{ role: 'student' as const }, { disabled: true }]) {
      await assert.rejects(service.adminUpdate(admin, 'admin-1', patch), (e: unknown) => e instanceof ApiError && e.code === 'conflict');
    }
    assert.deepEqual(calls, []);
  });

  it('should forget the cached account state after a change, so it applies on the next request', async () => {
    const { service, calls } = setUp([{ id: 'u1' }]);
    const updated = await service.adminUpdate(admin, 'u1', { role: 'instructor' });
    assert.equal(updated.role, 'instructor');
    assert.deepEqual(calls, ['update:u1', 'forget:u1', 'audit:user.update']);
  });

  it('should end sessions and erase every registered kind of data when deleting a user', async () => {
    const { service, calls, users } = setUp([{ id: 'u1' }]);
    await service.delete(admin, 'u1');
    assert.deepEqual(calls, ['end-sessions:u1', 'erase-grades:u1', 'forget:u1', 'audit:user.delete']);
    assert.equal(users.has('u1'), false);
  });

  it('should answer not_found for an unknown user', async () => {
    const { service } = setUp();
    await assert.rejects(service.delete(admin, 'nobody'), (e: unknown) => e instanceof ApiError && e.code === 'not_found');
    await assert.rejects(
      service.adminUpdate(admin, 'nobody', { role: 'student' }),
      (e: unknown) => e instanceof ApiError && e.code === 'not_found',
    );
  });
});
