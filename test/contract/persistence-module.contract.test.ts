import { afterAll, describe, expect, it } from '@jest/globals';
import { LoggerService } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test, TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { Connection, Schema } from 'mongoose';
import { newId } from '../../src/common/ids';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { APPLICATION_MODELS } from '../../src/infrastructure/persistence/collections';
import { CollectionSetupError, DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { MONGO_CONNECTION_OPTIONS } from '../../src/infrastructure/persistence/mongo/mongo-persistence';
import { PersistenceModule } from '../../src/infrastructure/persistence/persistence.module';
import { dropMongoDatabase, freshMongoUri, MONGODB_SKIP_REASON, MONGODB_TEST_URI } from '../support/mongo';

/** Error lines the modules log, kept for the assertions. */
class CapturingLogger implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: unknown): void {
    this.errors.push(String(message));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'lp-persistence-'));

async function compile(uri: string, logger: LoggerService | false = false): Promise<TestingModule> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, MONGODB_URI: uri });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(config)],
  }).compile();
  moduleRef.useLogger(logger);
  return moduleRef;
}

async function indexKeys(connection: Connection, collection: string): Promise<string[]> {
  const indexes = await connection.db!.collection(collection).indexes();
  return indexes.map((index) => JSON.stringify(index.key));
}

const describeMongo = MONGODB_TEST_URI ? describe : describe.skip;

describeMongo(`the persistence module on MongoDB${MONGODB_TEST_URI ? '' : `: ${MONGODB_SKIP_REASON}`}`, () => {
  const databases: string[] = [];
  const fresh = () => {
    const uri = freshMongoUri('persistence');
    databases.push(uri);
    return uri;
  };
  afterAll(async () => {
    for (const uri of databases) await dropMongoDatabase(uri);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("should have built every collection's indexes when start-up completes", async () => {
    const moduleRef = await compile(fresh());
    await moduleRef.init();
    try {
      const connection = moduleRef.get<Connection>(getConnectionToken());
      for (const { schema } of APPLICATION_MODELS) {
        const collection = schema.get('collection') as string;
        // A collection without secondary indexes (the counters) is created by its first write.
        if (schema.indexes().length === 0) continue;
        const existing = await indexKeys(connection, collection);
        for (const [fields] of schema.indexes()) expect(existing).toContain(JSON.stringify(fields));
      }
    } finally {
      await moduleRef.close();
    }
  });

  it('should let an index build finish when the store is closed right after opening, leaving no unhandled rejection', async () => {
    const uri = fresh();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const moduleRef = await compile(uri);
      await moduleRef.init();
      const schema = new Schema({ _id: String, code: { type: String, unique: true } }, { versionKey: false });
      // A collection no module declares: its indexes are built when it is first asked for.
      moduleRef.get(DocumentStore).collection({ name: 'late_collection', schema });
      await moduleRef.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(unhandled).toEqual([]);
      const connection = await mongoose.createConnection(uri, MONGO_CONNECTION_OPTIONS).asPromise();
      try {
        expect(await indexKeys(connection, 'late_collection')).toContain(JSON.stringify({ code: 1 }));
      } finally {
        await connection.close();
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('should refuse to start, saying which collection, when an index cannot be built', async () => {
    const uri = fresh();
    // Two accounts with one email key, written before the unique index existed.
    const connection = await mongoose.createConnection(uri, MONGO_CONNECTION_OPTIONS).asPromise();
    const twin = () => ({ _id: newId(), email: 'twin@example.org', emailKey: 'twin@example.org' });
    await connection.db!.collection<{ _id: string }>('users').insertMany([twin(), twin()]);
    await connection.close();

    const logger = new CapturingLogger();
    const moduleRef = await compile(uri, logger);
    const failure = await moduleRef.init().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CollectionSetupError);
    expect((failure as CollectionSetupError).collection).toBe('users');
    expect(logger.errors.some((line) => /^Start-up stopped: The users collection could not be prepared: .*E11000/.test(line))).toBe(true);
    // Nest's close() rethrows a failed start-up and closes nothing: the module released the connection itself.
    expect(moduleRef.get<Connection>(getConnectionToken()).readyState).toBe(mongoose.ConnectionStates.disconnected);
  });
});
