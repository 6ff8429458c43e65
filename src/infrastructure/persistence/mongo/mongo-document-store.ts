import { Connection, Model } from 'mongoose';
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
import { groupFields } from '../grouping';

const DUPLICATE_KEY = 11000;

/**
 * MongoDB through Mongoose: the production store. The connection and the models are Nest's
 * (`MongooseModule.forRootAsync` and `forFeature`, see mongo-persistence.ts), and so is closing the
 * connection. Repositories get plain objects (lean), never documents.
 */
export class MongoDocumentStore extends DocumentStore {
  readonly kind = 'mongodb' as const;
  /** Models by collection name. */
  private readonly models = new Map<string, Model<StoredDocument>>();
  private readonly collections = new Map<string, MongoCollection<StoredDocument>>();
  /** Each collection's index build, started once. */
  private readonly builds = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: Connection,
    models: readonly Model<StoredDocument>[] = [],
  ) {
    super();
    for (const model of models) this.models.set(model.collection.collectionName, model);
  }

  collection<T extends StoredDocument>(definition: CollectionDefinition): DocumentCollection<T> {
    let collection = this.collections.get(definition.name);
    if (!collection) {
      const model = this.modelFor(definition);
      collection = new MongoCollection(definition.name, model, () => this.indexesOf(definition.name, model));
      this.collections.set(definition.name, collection);
      void this.indexesOf(definition.name, model);
    }
    return collection as unknown as DocumentCollection<T>;
  }

  /** Builds the indexes of every model, also those no repository has asked for yet. */
  async ready(): Promise<void> {
    await Promise.all([...this.models].map(([name, model]) => this.indexesOf(name, model)));
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    await db.admin().ping();
  }

  /** Closing the connection under an index build would fail it (MongoTopologyClosedError), so builds finish first. */
  async close(): Promise<void> {
    await Promise.allSettled(this.builds.values());
  }

  private modelFor(definition: CollectionDefinition): Model<StoredDocument> {
    const registered = this.models.get(definition.name);
    if (registered) {
      if (registered.schema !== definition.schema) throw new Error(`The ${definition.name} collection is registered with another schema.`);
      return registered;
    }
    // A collection the persistence module does not declare (the contract suites' own) gets its model here.
    const model = this.connection.model<StoredDocument>(definition.name, definition.schema, definition.name);
    this.models.set(definition.name, model);
    return model;
  }

  /**
   * Unique indexes must exist before the first write, or MongoDB would not enforce them; with
   * autoIndex off (mongo-persistence.ts) nothing builds them but this, once per collection.
   */
  private indexesOf(name: string, model: Model<StoredDocument>): Promise<void> {
    let build = this.builds.get(name);
    if (!build) {
      build = (async () => {
        try {
          await model.init();
          await model.createIndexes();
        } catch (error) {
          throw new CollectionSetupError(name, error);
        }
      })();
      // Reported by ready() and by every operation on the collection, never as an unhandled rejection.
      build.catch(() => undefined);
      this.builds.set(name, build);
    }
    return build;
  }
}

class MongoCollection<T extends StoredDocument> implements DocumentCollection<T> {
  private indexed = false;

  constructor(
    private readonly name: string,
    private readonly model: Model<StoredDocument>,
    private readonly buildIndexes: () => Promise<void>,
  ) {}

  async insertOne(document: T): Promise<T> {
    await this.prepared();
    const created = await this.guard(() => this.model.create(document));
    return created.toObject({ versionKey: false }) as unknown as T;
  }

  async insertMany(documents: readonly T[]): Promise<void> {
    await this.prepared();
    if (documents.length === 0) return;
    // Validated (with defaults) before anything is sent, so a refused document writes none.
    const validated = documents.map((document) => new this.model(document));
    await Promise.all(validated.map((document) => document.validate()));
    const plain = validated.map((document) => document.toObject({ versionKey: false }));
    await this.guard(() => this.model.insertMany(plain, { ordered: true, lean: true }));
  }

  async findOne(filter: Filter): Promise<T | null> {
    await this.prepared();
    return (await this.model.findOne(filter).lean().exec()) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    await this.prepared();
    let query = this.model.find(filter);
    if (options.sort) query = query.sort(options.sort);
    if (options.skip) query = query.skip(options.skip);
    if (options.limit) query = query.limit(options.limit);
    return (await query.lean().exec()) as unknown as T[];
  }

  async count(filter: Filter): Promise<number> {
    await this.prepared();
    return this.model.countDocuments(filter).exec();
  }

  async group(filter: Filter, spec: GroupSpec): Promise<GroupRow[]> {
    await this.prepared();
    groupFields(spec);
    const sums = spec.sum ?? [];
    const averages = spec.average ?? [];
    const accumulators: Record<string, unknown> = { count: { $sum: 1 } };
    sums.forEach((field, i) => (accumulators[`sum${i}`] = { $sum: `$${field}` }));
    averages.forEach((field, i) => (accumulators[`average${i}`] = { $avg: `$${field}` }));
    const rows = await this.model
      .aggregate<Record<string, unknown>>([
        { $match: filter },
        { $group: { _id: spec.by === undefined ? null : `$${spec.by}`, ...accumulators } },
        { $sort: { _id: 1 } },
      ])
      .exec();
    return rows.map((row) => ({
      key: (row._id ?? null) as GroupRow['key'],
      count: row.count as number,
      sums: Object.fromEntries(sums.map((field, i) => [field, row[`sum${i}`] as number])),
      averages: Object.fromEntries(averages.map((field, i) => [field, (row[`average${i}`] ?? null) as number | null])),
    }));
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<T | null> {
    await this.prepared();
    const updated = await this.guard(() =>
      this.model
        .findOneAndUpdate(filter, update, {
          returnDocument: 'after',
          upsert: Boolean(options.upsert),
          runValidators: true,
          setDefaultsOnInsert: true,
        })
        .lean()
        .exec(),
    );
    return (updated as T | null) ?? null;
  }

  async updateMany(filter: Filter, update: Update): Promise<number> {
    await this.prepared();
    const result = await this.guard(() => this.model.updateMany(filter, update, { runValidators: true }).exec());
    return result.modifiedCount;
  }

  async updateEach(updates: readonly { filter: Filter; update: Update }[]): Promise<number> {
    await this.prepared();
    if (updates.length === 0) return 0;
    const result = await this.guard(() =>
      this.model.bulkWrite(
        updates.map(({ filter, update }) => ({ updateOne: { filter, update } })),
        { ordered: false },
      ),
    );
    return result.modifiedCount;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    await this.prepared();
    return (await this.model.deleteOne(filter).exec()).deletedCount > 0;
  }

  async deleteMany(filter: Filter): Promise<number> {
    await this.prepared();
    return (await this.model.deleteMany(filter).exec()).deletedCount;
  }

  /** Every operation waits until the collection's indexes are built (a unique index must exist before the first write). */
  private async prepared(): Promise<void> {
    if (this.indexed) return;
    await this.buildIndexes();
    this.indexed = true;
  }

  private async guard<R>(write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) throw new DuplicateKeyError(this.name);
      throw error;
    }
  }
}
