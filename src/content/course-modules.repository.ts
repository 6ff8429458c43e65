import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import { CourseModuleRecord, CourseModuleSchema } from '../infrastructure/persistence/schemas/course-module.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type CourseModule = Domain<CourseModuleRecord>;

@Injectable()
export class CourseModulesRepository {
  private readonly modules: DocumentCollection<CourseModuleRecord>;

  constructor(store: DocumentStore) {
    this.modules = store.collection<CourseModuleRecord>({ name: 'modules', schema: CourseModuleSchema });
  }

  async create(module: CourseModule): Promise<CourseModule> {
    return toDomain(await this.modules.insertOne(toStored(module)));
  }

  async findById(id: string): Promise<CourseModule | null> {
    const found = await this.modules.findOne({ _id: id });
    return found && toDomain(found);
  }

  async findBySeedKey(seedKey: string): Promise<CourseModule | null> {
    const found = await this.modules.findOne({ seedKey });
    return found && toDomain(found);
  }

  async findByIds(ids: string[]): Promise<CourseModule[]> {
    return (await this.modules.find({ _id: { $in: ids } })).map(toDomain);
  }

  /** Oldest first, `limit + 1` rows. */
  async list(afterId: string | undefined, limit: number): Promise<CourseModule[]> {
    return (await this.modules.find(afterId ? { _id: { $gt: afterId } } : {}, { sort: { _id: 1 }, limit: limit + 1 })).map(toDomain);
  }

  async update(id: string, patch: Partial<Pick<CourseModule, 'title' | 'description'>>, now: Date): Promise<CourseModule | null> {
    const updated = await this.modules.updateOne({ _id: id }, { $set: { ...patch, updatedAt: now } });
    return updated && toDomain(updated);
  }

  async adjustResourceCount(id: string, delta: number): Promise<void> {
    await this.modules.updateOne({ _id: id }, { $inc: { resourceCount: delta } });
  }

  async delete(id: string): Promise<boolean> {
    return this.modules.deleteOne({ _id: id });
  }

  async count(): Promise<number> {
    return this.modules.count({});
  }
}
