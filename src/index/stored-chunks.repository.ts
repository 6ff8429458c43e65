import { DocumentCollection, DocumentStore, Filter } from '../infrastructure/persistence/document-store';
import { ChunkRecord, ChunkSchema } from '../infrastructure/persistence/schemas/chunk.schema';
import { toDomain, toStored } from '../infrastructure/persistence/stored';
import { Chunk, ChunkPageFilter, ChunksRepository } from './chunks.repository';

/** The chunks in the document store's `chunks` collection: MongoDB, shared by every instance. */
export class StoredChunksRepository extends ChunksRepository {
  private readonly chunks: DocumentCollection<ChunkRecord>;

  constructor(store: DocumentStore) {
    super();
    this.chunks = store.collection<ChunkRecord>({ name: 'chunks', schema: ChunkSchema });
  }

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

  async page(afterId: string | undefined, limit: number, filter: ChunkPageFilter = {}): Promise<Chunk[]> {
    const query: Filter = { ...filter };
    if (afterId) query._id = { $gt: afterId };
    return (await this.chunks.find(query, { sort: { _id: 1 }, limit })).map(toDomain);
  }

  async setEmbeddings(ids: readonly string[], embeddings: readonly string[], embeddingModel: string): Promise<void> {
    await this.chunks.updateEach(
      ids.map((id, i) => ({ filter: { _id: id }, update: { $set: { embedding: embeddings[i], embeddingModel } } })),
    );
  }

  countStale(embeddingModel: string): Promise<number> {
    return this.chunks.count({ $or: [{ embeddingModel: { $exists: false } }, { embeddingModel: { $nin: [embeddingModel, null] } }] });
  }

  deleteByResource(resourceId: string): Promise<number> {
    return this.chunks.deleteMany({ resourceId });
  }

  deleteByModule(moduleId: string): Promise<number> {
    return this.chunks.deleteMany({ moduleId });
  }

  count(): Promise<number> {
    return this.chunks.count({});
  }
}
