import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore, DuplicateKeyError } from '../infrastructure/persistence/document-store';
import { EnrollmentRecord, EnrollmentSchema } from '../infrastructure/persistence/schemas/enrollment.schema';
import { Domain, toDomain } from '../infrastructure/persistence/stored';

export type Enrollment = Domain<EnrollmentRecord>;

const enrollmentId = (courseId: string, userId: string) => `${courseId}:${userId}`;

@Injectable()
export class EnrollmentsRepository {
  private readonly enrollments: DocumentCollection<EnrollmentRecord>;

  constructor(store: DocumentStore) {
    this.enrollments = store.collection<EnrollmentRecord>({ name: 'enrollments', schema: EnrollmentSchema });
  }

  /** Idempotent: `created` is false when the student was already enrolled (the stored enrollment is returned). */
  async enroll(courseId: string, userId: string, now: Date): Promise<{ enrollment: Enrollment; created: boolean }> {
    const _id = enrollmentId(courseId, userId);
    try {
      return { enrollment: toDomain(await this.enrollments.insertOne({ _id, courseId, userId, enrolledAt: now })), created: true };
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      const existing = await this.enrollments.findOne({ _id });
      if (!existing) throw error;
      return { enrollment: toDomain(existing), created: false };
    }
  }

  async find(courseId: string, userId: string): Promise<Enrollment | null> {
    const found = await this.enrollments.findOne({ _id: enrollmentId(courseId, userId) });
    return found && toDomain(found);
  }

  /** A student's enrollments ordered by course id, `limit + 1` rows after `afterCourseId`. */
  async listForUser(userId: string, afterCourseId: string | undefined, limit: number): Promise<Enrollment[]> {
    const filter = { userId, ...(afterCourseId ? { courseId: { $gt: afterCourseId } } : {}) };
    return (await this.enrollments.find(filter, { sort: { courseId: 1 }, limit: limit + 1 })).map(toDomain);
  }

  /** A course's students ordered by user id, `limit + 1` rows after `afterUserId`. */
  async listForCourse(courseId: string, afterUserId: string | undefined, limit: number): Promise<Enrollment[]> {
    const filter = { courseId, ...(afterUserId ? { userId: { $gt: afterUserId } } : {}) };
    return (await this.enrollments.find(filter, { sort: { userId: 1 }, limit: limit + 1 })).map(toDomain);
  }

  /** Every course the student is enrolled in (ids only: visibility checks). */
  async courseIdsOf(userId: string): Promise<string[]> {
    return (await this.enrollments.find({ userId })).map((e) => e.courseId);
  }

  /** The students of any of these courses (ids only: the scope of an instructor's grade log). */
  async studentIdsOf(courseIds: readonly string[]): Promise<string[]> {
    if (courseIds.length === 0) return [];
    return [...new Set((await this.enrollments.find({ courseId: { $in: [...courseIds] } })).map((e) => e.userId))];
  }

  async countForCourse(courseId: string): Promise<number> {
    return this.enrollments.count({ courseId });
  }

  async remove(courseId: string, userId: string): Promise<boolean> {
    return this.enrollments.deleteOne({ _id: enrollmentId(courseId, userId) });
  }

  async removeCourse(courseId: string): Promise<number> {
    return this.enrollments.deleteMany({ courseId });
  }

  async removeUser(userId: string): Promise<number> {
    return this.enrollments.deleteMany({ userId });
  }
}
