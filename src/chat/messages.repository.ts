import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { MessageRecord, MessageSchema } from '../infrastructure/persistence/schemas/message.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Message = Domain<MessageRecord>;

@Injectable()
export class MessagesRepository {
  private readonly messages: DocumentCollection<MessageRecord>;

  constructor(store: DocumentStore) {
    this.messages = store.collection<MessageRecord>({ name: 'messages', schema: MessageSchema });
  }

  async create(message: Message): Promise<Message> {
    return toDomain(await this.messages.insertOne(toStored(message)));
  }

  /** The whole conversation in order. */
  async forConversation(conversationId: string): Promise<Message[]> {
    return (await this.messages.find({ conversationId }, { sort: { seq: 1 } })).map(toDomain);
  }

  /** The latest `limit` messages before `beforeSeq`, returned oldest first. */
  async recent(conversationId: string, beforeSeq: number, limit: number): Promise<Message[]> {
    const rows = await this.messages.find({ conversationId, seq: { $lt: beforeSeq } }, { sort: { seq: -1 }, limit });
    return rows.map(toDomain).reverse();
  }

  /** Messages in `[fromSeq, toSeq)`, oldest first (turns to fold into the summary). */
  async range(conversationId: string, fromSeq: number, toSeq: number): Promise<Message[]> {
    return (await this.messages.find({ conversationId, seq: { $gte: fromSeq, $lt: toSeq } }, { sort: { seq: 1 } })).map(toDomain);
  }

  deleteForConversation(conversationId: string): Promise<number> {
    return this.messages.deleteMany({ conversationId });
  }

  deleteForUser(userId: string): Promise<number> {
    return this.messages.deleteMany({ userId });
  }

  count(): Promise<number> {
    return this.messages.count({});
  }
}
