import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Database, open, RootDatabase } from 'lmdb';

/**
 * LMDB under DATA_DIR, for what the embedded store holds too much of to read whole at start: NeDB
 * reads each collection file into memory (and rewrites it) before it answers anything, which took
 * 5 of the 9 seconds a start needed with 100,000 chunks and their vectors (`npm run bench:startup`);
 * LMDB maps its file and reads a record when asked. Records go in named databases of one
 * environment (`DATA_DIR/records.lmdb`), so one transaction can write several of them.
 */
export class EmbeddedRecordStore {
  private readonly root: RootDatabase;
  private closing?: Promise<void>;

  constructor(readonly directory: string) {
    mkdirSync(directory, { recursive: true });
    this.root = open({ path: join(directory, 'records.lmdb'), compression: false });
  }

  /** A named database of the environment: keys are strings in byte order, values MessagePack. */
  database<V>(name: string): Database<V, string> {
    return this.root.openDB<V, string>({ name });
  }

  /**
   * Runs `writes` in one transaction and resolves once it is committed to disk, the commit and its
   * flush done off the event loop (a synchronous commit held the loop for each upload:
   * `npm run bench:ingest`). A throw rejects the promise but does not undo the writes made before it
   * (checked with lmdb 3.5): `writes` makes every check before its first write.
   */
  transaction<T>(writes: () => T): Promise<T> {
    return this.root.transaction(writes);
  }

  /** Waits for the writes in flight to be committed, then closes the environment; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.root.close();
    return this.closing;
  }
}
