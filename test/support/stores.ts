import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from '@jest/globals';
import { Test, TestingModule } from '@nestjs/testing';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { EmbeddedDocumentStore } from '../../src/infrastructure/persistence/embedded/embedded-document-store';
import { PersistenceModule } from '../../src/infrastructure/persistence/persistence.module';
import { dropMongoDatabase, freshMongoUri, MONGODB_SKIP_REASON, MONGODB_TEST_URI } from './mongo';

export interface StoreHarness {
  kind: 'embedded' | 'mongodb';
  /** A fresh, empty store. */
  open(): Promise<DocumentStore>;
  /** Closes the store; `reopen` gives a new store over the same data (restart). */
  close(store: DocumentStore): Promise<void>;
  reopen(): Promise<DocumentStore>;
  dispose(): Promise<void>;
}

function embeddedHarness(): StoreHarness {
  const dir = mkdtempSync(join(tmpdir(), 'lp-contract-'));
  return {
    kind: 'embedded',
    open: async () => new EmbeddedDocumentStore(dir),
    reopen: async () => new EmbeddedDocumentStore(dir),
    close: (store) => store.close(),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function mongoHarness(): StoreHarness {
  const uri = freshMongoUri('contract');
  const dataDir = mkdtempSync(join(tmpdir(), 'lp-contract-'));
  const modules = new Map<DocumentStore, TestingModule>();
  // Opened as the application opens it: MongooseModule owns the connection, the persistence module awaits the indexes.
  const open = async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, MONGODB_URI: uri });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(config)],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    const store = moduleRef.get(DocumentStore);
    modules.set(store, moduleRef);
    return store;
  };
  return {
    kind: 'mongodb',
    open,
    reopen: open,
    close: async (store) => {
      await modules.get(store)?.close();
      modules.delete(store);
    },
    dispose: async () => {
      await dropMongoDatabase(uri);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs one contract suite against every storage adapter: the embedded one always, MongoDB when
 * MONGODB_URI is set (otherwise that half is reported as skipped, not silently absent).
 */
export function describeEachStore(name: string, suite: (harness: () => StoreHarness) => void): void {
  describe(`${name} [embedded]`, () => {
    const harness = embeddedHarness();
    suite(() => harness);
  });
  if (!MONGODB_TEST_URI) {
    // Registered as skipped, so the report lists what did not run and why.
    describe.skip(`${name} [mongodb]: ${MONGODB_SKIP_REASON}`, () =>
      suite(() => {
        throw new Error(MONGODB_SKIP_REASON);
      }));
    return;
  }
  describe(`${name} [mongodb]`, () => {
    const harness = mongoHarness();
    suite(() => harness);
  });
}
