import type { Schema } from 'mongoose';

/** Every stored document has a 24-hex string id, in both storage modes. */
export interface StoredDocument {
  _id: string;
}

/** MongoDB-style filters and update operators: both adapters speak this same subset. */
export type Filter = Record<string, unknown>;
export type Update = Record<string, unknown>;

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
  skip?: number;
}

export interface UpdateOptions {
  upsert?: boolean;
}

/** What `group` computes over the matching documents: MongoDB's `$group` accumulators, by field name. */
export interface GroupSpec {
  /** Top-level field whose values form the groups (a missing value groups as null); unset: one group of every match. */
  by?: string;
  /** Numeric fields added up per group (non-numeric values count as 0, as `$sum` does). */
  sum?: readonly string[];
  /** Numeric fields averaged per group (null when the group holds no number, as `$avg` gives). */
  average?: readonly string[];
}

export interface GroupRow {
  key: string | number | null;
  count: number;
  sums: Record<string, number>;
  averages: Record<string, number | null>;
}

/**
 * One collection of documents. Writes are single-document atomic operations (update operators,
 * upserts, unique indexes), so a standalone MongoDB serves as well as a replica set.
 */
export interface DocumentCollection<T extends StoredDocument> {
  insertOne(document: T): Promise<T>;
  /**
   * Inserts every document in one write (one NeDB insert of the array; one MongoDB insertMany), each
   * validated as insertOne does first, so a refused document writes none. A duplicate key refuses
   * the whole batch on the embedded store; MongoDB keeps the documents before it (no transaction).
   */
  insertMany(documents: readonly T[]): Promise<void>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /**
   * Counts, sums and averages per group, in ascending key order (no row when nothing matches).
   * MongoDB computes them (an aggregation pipeline); the embedded store in the process.
   */
  group(filter: Filter, spec: GroupSpec): Promise<GroupRow[]>;
  /** Applies the update to the first match and returns the document as it is afterwards. */
  updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<T | null>;
  updateMany(filter: Filter, update: Update): Promise<number>;
  /**
   * Applies each update to the first match of its filter, sent together (one MongoDB bulkWrite);
   * returns how many documents changed. Each update is atomic on its own, not the batch.
   */
  updateEach(updates: readonly { filter: Filter; update: Update }[]): Promise<number>;
  deleteOne(filter: Filter): Promise<boolean>;
  deleteMany(filter: Filter): Promise<number>;
}

/** A collection's name and its Mongoose schema: the single description of its shape and indexes. */
export interface CollectionDefinition {
  name: string;
  schema: Schema;
}

export abstract class DocumentStore {
  abstract readonly kind: 'embedded' | 'mongodb';
  abstract collection<T extends StoredDocument>(definition: CollectionDefinition): DocumentCollection<T>;
  /**
   * Resolves once every collection handed out so far is usable (files read, indexes built); rejects
   * with a CollectionSetupError naming the collection otherwise. Start-up waits for it.
   */
  abstract ready(): Promise<void>;
  /** Resolves when the store answers; rejects otherwise (readiness). */
  abstract ping(): Promise<void>;
  /** Lets the store's own work in flight (index builds, file compaction) finish and releases what the store opened itself. */
  abstract close(): Promise<void>;
}

/** A unique index refused the write (for example a second account with the same email). */
export class DuplicateKeyError extends Error {
  constructor(readonly collection: string) {
    super(`Duplicate key in ${collection}`);
    this.name = 'DuplicateKeyError';
  }
}

/** A collection could not be prepared (its file read, or one of its indexes built). */
export class CollectionSetupError extends Error {
  constructor(
    readonly collection: string,
    cause: unknown,
  ) {
    super(`The ${collection} collection could not be prepared: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CollectionSetupError';
  }
}

/** The document store could not be reached or refused to work. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The document store is unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
