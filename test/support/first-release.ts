import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import mongoose from 'mongoose';
import { MONGO_CONNECTION_OPTIONS } from '../../src/infrastructure/persistence/mongo/mongo-persistence';
import { FirstReleaseIds } from '../fixtures/first-release/first-release-data';

/** The committed fixture (sources, not dist/: the build copies only TypeScript). */
const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'first-release');

export function firstReleaseIds(): FirstReleaseIds {
  return JSON.parse(readFileSync(join(FIXTURE, 'ids.json'), 'utf8')) as FirstReleaseIds;
}

/** A fresh copy of the data directory the first release wrote (the fixture itself is never changed). */
export function copyFirstReleaseDataDir(): string {
  const target = mkdtempSync(join(tmpdir(), 'lp-first-release-'));
  cpSync(join(FIXTURE, 'data'), target, { recursive: true });
  return target;
}

/**
 * The same documents in MongoDB, as the first release would have stored them there: each NeDB file
 * read by NeDB itself (dates and all), inserted as is into the collection of the same name.
 */
export async function loadFirstReleaseIntoMongo(dataDir: string, uri: string): Promise<void> {
  const connection = await mongoose.createConnection(uri, MONGO_CONNECTION_OPTIONS).asPromise();
  try {
    for (const file of readdirSync(dataDir).filter((name) => name.endsWith('.db'))) {
      const store = new Datastore<Record<string, unknown>>({ filename: join(dataDir, file) });
      await store.loadDatabaseAsync();
      const documents = await store.findAsync({});
      if (documents.length > 0) await connection.db!.collection(file.slice(0, -'.db'.length)).insertMany(documents);
    }
  } finally {
    await connection.close();
  }
}
