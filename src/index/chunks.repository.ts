import { Injectable } from '@nestjs/common';
import { DocumentCollection, DocumentStore, Filter } from '../infrastructure/persistence/document-store';
import { ChunkRecord, ChunkSchema } from '../infrastructure/persistence/schemas/chunk.schema';
import { Domain, toDomain, toStored } from '../infrastructure/persistence/stored';

export type Chunk = Domain<ChunkRecord>;

@Injectable()
export class ChunksRepository {
  private readonly chunks: DocumentCollection<ChunkRecord>;

  constructor(store: DocumentStore) {
    this.chunks = store.collection<ChunkRecord>({ name: 'chunks', schema: ChunkSchema });
  }

  /** Stores a resource's chunks (with their vectors, when already computed) in one write. */
  insertMany(chunks: Chunk[]): Promise<void> {
    return this.chunks.insertMany(chunks.map((chunk) => toStored<ChunkRecord>(chunk)));
  }

  async findByIds(ids: string[]): Promise<Chunk[]> {
    if (ids.length === 0) return [];
    return (await this.chunks.find({ _id: { $in: ids } })).map(toDomain);
  }

  async findByResource(resourceId: string): Promise<Chunk[]> {
    return (await this.chunks.find({ resourceId }, { sort: { position: 1 } })).map(toDomain);
  }

  /** In resource and position order, `limit` at a time after `afterId` (rebuilds walk everything). */
  async page(afterId: string | undefined, limit: number, filter: Filter = {}): Promise<Chunk[]> {
    const query: Filter = { ...filter };
    if (afterId) query._id = { $gt: afterId };
    return (await this.chunks.find(query, { sort: { _id: 1 }, limit })).map(toDomain);
  }

  /** Stores the chunks' vectors (`embeddings[i]` for `ids[i]`) and the model that made them, in one write. */
  async setEmbeddings(ids: readonly string[], embeddings: readonly string[], embeddingModel: string): Promise<void> {
    await this.chunks.updateEach(
      ids.map((id, i) => ({ filter: { _id: id }, update: { $set: { embedding: embeddings[i], embeddingModel } } })),
    );
  }

  /**
   * Chunks whose vector was made by another model than `embeddingModel`, or that were stored before
   * vectors were (no `embeddingModel` field at all); not those waiting for their first vector (null).
   */
  countStale(embeddingModel: string): Promise<number> {
    return this.chunks.count({ $or: [{ embeddingModel: { $exists: false } }, { embeddingModel: { $nin: [embeddingModel, null] } }] });
  }

  async deleteByResource(resourceId: string): Promise<number> {
    return this.chunks.deleteMany({ resourceId });
  }

  async deleteByModule(moduleId: string): Promise<number> {
    return this.chunks.deleteMany({ moduleId });
  }

  async count(filter: Filter = {}): Promise<number> {
    return this.chunks.count(filter);
  }
}
