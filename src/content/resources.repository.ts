import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore, Filter } from '../infrastructure/persistence/document-store';
import { ResourceRecord, ResourceSchema, ResourceStatus } from '../infrastructure/persistence/schemas/resource.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Resource = Domain<ResourceRecord>;

@Injectable()
export class ResourcesRepository {
  private readonly resources: DocumentCollection<ResourceRecord>;

  constructor(store: DocumentStore) {
    this.resources = store.collection<ResourceRecord>({ name: 'resources', schema: ResourceSchema });
  }

  async create(resource: Resource): Promise<Resource> {
    return toDomain(await this.resources.insertOne(toStored(resource)));
  }

  async findById(id: string): Promise<Resource | null> {
    const found = await this.resources.findOne({ _id: id });
    return found && toDomain(found);
  }

  async findByIds(ids: string[]): Promise<Resource[]> {
    return (await this.resources.find({ _id: { $in: ids } })).map(toDomain);
  }

  /** Oldest first, `limit + 1` rows. */
  async listByModule(moduleId: string, afterId: string | undefined, limit: number): Promise<Resource[]> {
    const filter: Filter = { moduleId };
    if (afterId) filter._id = { $gt: afterId };
    return (await this.resources.find(filter, { sort: { _id: 1 }, limit: limit + 1 })).map(toDomain);
  }

  async listAll(filter: { moduleId?: string; status?: ResourceStatus } = {}): Promise<Resource[]> {
    return (await this.resources.find({ ...filter }, { sort: { _id: 1 } })).map(toDomain);
  }

  async setStatus(
    id: string,
    status: ResourceStatus,
    fields: { chunkCount?: number; error?: string | null } = {},
  ): Promise<Resource | null> {
    const updated = await this.resources.updateOne({ _id: id }, { $set: { status, ...fields } });
    return updated && toDomain(updated);
  }

  async delete(id: string): Promise<boolean> {
    return this.resources.deleteOne({ _id: id });
  }

  async deleteByModule(moduleId: string): Promise<number> {
    return this.resources.deleteMany({ moduleId });
  }

  async count(filter: { status?: ResourceStatus } = {}): Promise<number> {
    return this.resources.count({ ...filter });
  }
}
