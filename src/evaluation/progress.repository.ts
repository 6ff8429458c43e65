import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { ProgressRecord, ProgressSchema } from '../infrastructure/persistence/schemas/progress.schema';
import { Domain, toDomain } from '../infrastructure/persistence/stored';
import { recencyWeight } from './mastery';

export type Progress = Domain<ProgressRecord>;

@Injectable()
export class ProgressRepository {
  private readonly progress: DocumentCollection<ProgressRecord>;

  constructor(store: DocumentStore) {
    this.progress = store.collection<ProgressRecord>({ name: 'progress', schema: ProgressSchema });
  }

  /** Counts one graded attempt: a single atomic upsert with increments. */
  async addAttempt(userId: string, moduleId: string, percentage: number, at: Date): Promise<void> {
    const weight = recencyWeight(at);
    await this.progress.updateOne(
      { _id: `${userId}:${moduleId}` },
      {
        $set: { userId, moduleId },
        $inc: { attempts: 1, percentSum: percentage, weight, weightedPercent: weight * percentage },
        $max: { lastAttemptAt: at },
      },
      { upsert: true },
    );
  }

  /** A teacher changed a grade's percentage: move the sums by the difference, at the grade's own weight. */
  async adjust(userId: string, moduleId: string, delta: number, gradedAt: Date): Promise<void> {
    await this.progress.updateOne(
      { _id: `${userId}:${moduleId}` },
      { $inc: { percentSum: delta, weightedPercent: recencyWeight(gradedAt) * delta } },
    );
  }

  /**
   * Sets a user's progress to what these grades make (one row per module they name), replacing
   * every row of theirs. Written with `$set`, not increments: two instances running the same
   * rebuild at once write the same figures.
   */
  async replaceForUser(userId: string, grades: readonly { moduleId: string | null; percentage: number; createdAt: Date }[]): Promise<void> {
    const rows = new Map<string, { attempts: number; percentSum: number; weight: number; weightedPercent: number; lastAttemptAt: Date }>();
    for (const grade of grades) {
      if (!grade.moduleId) continue;
      const weight = recencyWeight(grade.createdAt);
      const row = rows.get(grade.moduleId) ?? { attempts: 0, percentSum: 0, weight: 0, weightedPercent: 0, lastAttemptAt: grade.createdAt };
      rows.set(grade.moduleId, {
        attempts: row.attempts + 1,
        percentSum: row.percentSum + grade.percentage,
        weight: row.weight + weight,
        weightedPercent: row.weightedPercent + weight * grade.percentage,
        lastAttemptAt: grade.createdAt > row.lastAttemptAt ? grade.createdAt : row.lastAttemptAt,
      });
    }
    await this.progress.deleteMany({ userId, moduleId: { $nin: [...rows.keys()] } });
    for (const [moduleId, row] of rows) {
      await this.progress.updateOne({ _id: `${userId}:${moduleId}` }, { $set: { userId, moduleId, ...row } }, { upsert: true });
    }
  }

  async forUser(userId: string): Promise<Progress[]> {
    return (await this.progress.find({ userId }, { sort: { moduleId: 1 } })).map(toDomain);
  }

  async find(userId: string, moduleId: string): Promise<Progress | null> {
    const found = await this.progress.findOne({ _id: `${userId}:${moduleId}` });
    return found && toDomain(found);
  }

  deleteForUser(userId: string): Promise<number> {
    return this.progress.deleteMany({ userId });
  }
}
