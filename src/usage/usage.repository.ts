import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { DailyUsageRecord, DailyUsageSchema } from '../infrastructure/persistence/schemas/usage.schema';
import { Domain, toDomain } from '../infrastructure/persistence/stored';

export type DailyUsage = Domain<DailyUsageRecord>;
export type TokenCounts = Pick<DailyUsage, 'promptTokens' | 'completionTokens'>;

const TOKEN_FIELDS = ['promptTokens', 'completionTokens'] as const;

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

  /** Tokens of everyone, added up over the days from `fromDay` to `toDay` (inclusive). */
  async totals(fromDay: string, toDay: string): Promise<TokenCounts> {
    const [all] = await this.usage.group({ day: { $gte: fromDay, $lte: toDay } }, { sum: TOKEN_FIELDS });
    return { promptTokens: all?.sums.promptTokens ?? 0, completionTokens: all?.sums.completionTokens ?? 0 };
  }

  /** Tokens of everyone per day from `fromDay` to `toDay` (inclusive), oldest first; days without use are absent. */
  async totalsByDay(fromDay: string, toDay: string): Promise<(TokenCounts & { day: string })[]> {
    const rows = await this.usage.group({ day: { $gte: fromDay, $lte: toDay } }, { by: 'day', sum: TOKEN_FIELDS });
    return rows.map((row) => ({ day: String(row.key), promptTokens: row.sums.promptTokens, completionTokens: row.sums.completionTokens }));
  }

  deleteForUser(userId: string): Promise<number> {
    return this.usage.deleteMany({ userId });
  }
}
