import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Principal } from '../auth/principal';
import { newId } from '../common/ids';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { AuditEntryRecord, AuditEntrySchema } from '../infrastructure/persistence/schemas/audit-entry.schema';
import { Domain, logQuery, toDomain } from '../infrastructure/persistence/stored';

export type AuditEntry = Domain<AuditEntryRecord>;

export interface AuditQuery {
  actorId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  beforeId?: string;
  limit: number;
}

/** The record of every state-changing staff action: who did what to which thing, in which request. */
@Injectable()
export class AuditService {
  private readonly entries: DocumentCollection<AuditEntryRecord>;

  constructor(
    store: DocumentStore,
    private readonly clock: Clock,
  ) {
    this.entries = store.collection<AuditEntryRecord>({ name: 'audit', schema: AuditEntrySchema });
  }

  /** `actor` carries the id of the request the action was made in, which the entry keeps. */
  async record(
    actor: Pick<Principal, 'userId' | 'requestId'>,
    action: string,
    target: { type: string; id?: string | null },
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.entries.insertOne({
      _id: newId(),
      actorId: actor.userId,
      action,
      targetType: target.type,
      targetId: target.id ?? null,
      details,
      requestId: actor.requestId ?? null,
      createdAt: this.clock.now(),
    });
  }

  /** Newest first, `limit + 1` rows (the extra one tells whether there is a next page). */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const filter = logQuery({ actorId: query.actorId, action: query.action }, query);
    return (await this.entries.find(filter, { sort: { _id: -1 }, limit: query.limit + 1 })).map(toDomain);
  }
}
