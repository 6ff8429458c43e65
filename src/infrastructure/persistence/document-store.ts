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

/**
 * One collection of documents. Writes are single-document atomic operations (update operators,
 * upserts, unique indexes), so a standalone MongoDB serves as well as a replica set.
 */
export interface DocumentCollection<T extends StoredDocument> {
  insertOne(document: T): Promise<T>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  /** Applies the update to the first match and returns the document as it is afterwards. */
  updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<T | null>;
  updateMany(filter: Filter, update: Update): Promise<number>;
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
  /** Resolves when the store answers; rejects otherwise (readiness). */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}

/** A unique index refused the write (for example a second account with the same email). */
export class DuplicateKeyError extends Error {
  constructor(readonly collection: string) {
    super(`Duplicate key in ${collection}`);
    this.name = 'DuplicateKeyError';
  }
}

/** The document store could not be reached or refused to work. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The document store is unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
