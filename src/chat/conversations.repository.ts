import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { ConversationRecord, ConversationSchema } from '../infrastructure/persistence/schemas/conversation.schema';
import { Domain, logQuery, LogWindow, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Conversation = Domain<ConversationRecord>;

export interface ConversationFilter extends LogWindow {
  userId?: string;
  moduleId?: string;
  limit: number;
}

@Injectable()
export class ConversationsRepository {
  private readonly conversations: DocumentCollection<ConversationRecord>;

  constructor(store: DocumentStore) {
    this.conversations = store.collection<ConversationRecord>({ name: 'conversations', schema: ConversationSchema });
  }

  async create(conversation: Conversation): Promise<Conversation> {
    return toDomain(await this.conversations.insertOne(toStored(conversation)));
  }

  async findById(id: string): Promise<Conversation | null> {
    const found = await this.conversations.findOne({ _id: id });
    return found && toDomain(found);
  }

  /**
   * Reserves `count` consecutive sequence numbers and returns the first, counting `stored` messages
   * (those about to be written): one atomic increment. A number whose message may never exist (an
   * answer the model can still fail to give) is counted by `addMessage` once it does.
   */
  async reserveSeq(id: string, count: number, now: Date, stored = count): Promise<number> {
    const updated = await this.conversations.updateOne(
      { _id: id },
      { $inc: { nextSeq: count, messageCount: stored }, $set: { updatedAt: now } },
    );
    if (!updated) throw new Error(`conversation ${id} vanished`);
    return updated.nextSeq - count;
  }

  /** Counts a message stored under a number reserved earlier. */
  async addMessage(id: string, now: Date): Promise<Conversation | null> {
    const updated = await this.conversations.updateOne({ _id: id }, { $inc: { messageCount: 1 }, $set: { updatedAt: now } });
    return updated && toDomain(updated);
  }

  async update(
    id: string,
    patch: Partial<Pick<Conversation, 'title' | 'summary' | 'summarizedBefore' | 'updatedAt'>>,
  ): Promise<Conversation | null> {
    const updated = await this.conversations.updateOne({ _id: id }, { $set: patch });
    return updated && toDomain(updated);
  }

  /** Newest first, `limit + 1` rows. */
  async list(filter: ConversationFilter): Promise<Conversation[]> {
    const query = logQuery({ userId: filter.userId, moduleId: filter.moduleId }, filter);
    return (await this.conversations.find(query, { sort: { _id: -1 }, limit: filter.limit + 1 })).map(toDomain);
  }

  delete(id: string): Promise<boolean> {
    return this.conversations.deleteOne({ _id: id });
  }

  deleteForUser(userId: string): Promise<number> {
    return this.conversations.deleteMany({ userId });
  }

  count(): Promise<number> {
    return this.conversations.count({});
  }
}
