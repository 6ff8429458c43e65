import { Injectable } from '@nestjs/common';
import { newId } from '../common/ids';
import { DocumentCollection, DocumentStore } from '../infrastructure/persistence/document-store';
import {
  CounterRecord,
  CounterSchema,
  IndexChangeKind,
  IndexChangeRecord,
  IndexChangeSchema,
} from '../infrastructure/persistence/schemas/index-change.schema';
import { Domain, toDomain } from '../infrastructure/persistence/stored';

export type IndexChange = Domain<IndexChangeRecord>;

const SEQUENCE = 'index.sequence';
const GENERATION = 'index.generation';
/** The last sequence number whose entry (and every one before) may have been pruned. */
const PRUNED = 'index.pruned';

/** Where the shared index stands: the last sequence number handed out and the current generation. */
export interface FeedHead {
  seq: number;
  generation: number;
  /** Entries up to this one may be gone: an instance that has not applied them cannot replay them. */
  prunedThrough: number;
}

/**
 * The change feed of the shared index, in the database so every instance reads the same one (the
 * embedded store, MongoDB, and servers without change streams alike). Each chunk write or deletion
 * is followed by an entry numbered from an atomically incremented counter; a finished rebuild
 * increments the generation counter.
 */
@Injectable()
export class IndexFeedRepository {
  private readonly changes: DocumentCollection<IndexChangeRecord>;
  private readonly counters: DocumentCollection<CounterRecord>;

  constructor(store: DocumentStore) {
    this.changes = store.collection<IndexChangeRecord>({ name: 'index_changes', schema: IndexChangeSchema });
    this.counters = store.collection<CounterRecord>({ name: 'counters', schema: CounterSchema });
  }

  /** Records that `target` changed; returns the entry's sequence number. */
  async publish(kind: IndexChangeKind, target: string, now: Date): Promise<number> {
    const seq = await this.increment(SEQUENCE);
    await this.changes.insertOne({ _id: newId(), seq, kind, target, createdAt: now });
    return seq;
  }

  /** Starts the next generation of the index (a rebuild finished); returns its number. */
  nextGeneration(): Promise<number> {
    return this.increment(GENERATION);
  }

  async head(): Promise<FeedHead> {
    const counters = new Map((await this.counters.find({ _id: { $in: [SEQUENCE, GENERATION, PRUNED] } })).map((c) => [c._id, c.value]));
    return { seq: counters.get(SEQUENCE) ?? 0, generation: counters.get(GENERATION) ?? 0, prunedThrough: counters.get(PRUNED) ?? 0 };
  }

  /**
   * Deletes the entries written before `before`; returns how many. The mark of what is gone moves
   * first, so an instance never misses an entry without knowing it must build its index again.
   */
  async prune(before: Date): Promise<number> {
    const [newest] = await this.changes.find({ createdAt: { $lt: before } }, { sort: { seq: -1 }, limit: 1 });
    if (!newest) return 0;
    await this.counters.updateOne({ _id: PRUNED }, { $max: { value: newest.seq } }, { upsert: true });
    return this.changes.deleteMany({ seq: { $lte: newest.seq } });
  }

  /** Entries after `seq`, oldest first. */
  async after(seq: number, limit: number): Promise<IndexChange[]> {
    return (await this.changes.find({ seq: { $gt: seq } }, { sort: { seq: 1 }, limit })).map(toDomain);
  }

  private async increment(name: string): Promise<number> {
    const counter = await this.counters.updateOne({ _id: name }, { $inc: { value: 1 } }, { upsert: true });
    if (!counter) throw new Error(`The ${name} counter could not be incremented.`);
    return counter.value;
  }
}
