import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { Model, Mongoose } from 'mongoose';
import {
  CollectionDefinition,
  CollectionSetupError,
  DocumentCollection,
  DocumentStore,
  DuplicateKeyError,
  Filter,
  FindOptions,
  GroupRow,
  GroupSpec,
  StoredDocument,
  Update,
  UpdateOptions,
} from '../document-store';
import { groupFields, groupInProcess } from '../grouping';

/** Compaction rewrites each append-only file so it does not grow without end. */
const COMPACTION_INTERVAL_MS = 10 * 60_000;

/**
 * File-backed store for running with nothing configured: one NeDB append-only file per collection
 * under DATA_DIR. Documents pass through the same Mongoose schema as in MongoDB mode (a model that
 * is never connected), so defaults, validation and unique indexes are declared once.
 */
export class EmbeddedDocumentStore extends DocumentStore {
  readonly kind = 'embedded' as const;
  private readonly mongoose = new Mongoose();
  private readonly collections = new Map<string, EmbeddedCollection<StoredDocument>>();
  private readonly loading: Promise<void>[] = [];

  constructor(private readonly directory: string) {
    super();
    mkdirSync(directory, { recursive: true });
  }

  collection<T extends StoredDocument>(definition: CollectionDefinition): DocumentCollection<T> {
    let collection = this.collections.get(definition.name);
    if (!collection) {
      const datastore = new Datastore<Record<string, unknown>>({ filename: join(this.directory, `${definition.name}.db`) });
      const model = this.mongoose.model<Record<string, unknown>>(definition.name, definition.schema);
      collection = new EmbeddedCollection(definition.name, datastore, model);
      const loading = collection.load(definition);
      // Failures are reported by ready() and by every operation on the collection, not as unhandled rejections.
      loading.catch(() => undefined);
      this.loading.push(loading);
      datastore.setAutocompactionInterval(COMPACTION_INTERVAL_MS);
      this.collections.set(definition.name, collection);
    }
    return collection as unknown as DocumentCollection<T>;
  }

  /** Resolves once every collection file is read and its indexes are built. */
  async ready(): Promise<void> {
    await Promise.all(this.loading);
  }

  async ping(): Promise<void> {
    await this.ready();
  }

  async close(): Promise<void> {
    await this.ready().catch(() => undefined);
    for (const collection of this.collections.values()) await collection.close();
    this.collections.clear();
  }
}

class EmbeddedCollection<T extends StoredDocument> implements DocumentCollection<T> {
  private loaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly datastore: Datastore<Record<string, unknown>>,
    private readonly model: Model<Record<string, unknown>>,
  ) {}

  load(definition: CollectionDefinition): Promise<void> {
    this.loaded = (async () => {
      try {
        await this.datastore.loadDatabaseAsync();
        for (const [fields, options] of definition.schema.indexes()) {
          const names = Object.keys(fields);
          await this.datastore.ensureIndexAsync({
            fieldName: names.length === 1 ? names[0] : names,
            unique: Boolean(options?.unique),
            sparse: Boolean(options?.sparse),
            ...(options?.expireAfterSeconds !== undefined ? { expireAfterSeconds: options.expireAfterSeconds } : {}),
          });
        }
      } catch (error) {
        throw new CollectionSetupError(this.name, error);
      }
    })();
    return this.loaded;
  }

  async insertOne(document: T): Promise<T> {
    await this.loaded;
    const plain = await this.prepare(document);
    return this.guard(() => this.datastore.insertAsync(plain)) as unknown as Promise<T>;
  }

  async insertMany(documents: readonly T[]): Promise<void> {
    await this.loaded;
    if (documents.length === 0) return;
    const plain = await Promise.all(documents.map((document) => this.prepare(document)));
    await this.guard(() => this.datastore.insertAsync(plain));
  }

  async findOne(filter: Filter): Promise<T | null> {
    await this.loaded;
    return (await this.datastore.findOneAsync(filter)) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    await this.loaded;
    let cursor = this.datastore.findAsync(filter);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return (await cursor) as unknown as T[];
  }

  async count(filter: Filter): Promise<number> {
    await this.loaded;
    return this.datastore.countAsync(filter);
  }

  async group(filter: Filter, spec: GroupSpec): Promise<GroupRow[]> {
    await this.loaded;
    const projection = Object.fromEntries(groupFields(spec).map((field) => [field, 1]));
    return groupInProcess(await this.datastore.findAsync(filter, projection), spec);
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<T | null> {
    await this.loaded;
    await this.validateSet(update);
    const result = await this.guard(() =>
      this.datastore.updateAsync(filter, update, { multi: false, upsert: Boolean(options.upsert), returnUpdatedDocs: true }),
    );
    return (result.affectedDocuments as T | null) ?? null;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    await this.loaded;
    await this.validateSet(update);
    const result = await this.guard(() => this.datastore.updateAsync(filter, update, { multi: true }));
    return result.numAffected;
  }

  /** NeDB has no bulk update: the updates run one after the other, in memory, each one appended to the file. */
  async updateEach(updates: readonly { filter: Filter; update: Update }[]): Promise<number> {
    await this.loaded;
    for (const { update } of updates) await this.validateSet(update);
    let changed = 0;
    for (const { filter, update } of updates)
      changed += (await this.guard(() => this.datastore.updateAsync(filter, update, { multi: false }))).numAffected;
    return changed;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    await this.loaded;
    return (await this.datastore.removeAsync(filter, { multi: false })) > 0;
  }

  async deleteMany(filter: Filter): Promise<number> {
    await this.loaded;
    return this.datastore.removeAsync(filter, { multi: true });
  }

  async close(): Promise<void> {
    this.datastore.stopAutocompaction();
    await this.datastore.compactDatafileAsync().catch(() => undefined);
  }

  /** `$set` values are checked against the schema, as MongoDB mode does with runValidators. */
  private async validateSet(update: Update): Promise<void> {
    const set = update.$set as Record<string, unknown> | undefined;
    if (set && Object.keys(set).length > 0) await this.model.validate(set, Object.keys(set));
  }

  /** Applies the schema's defaults and validation, as MongoDB mode does on insert. */
  private async prepare(document: T): Promise<Record<string, unknown>> {
    const prepared = new this.model(document);
    await prepared.validate();
    return prepared.toObject({ versionKey: false }) as Record<string, unknown>;
  }

  private async guard<R>(write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } catch (error) {
      if ((error as { errorType?: string }).errorType === 'uniqueViolated') throw new DuplicateKeyError(this.name);
      throw error;
    }
  }
}
