import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { DailyUsageRecord, DailyUsageSchema } from '../infrastructure/persistence/schemas/usage.schema';
import { Domain, toDomain } from '../infrastructure/persistence/stored';

export type DailyUsage = Domain<DailyUsageRecord>;

@Injectable()
export class UsageRepository {
  private readonly usage: DocumentCollection<DailyUsageRecord>;

  constructor(store: DocumentStore) {
    this.usage = store.collection<DailyUsageRecord>({ name: 'usage', schema: DailyUsageSchema });
  }

  /** One atomic upsert per model call: concurrent calls never lose a count. */
  async add(userId: string, day: string, promptTokens: number, completionTokens: number): Promise<void> {
    await this.usage.updateOne(
      { _id: `${userId}:${day}` },
      { $set: { userId, day }, $inc: { requests: 1, promptTokens, completionTokens } },
      { upsert: true },
    );
  }

  /** Days from `fromDay` to `toDay` (inclusive, `YYYY-MM-DD`), of one user or of everyone. */
  async between(fromDay: string, toDay: string, userId?: string): Promise<DailyUsage[]> {
    return (await this.usage.find({ ...(userId ? { userId } : {}), day: { $gte: fromDay, $lte: toDay } })).map(toDomain);
  }

  deleteForUser(userId: string): Promise<number> {
    return this.usage.deleteMany({ userId });
  }
}
