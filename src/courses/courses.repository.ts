import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { CourseRecord, CourseSchema } from '../infrastructure/persistence/schemas/course.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Course = Domain<CourseRecord>;

@Injectable()
export class CoursesRepository {
  private readonly courses: DocumentCollection<CourseRecord>;

  constructor(store: DocumentStore) {
    this.courses = store.collection<CourseRecord>({ name: 'courses', schema: CourseSchema });
  }

  /** Throws DuplicateKeyError when the join code is already some course's (the unique index decides). */
  async create(course: Course): Promise<Course> {
    return toDomain(await this.courses.insertOne(toStored(course)));
  }

  async findById(id: string): Promise<Course | null> {
    const found = await this.courses.findOne({ _id: id });
    return found && toDomain(found);
  }

  async findByJoinCode(joinCode: string): Promise<Course | null> {
    const found = await this.courses.findOne({ joinCode });
    return found && toDomain(found);
  }

  /** Oldest first, `limit + 1` rows: every course, or those `instructorId` teaches. */
  async list(afterId: string | undefined, limit: number, instructorId?: string): Promise<Course[]> {
    const filter: Record<string, unknown> = {
      ...(afterId ? { _id: { $gt: afterId } } : {}),
      ...(instructorId ? { instructorIds: instructorId } : {}),
    };
    return (await this.courses.find(filter, { sort: { _id: 1 }, limit: limit + 1 })).map(toDomain);
  }

  /** The courses this user teaches (ids only: visibility and management checks). */
  async idsTaughtBy(userId: string): Promise<string[]> {
    return (await this.courses.find({ instructorIds: userId })).map((c) => c._id);
  }

  async findByIds(ids: string[]): Promise<Course[]> {
    return ids.length === 0 ? [] : (await this.courses.find({ _id: { $in: ids } })).map(toDomain);
  }

  async update(id: string, patch: Partial<Pick<Course, 'title' | 'description'>>, now: Date): Promise<Course | null> {
    const updated = await this.courses.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
    return updated && toDomain(updated);
  }

  /** Replaces the join code; the previous one matches no course afterwards. Throws DuplicateKeyError on a clash. */
  async replaceJoinCode(id: string, joinCode: string, now: Date): Promise<Course | null> {
    const updated = await this.courses.updateOne({ _id: id }, { $set: { joinCode, updatedAt: now } });
    return updated && toDomain(updated);
  }

  /**
   * Sets the instructor list only if nobody changed it since `revision` was read (null otherwise),
   * so two concurrent removals cannot both pass the "last instructor stays" check.
   */
  async replaceInstructors(id: string, revision: number, instructorIds: string[], now: Date): Promise<Course | null> {
    const updated = await this.courses.updateOne({ _id: id, revision }, { $set: { instructorIds, updatedAt: now }, $inc: { revision: 1 } });
    return updated && toDomain(updated);
  }

  /** A deleted account stops teaching every course (erasure). */
  async removeInstructorEverywhere(userId: string): Promise<number> {
    return this.courses.updateMany({ instructorIds: userId }, { $pull: { instructorIds: userId }, $inc: { revision: 1 } });
  }

  async delete(id: string): Promise<boolean> {
    return this.courses.deleteOne({ _id: id });
  }
}
