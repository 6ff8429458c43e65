import mongoose from 'mongoose';
import { MONGO_CONNECTION_OPTIONS } from '../../src/infrastructure/persistence/mongo/mongo-persistence';

/** The MongoDB server the MongoDB half of the tests runs against (CI: the emulator, .ci/run), if any. */
export const MONGODB_TEST_URI = process.env.MONGODB_URI || undefined;

/** Why the MongoDB tests are skipped, in the test names. */
export const MONGODB_SKIP_REASON = 'MONGODB_URI is not set';

let counter = 0;

/** A database of its own on the test server, so runs and test apps never see each other's documents. */
export function freshMongoUri(purpose: string): string {
  if (!MONGODB_TEST_URI) throw new Error(MONGODB_SKIP_REASON);
  counter += 1;
  const url = new URL(MONGODB_TEST_URI);
  url.pathname = `/lp_${purpose}_${process.pid}_${Date.now().toString(36)}_${counter}`;
  return url.toString();
}

export async function dropMongoDatabase(uri: string): Promise<void> {
  const connection = await mongoose.createConnection(uri, MONGO_CONNECTION_OPTIONS).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}
