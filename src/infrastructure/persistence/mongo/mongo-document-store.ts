import { Connection, createConnection, Model } from 'mongoose';
import {
  CollectionDefinition,
  DocumentCollection,
  DocumentStore,
  DuplicateKeyError,
  Filter,
  FindOptions,
  StoredDocument,
  Update,
  UpdateOptions,
} from '../document-store';

const DUPLICATE_KEY = 11000;

/** MongoDB through Mongoose: the production store. Repositories get plain objects (lean), never documents. */
export class MongoDocumentStore extends DocumentStore {
  readonly kind = 'mongodb' as const;
  private readonly collections = new Map<string, MongoCollection<StoredDocument>>();
  private readonly indexing: Promise<unknown>[] = [];

  private constructor(private readonly connection: Connection) {
    super();
  }

  static async connect(uri: string): Promise<MongoDocumentStore> {
    const connection = createConnection(uri, { serverSelectionTimeoutMS: 5_000, autoIndex: false });
    await connection.asPromise();
    return new MongoDocumentStore(connection);
  }

  collection<T extends StoredDocument>(definition: CollectionDefinition): DocumentCollection<T> {
    let collection = this.collections.get(definition.name);
    if (!collection) {
      const model = this.connection.model<StoredDocument>(definition.name, definition.schema, definition.name);
      // Unique indexes must exist before the first write, or the store would not enforce them.
      this.indexing.push(model.createIndexes());
      collection = new MongoCollection(definition.name, model);
      this.collections.set(definition.name, collection);
    }
    return collection as unknown as DocumentCollection<T>;
  }

  async ready(): Promise<void> {
    await Promise.all(this.indexing);
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    await db.admin().ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

class MongoCollection<T extends StoredDocument> implements DocumentCollection<T> {
  constructor(
    private readonly name: string,
    private readonly model: Model<StoredDocument>,
  ) {}

  async insertOne(document: T): Promise<T> {
    const created = await this.guard(() => this.model.create(document));
    return created.toObject({ versionKey: false }) as unknown as T;
  }

  async findOne(filter: Filter): Promise<T | null> {
    return (await this.model.findOne(filter).lean().exec()) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    let query = this.model.find(filter);
    if (options.sort) query = query.sort(options.sort);
    if (options.skip) query = query.skip(options.skip);
    if (options.limit) query = query.limit(options.limit);
    return (await query.lean().exec()) as unknown as T[];
  }

  count(filter: Filter): Promise<number> {
    return this.model.countDocuments(filter).exec();
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<T | null> {
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
    const result = await this.guard(() => this.model.updateMany(filter, update, { runValidators: true }).exec());
    return result.modifiedCount;
  }

  async deleteOne(filter: Filter): Promise<boolean> {
    return (await this.model.deleteOne(filter).exec()).deletedCount > 0;
  }

  async deleteMany(filter: Filter): Promise<number> {
    return (await this.model.deleteMany(filter).exec()).deletedCount;
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
