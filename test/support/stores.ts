import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from '@jest/globals';
import { DocumentStore } from '../../src/infrastructure/persistence/document-store';
import { EmbeddedDocumentStore } from '../../src/infrastructure/persistence/embedded/embedded-document-store';
import { MongoDocumentStore } from '../../src/infrastructure/persistence/mongo/mongo-document-store';

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

function mongoHarness(baseUri: string): StoreHarness {
  // One database per run, so parallel runs and earlier runs never see each other's documents.
  const url = new URL(baseUri);
  url.pathname = `/lp_contract_${process.pid}_${Date.now()}`;
  const uri = url.toString();
  const opened: MongoDocumentStore[] = [];
  return {
    kind: 'mongodb',
    open: async () => {
      const store = await MongoDocumentStore.connect(uri);
      opened.push(store);
      return store;
    },
    reopen: async () => MongoDocumentStore.connect(uri),
    close: (store) => store.close(),
    dispose: async () => {
      const { createConnection } = await import('mongoose');
      const connection = await createConnection(uri).asPromise();
      await connection.dropDatabase();
      await connection.close();
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
  const mongoUri = process.env.MONGODB_URI;
  if (!mongoUri) {
    // Registered as skipped, so the report lists what did not run and why.
    describe.skip(`${name} [mongodb]: MONGODB_URI is not set`, () =>
      suite(() => {
        throw new Error('MONGODB_URI is not set');
      }));
    return;
  }
  describe(`${name} [mongodb]`, () => {
    const harness = mongoHarness(mongoUri);
    suite(() => harness);
  });
}
