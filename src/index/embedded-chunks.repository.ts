import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { Logger } from '@nestjs/common';
import type { Database } from 'lmdb';
import { DuplicateKeyError } from '../infrastructure/persistence/document-store';
import { EmbeddedRecordStore } from '../infrastructure/persistence/embedded/embedded-record-store';
import { Chunk, ChunkPageFilter, ChunksRepository } from './chunks.repository';

type ChunkValue = Omit<Chunk, 'id'>;

/** Separates the parts of an index key: ids and model names never hold it. */
const SEP = '\u0000';
/** Sorts right after SEP: `prefix + SEP` up to `prefix + END` spans every key under `prefix`. */
const END = '\u0001';
/** Index keys for a chunk waiting for its first vector, and for one stored before vectors were. */
const NO_VECTOR_YET = '\u0001pending';
const NO_MODEL_FIELD = '\u0001legacy';
/** Chunks moved from an older version's NeDB file per transaction. */
const IMPORT_BATCH = 5_000;

/**
 * The embedded store's chunks, in LMDB (see `EmbeddedRecordStore` for why not NeDB): one database
 * of chunks by id, and three of keys only, kept in the same transactions, that find a resource's
 * chunks in position order, a module's, and those with a vector by a given model. A start reads
 * none of it; a search reads the few chunks it returns.
 */
export class EmbeddedChunksRepository extends ChunksRepository {
  private readonly logger = new Logger('Index');
  private readonly chunks: Database<ChunkValue, string>;
  private readonly byResource: Database<true, string>;
  private readonly byModule: Database<true, string>;
  private readonly byModel: Database<true, string>;

  private constructor(private readonly records: EmbeddedRecordStore) {
    super();
    this.chunks = records.database<ChunkValue>('chunks');
    this.byResource = records.database<true>('chunks-by-resource');
    this.byModule = records.database<true>('chunks-by-module');
    this.byModel = records.database<true>('chunks-by-model');
  }

  /** Opens the chunks, first moving in those an earlier version kept in `DATA_DIR/chunks.db`. */
  static async open(records: EmbeddedRecordStore): Promise<EmbeddedChunksRepository> {
    const repository = new EmbeddedChunksRepository(records);
    await repository.importNeDbFile(join(records.directory, 'chunks.db'));
    return repository;
  }

  insertMany(chunks: Chunk[]): Promise<void> {
    return this.records.transaction(() => {
      // Like a unique index: a duplicate refuses the whole batch, checked before anything is written.
      if (chunks.some((chunk) => this.chunks.doesExist(chunk.id))) throw new DuplicateKeyError('chunks');
      for (const chunk of chunks) this.write(chunk);
    });
  }

  findByIds(ids: string[]): Promise<Chunk[]> {
    return settled(() => ids.flatMap((id) => this.read(id) ?? []));
  }

  findByResource(resourceId: string): Promise<Chunk[]> {
    return settled(() => this.idsUnder(this.byResource, resourceId).flatMap((id) => this.read(id) ?? []));
  }

  page(afterId: string | undefined, limit: number, filter: ChunkPageFilter = {}): Promise<Chunk[]> {
    return settled(() => this.pageNow(afterId, limit, filter));
  }

  private pageNow(afterId: string | undefined, limit: number, filter: ChunkPageFilter): Chunk[] {
    const prefix = 'moduleId' in filter ? filter.moduleId : 'embeddingModel' in filter ? filter.embeddingModel : undefined;
    if (prefix === undefined) {
      const range = this.chunks.getRange({ start: afterId === undefined ? undefined : afterId + SEP, limit });
      return Array.from(range, ({ key, value }) => ({ id: key, ...value }));
    }
    const keys = 'moduleId' in filter ? this.byModule : this.byModel;
    const start = afterId === undefined ? prefix + SEP : prefix + SEP + afterId + SEP;
    const ids = Array.from(keys.getKeys({ start, end: prefix + END, limit }), idOf);
    return ids.flatMap((id) => this.read(id) ?? []);
  }

