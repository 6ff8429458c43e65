import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore, Filter } from '../infrastructure/persistence/document-store';
import { CourseModuleRecord, CourseModuleSchema } from '../infrastructure/persistence/schemas/course-module.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type CourseModule = Domain<CourseModuleRecord>;

/**
 * Which modules a reader reaches: every one (admins), or the open modules and those of the given
 * courses. `courseId` narrows either to one course (null: the open modules only).
 */
export interface ModuleScope {
  all: boolean;
  courseIds: readonly string[];
  courseId?: string | null;
}

/** Modules written by the first release have no course or owner fields yet: they read as open, unowned. */
function toModule(stored: CourseModuleRecord): CourseModule {
  const module = toDomain(stored);
  return { ...module, courseId: module.courseId ?? null, ownerId: module.ownerId ?? null };
}

/** Open modules have `courseId: null`; first-release ones have no field at all until migrated. */
const OPEN: Filter = { $or: [{ courseId: null }, { courseId: { $exists: false } }] };

function scopeFilter(scope: ModuleScope): Filter {
  if (scope.courseId === null) return OPEN;
  if (scope.courseId !== undefined)
    return scope.all || scope.courseIds.includes(scope.courseId) ? { courseId: scope.courseId } : { _id: null };
  if (scope.all) return {};
  return { $or: [...(OPEN.$or as Filter[]), { courseId: { $in: [...scope.courseIds] } }] };
}

@Injectable()
export class CourseModulesRepository {
  private readonly modules: DocumentCollection<CourseModuleRecord>;

  constructor(store: DocumentStore) {
    this.modules = store.collection<CourseModuleRecord>({ name: 'modules', schema: CourseModuleSchema });
  }

  async create(module: CourseModule): Promise<CourseModule> {
    return toModule(await this.modules.insertOne(toStored(module)));
  }

  async findById(id: string): Promise<CourseModule | null> {
    const found = await this.modules.findOne({ _id: id });
    return found && toModule(found);
  }

  async findBySeedKey(seedKey: string): Promise<CourseModule | null> {
    const found = await this.modules.findOne({ seedKey });
    return found && toModule(found);
  }

  async findByIds(ids: string[]): Promise<CourseModule[]> {
    return (await this.modules.find({ _id: { $in: ids } })).map(toModule);
  }

  /** Oldest first, `limit + 1` rows, within the reader's scope. */
  async list(scope: ModuleScope, afterId: string | undefined, limit: number): Promise<CourseModule[]> {
    const filter: Filter = { ...scopeFilter(scope), ...(afterId ? { _id: { $gt: afterId } } : {}) };
    return (await this.modules.find(filter, { sort: { _id: 1 }, limit: limit + 1 })).map(toModule);
  }

  /** The ids of every module within the scope (for search and retrieval filters). */
  async idsIn(scope: ModuleScope): Promise<string[]> {
    return (await this.modules.find(scopeFilter(scope))).map((m) => m._id);
  }

  /** The ids of the modules of these courses and of the open modules `ownerId` owns. */
  async idsManaged(courseIds: readonly string[], ownerId: string): Promise<string[]> {
    const filter = { $or: [{ courseId: { $in: [...courseIds] } }, { courseId: null, ownerId }] };
    return (await this.modules.find(filter)).map((m) => m._id);
  }

  async listByCourse(courseId: string): Promise<CourseModule[]> {
    return (await this.modules.find({ courseId }, { sort: { _id: 1 } })).map(toModule);
  }

  async countByCourse(courseId: string): Promise<number> {
    return this.modules.count({ courseId });
  }

  async update(id: string, patch: Partial<Pick<CourseModule, 'title' | 'description'>>, now: Date): Promise<CourseModule | null> {
    const updated = await this.modules.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
    return updated && toModule(updated);
  }

  async adjustResourceCount(id: string, delta: number): Promise<void> {
    await this.modules.updateOne({ _id: id }, { $inc: { resourceCount: delta } });
  }

  /**
   * Gives the modules of the first release (no `courseId`/`ownerId` fields) their second-release
   * shape: open, owned by `ownerId`. Idempotent: migrated modules no longer match. Returns how many changed.
   */
  async adoptLegacy(ownerId: string | null): Promise<number> {
    const opened = await this.modules.updateMany({ courseId: { $exists: false } }, { $set: { courseId: null } });
    const owned = ownerId === null ? 0 : await this.modules.updateMany({ ownerId: { $exists: false } }, { $set: { ownerId } });
    return Math.max(opened, owned);
  }

  async delete(id: string): Promise<boolean> {
    return this.modules.deleteOne({ _id: id });
  }

  async count(): Promise<number> {
    return this.modules.count({});
  }
}
