import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { SessionRecord, SessionSchema } from '../infrastructure/persistence/schemas/session.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Session = Domain<SessionRecord>;

/** How many spent token digests a session remembers for reuse detection. */
const SPENT_HISTORY = 50;

@Injectable()
export class SessionsRepository {
  private readonly sessions: DocumentCollection<SessionRecord>;

  constructor(store: DocumentStore) {
    this.sessions = store.collection<SessionRecord>({ name: 'sessions', schema: SessionSchema });
  }

  async create(session: Session): Promise<Session> {
    return toDomain(await this.sessions.insertOne(toStored(session)));
  }

  async findById(id: string): Promise<Session | null> {
    const found = await this.sessions.findOne({ _id: id });
    return found && toDomain(found);
  }

  /**
   * Swaps the current token for a new one in one conditional write: of two concurrent refreshes with
   * the same token, exactly one succeeds and the other sees a spent token.
   */
  async rotate(id: string, presentedHash: string, nextHash: string, expiresAt: Date, now: Date): Promise<Session | null> {
    const updated = await this.sessions.updateOne(
      { _id: id, tokenHash: presentedHash, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { tokenHash: nextHash, expiresAt }, $push: { spentHashes: { $each: [presentedHash], $slice: -SPENT_HISTORY } } },
    );
    return updated && toDomain(updated);
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    return (await this.sessions.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: now } })) !== null;
  }

  /** Revokes every live session of a user but one, and says which were revoked. */
  async revokeAllForUser(userId: string, now: Date, exceptId?: string): Promise<string[]> {
    const live = await this.sessions.find({ userId, revokedAt: null });
    const ids = live.map((s) => s._id).filter((id) => id !== exceptId);
    if (ids.length > 0) await this.sessions.updateMany({ _id: { $in: ids }, revokedAt: null }, { $set: { revokedAt: now } });
    return ids;
  }

  async deleteForUser(userId: string): Promise<number> {
    return this.sessions.deleteMany({ userId });
  }
}
