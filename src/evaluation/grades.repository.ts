import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { GradeRecord, GradeSchema } from '../infrastructure/persistence/schemas/grade.schema';
import { Domain, logQuery, LogWindow, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Grade = Domain<GradeRecord>;

export interface GradeFilter extends LogWindow {
  userId?: string;
  moduleId?: string;
  /** Set: only grades of these users or on these modules (an instructor's reach); unset: all. */
  within?: { userIds: readonly string[]; moduleIds: readonly string[] };
  limit: number;
}

@Injectable()
export class GradesRepository {
  private readonly grades: DocumentCollection<GradeRecord>;

  constructor(store: DocumentStore) {
    this.grades = store.collection<GradeRecord>({ name: 'grades', schema: GradeSchema });
  }

  async create(grade: Grade): Promise<Grade> {
    return toDomain(await this.grades.insertOne(toStored(grade)));
  }

  async findById(id: string): Promise<Grade | null> {
    const found = await this.grades.findOne({ _id: id });
    return found && toDomain(found);
  }

  /** Newest first, `limit + 1` rows. */
  async list(filter: GradeFilter): Promise<Grade[]> {
    const query = logQuery({ userId: filter.userId, moduleId: filter.moduleId }, filter);
    if (filter.within) query.$or = [{ userId: { $in: [...filter.within.userIds] } }, { moduleId: { $in: [...filter.within.moduleIds] } }];
    return (await this.grades.find(query, { sort: { _id: -1 }, limit: filter.limit + 1 })).map(toDomain);
  }

  /** A user's grades that count toward progress, oldest first (progress is rebuilt from them). */
  async countedForUser(userId: string): Promise<Grade[]> {
    return (await this.grades.find({ userId, countsTowardProgress: true }, { sort: { _id: 1 } })).map(toDomain);
  }

  /**
   * Applies a review only if the grade still has the percentage the reviewer's change was computed
   * from (null otherwise): progress moves by the difference, which must be the one really replaced.
   */
  async review(
    id: string,
    expectedPercentage: number,
    patch: Pick<Grade, 'score' | 'percentage' | 'feedback' | 'criteria' | 'original' | 'reviewedBy' | 'reviewedAt'>,
  ): Promise<Grade | null> {
    const updated = await this.grades.updateOne({ _id: id, percentage: expectedPercentage }, { $set: patch });
    return updated && toDomain(updated);
  }

  deleteForUser(userId: string): Promise<number> {
    return this.grades.deleteMany({ userId });
  }

  count(): Promise<number> {
    return this.grades.count({});
  }

  /** How many of a user's grades count, and their mean percentage (null when none does). */
  async countedSummary(userId: string): Promise<{ attempts: number; averagePercentage: number | null }> {
    const [row] = await this.grades.group({ userId, countsTowardProgress: true }, { average: ['percentage'] });
    return { attempts: row?.count ?? 0, averagePercentage: row?.averages.percentage ?? null };
  }

  /** Mean percentage of the grades that count (null when there is none), for the admin statistics. */
  async averageCountedPercentage(): Promise<number | null> {
    const [all] = await this.grades.group({ countsTowardProgress: true }, { average: ['percentage'] });
    return all?.averages.percentage ?? null;
  }

  // ---- first-release data (see legacy-evaluation-migration.ts) ---------------------------------

  /** The users who have grades written before grades said whether they count. */
  async usersWithUnmarkedGrades(): Promise<string[]> {
    const rows = await this.grades.group({ countsTowardProgress: { $exists: false } }, { by: 'userId' });
    return rows.map((row) => String(row.key));
  }

  /** Those of one user that will count once marked: they answered a stored question, against its server-side key. */
  async unmarkedCountingForUser(userId: string): Promise<Grade[]> {
    return (await this.grades.find({ userId, countsTowardProgress: { $exists: false }, questionId: { $ne: null } })).map(toDomain);
  }

  /** Marks them: those that answered a stored question count, the others are practice. */
  async markUnmarked(userId: string): Promise<void> {
    await this.grades.updateMany(
      { userId, countsTowardProgress: { $exists: false }, questionId: { $ne: null } },
      { $set: { countsTowardProgress: true } },
    );
    await this.grades.updateMany({ userId, countsTowardProgress: { $exists: false } }, { $set: { countsTowardProgress: false } });
  }
}