  setEmbeddings(ids: readonly string[], embeddings: readonly string[], embeddingModel: string): Promise<void> {
    return this.records.transaction(() => {
      ids.forEach((id, i) => {
        const value = this.chunks.get(id);
        if (!value) return;
        // Only the model key moves: resource, position and module stay.
        this.byModel.removeSync(modelKey(value) + SEP + id);
        this.chunks.putSync(id, { ...value, embedding: embeddings[i]!, embeddingModel });
        this.byModel.putSync(embeddingModel + SEP + id, true);
      });
    });
  }

  countStale(embeddingModel: string): Promise<number> {
    return settled(
      () => this.chunks.getKeysCount() - this.countUnder(this.byModel, embeddingModel) - this.countUnder(this.byModel, NO_VECTOR_YET),
    );
  }

  deleteByResource(resourceId: string): Promise<number> {
    return this.remove(this.byResource, resourceId);
  }

  deleteByModule(moduleId: string): Promise<number> {
    return this.remove(this.byModule, moduleId);
  }

  count(): Promise<number> {
    return settled(() => this.chunks.getKeysCount());
  }

  private read(id: string): Chunk | undefined {
    const value = this.chunks.get(id);
    return value === undefined ? undefined : { id, ...value };
  }

  /** Puts the chunk and its three index keys (inside a transaction). */
  private write(chunk: Chunk): void {
    const { id, ...value } = chunk;
    this.chunks.putSync(id, value);
    this.byResource.putSync(resourceKey(chunk), true);
    this.byModule.putSync(chunk.moduleId + SEP + id, true);
    this.byModel.putSync(modelKey(chunk) + SEP + id, true);
  }

  private remove(keys: Database<true, string>, prefix: string): Promise<number> {
    return this.records.transaction(() => {
      const ids = this.idsUnder(keys, prefix);
      for (const id of ids) {
        const chunk = this.read(id);
        if (!chunk) continue;
        this.chunks.removeSync(id);
        this.byResource.removeSync(resourceKey(chunk));
        this.byModule.removeSync(chunk.moduleId + SEP + id);
        this.byModel.removeSync(modelKey(chunk) + SEP + id);
      }
      return ids.length;
    });
  }

  private idsUnder(keys: Database<true, string>, prefix: string): string[] {
    return Array.from(keys.getKeys({ start: prefix + SEP, end: prefix + END }), idOf);
  }

  private countUnder(keys: Database<true, string>, prefix: string): number {
    return keys.getKeysCount({ start: prefix + SEP, end: prefix + END });
  }

  /**
   * Versions before this one kept chunks in NeDB (`chunks.db`, read whole at every start). Its
   * chunks move here once, those already here (a move cut short) skipped; the file goes only after
   * every chunk is committed, so a crash on the way moves again at the next start, losing nothing.
   */
  private async importNeDbFile(file: string): Promise<void> {
    if (!existsSync(file)) return;
    const old = new Datastore<Record<string, unknown>>({ filename: file });
    await old.loadDatabaseAsync();
    const documents = await old.findAsync({});
    for (let from = 0; from < documents.length; from += IMPORT_BATCH) {
      const batch = documents.slice(from, from + IMPORT_BATCH).map(fromNeDb);
      await this.records.transaction(() => {
        for (const chunk of batch) if (!this.chunks.doesExist(chunk.id)) this.write(chunk);
      });
    }
    await rm(file, { force: true });
    await rm(`${file}~`, { force: true });
    this.logger.log(`Moved ${documents.length} chunk(s) from ${file} into the embedded record store.`);
  }
}

/** LMDB answers synchronously; a failure still reaches the caller as a rejection, never as a throw. */
function settled<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

function resourceKey(chunk: Pick<Chunk, 'id' | 'resourceId' | 'position'>): string {
  return chunk.resourceId + SEP + String(chunk.position).padStart(12, '0') + SEP + chunk.id;
}

function modelKey(chunk: Partial<Pick<Chunk, 'embeddingModel'>>): string {
  if (!('embeddingModel' in chunk) || chunk.embeddingModel === undefined) return NO_MODEL_FIELD;
  return chunk.embeddingModel ?? NO_VECTOR_YET;
}

function idOf(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}

/** A chunk as NeDB returned it: `_id`, and no vector fields when it was stored before vectors were. */
function fromNeDb(document: Record<string, unknown>): Chunk {
  const { _id, ...rest } = document;
  return { page: null, heading: null, embedding: null, ...rest, id: _id } as Chunk;
}
