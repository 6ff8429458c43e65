import { ChunkRecord } from '../infrastructure/persistence/schemas/chunk.schema';
import { Domain } from '../infrastructure/persistence/stored';

export type Chunk = Domain<ChunkRecord>;

/** Which chunks `page` walks: all of them, one module's, or those with a vector by one model. */
export type ChunkPageFilter = { moduleId: string } | { embeddingModel: string } | Record<string, never>;

/**
 * The stored chunks, and the vectors every instance's local index is built from. MongoDB keeps
 * them in the `chunks` collection (`StoredChunksRepository`); the embedded store in LMDB
 * (`EmbeddedChunksRepository`), so that a large index does not have to be read at start.
 */
export abstract class ChunksRepository {
  /** Stores a resource's chunks (with their vectors, when already computed) in one write. */
  abstract insertMany(chunks: Chunk[]): Promise<void>;

  /** The chunks of these ids that exist, in no particular order. */
  abstract findByIds(ids: string[]): Promise<Chunk[]>;

  /** A resource's chunks in position order. */
  abstract findByResource(resourceId: string): Promise<Chunk[]>;

  /** In id order, `limit` at a time after `afterId` (rebuilds walk everything). */
  abstract page(afterId: string | undefined, limit: number, filter?: ChunkPageFilter): Promise<Chunk[]>;

  /** Stores the chunks' vectors (`embeddings[i]` for `ids[i]`) and the model that made them, in one write. */
  abstract setEmbeddings(ids: readonly string[], embeddings: readonly string[], embeddingModel: string): Promise<void>;

  /**
   * Chunks whose vector was made by another model than `embeddingModel`, or that were stored before
   * vectors were (no `embeddingModel` field at all); not those waiting for their first vector (null).
   */
  abstract countStale(embeddingModel: string): Promise<number>;

  abstract deleteByResource(resourceId: string): Promise<number>;

  abstract deleteByModule(moduleId: string): Promise<number>;

  abstract count(): Promise<number>;
}
