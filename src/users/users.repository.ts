import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore, DuplicateKeyError, Filter } from '../infrastructure/persistence/document-store';
import { UserRecord, UserSchema } from '../infrastructure/persistence/schemas/user.schema';
import { escapeRegExp, toDomain, toStored } from '../infrastructure/persistence/stored';
import { Role, User } from './user';

export interface UserListFilter {
  role?: Role;
  /** Part of the email or display name, case-insensitive. */
  q?: string;
  afterId?: string;
  limit: number;
}

export type UserPatch = Partial<Pick<User, 'displayName' | 'locale' | 'role' | 'disabled' | 'passwordHash'>>;

const REKEY_PAGE = 500;

@Injectable()
export class UsersRepository {
  private readonly users: DocumentCollection<UserRecord>;

  constructor(store: DocumentStore) {
    this.users = store.collection<UserRecord>({ name: 'users', schema: UserSchema });
  }

  /** Throws DuplicateKeyError when the email is taken: the unique index decides, not a prior read. */
  async create(user: User): Promise<User> {
    return toDomain(await this.users.insertOne(toStored(user)));
  }

  async findById(id: string): Promise<User | null> {
    const found = await this.users.findOne({ _id: id });
    return found && toDomain(found);
  }

  async findByEmailKey(emailKey: string): Promise<User | null> {
    const found = await this.users.findOne({ emailKey });
    return found && toDomain(found);
  }

  async update(id: string, patch: UserPatch, now: Date): Promise<User | null> {
    const updated = await this.users.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
    return updated && toDomain(updated);
  }

  /** Sets a new password hash only while the stored one is still `currentHash`; false when it was not. */
  async replacePasswordHash(id: string, currentHash: string, nextHash: string, now: Date): Promise<boolean> {
    const updated = await this.users.updateOne(
      { _id: id, passwordHash: currentHash },
      { $set: { passwordHash: nextHash, updatedAt: now } },
    );
    return updated !== null;
  }

  async delete(id: string): Promise<boolean> {
    return this.users.deleteOne({ _id: id });
  }

  /** Oldest first, `limit + 1` rows so the caller can tell whether another page exists. */
  async list(filter: UserListFilter): Promise<User[]> {
    const query: Filter = {};
    if (filter.role) query.role = filter.role;
    if (filter.q) {
      const pattern = (text: string) => new RegExp(escapeRegExp(text), 'i');
      const typed = filter.q.trim();
      // Email keys are in Unicode normal form C (user.ts); display names are as their users typed them.
      query.$or = [{ emailKey: pattern(typed.normalize('NFC')) }, { displayName: pattern(typed) }];
    }
    if (filter.afterId) query._id = { $gt: filter.afterId };
    const found = await this.users.find(query, { sort: { _id: 1 }, limit: filter.limit + 1 });
    return found.map(toDomain);
  }

  /**
   * Gives every account the key `keyOf` makes of its email, in pages. An account whose new key is
   * another account's keeps its own (the unique index refuses it) and is returned in `kept`.
   */
  async rekeyEmails(keyOf: (email: string) => string): Promise<{ changed: number; kept: string[] }> {
    let changed = 0;
    const kept: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await this.users.find(afterId ? { _id: { $gt: afterId } } : {}, { sort: { _id: 1 }, limit: REKEY_PAGE });
      for (const user of page) {
        const key = keyOf(user.email);
        if (key === user.emailKey) continue;
        try {
          await this.users.updateOne({ _id: user._id }, { $set: { emailKey: key } });
          changed++;
        } catch (error) {
          if (!(error instanceof DuplicateKeyError)) throw error;
          kept.push(user._id);
        }
      }
      if (page.length < REKEY_PAGE) return { changed, kept };
      afterId = page[page.length - 1]._id;
    }
  }

  /** The earliest account with this role (null when there is none). */
  async firstWithRole(role: Role): Promise<User | null> {
    const [first] = await this.users.find({ role }, { sort: { createdAt: 1, _id: 1 }, limit: 1 });
    return first ? toDomain(first) : null;
  }

  async countByRole(role: Role): Promise<number> {
    return this.users.count({ role });
  }

  async count(): Promise<number> {
    return this.users.count({});
  }
}
