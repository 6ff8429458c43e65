import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { AuthStateCache } from '../auth/auth-state.cache';
import { Principal } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { Clock } from '../common/clock';
import { Locale, Role, User } from './user';
import { UserDataErasure } from './user-data-erasure';
import { UserListFilter, UserPatch, UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly auth: AuthService,
    private readonly authState: AuthStateCache,
    private readonly erasure: UserDataErasure,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw ApiError.notFound('user');
    return user;
  }

  async updateProfile(principal: Principal, patch: { displayName?: string | null; locale?: Locale | null }): Promise<User> {
    return this.apply(principal.userId, patch);
  }

  list(filter: UserListFilter): Promise<User[]> {
    return this.users.list(filter);
  }

  async create(actor: Principal, account: { email: string; password: string; role: Role; displayName?: string }): Promise<User> {
    const user = await this.auth.createAccount(account);
    await this.audit.record(actor, 'user.create', { type: 'user', id: user.id }, { role: user.role });
    return user;
  }

  async adminUpdate(actor: Principal, id: string, patch: { role?: Role; disabled?: boolean; displayName?: string | null }): Promise<User> {
    if (id === actor.userId) {
      if (patch.role !== undefined && patch.role !== 'admin') throw ApiError.conflict('You cannot remove your own admin role.');
      if (patch.disabled === true) throw ApiError.conflict('You cannot disable your own account.');
    }
    const updated = await this.apply(id, patch);
    await this.audit.record(actor, 'user.update', { type: 'user', id }, { ...patch });
    return updated;
  }

  /** Removes the account and everything that belongs to it (registered erasers), sessions first. */
  async delete(actor: Principal, id: string): Promise<void> {
    if (id === actor.userId) throw ApiError.conflict('You cannot delete your own account.');
    await this.get(id);
    await this.auth.endSessionsOf(id);
    await this.erasure.eraseAll(id);
    // Of deletions at once, only the one whose delete removed the account answers 204 and is audited.
    if (!(await this.users.delete(id))) throw ApiError.notFound('user');
    await this.authState.forgetAccount(id);
    await this.audit.record(actor, 'user.delete', { type: 'user', id });
  }

  private async apply(id: string, patch: UserPatch): Promise<User> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as UserPatch;
    const updated =
      Object.keys(defined).length > 0 ? await this.users.update(id, defined, this.clock.now()) : await this.users.findById(id);
    if (!updated) throw ApiError.notFound('user');
    await this.authState.forgetAccount(id);
    return updated;
  }
}
