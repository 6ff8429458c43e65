import { terms } from '../../common/text';
import { decodeContainer, encodeContainer } from './binary-container';
import { ScoredHeap } from './scored-heap';
import { StringCodes, ensureCapacity } from './string-codes';

/**
 * Defaults of Anserini/Pyserini (k1 0.9, b 0.4), tuned for passages rather than whole documents:
 * chunks are already about one size, so full length normalisation (b 0.75) mostly penalises a
 * chunk for carrying its heading or a code sample next to the sentence that answers.
 */
export interface Bm25Options {
  /** Term-frequency saturation (default 0.9). */
  k1?: number;
  /** Length normalisation, 0 = none, 1 = full (default 0.4). */
  b?: number;
}

export interface KeywordHit {
  chunkId: string;
  /** BM25 score: unbounded, comparable only within one query. */
  score: number;
}

export interface KeywordSearchOptions {
  k: number;
  /** Only chunks of these modules; an empty list matches nothing. */
  moduleIds?: readonly string[];
}

/** Postings pack a document slot and its term frequency in one uint32: slot << 8 | min(tf, 255). */
const TF_BITS = 8;
const TF_MASK = (1 << TF_BITS) - 1;
const MAX_SLOTS = 2 ** (32 - TF_BITS);

/**
 * An inverted index ranked with Okapi BM25, updated chunk by chunk.
 *
 * Each term's postings live in one growable Uint32Array, so a query touches flat memory only.
 * Removing a chunk marks its slot dead and fixes document frequencies at once; a term's postings
 * are compacted when half of them are dead, and all slots are renumbered when dead slots
 * outnumber live ones. Chunk texts are not kept: only terms, frequencies and lengths.
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;

  private terms = new StringCodes();
  private postings: Uint32Array[] = [];
  private postingCount = new Int32Array(0);
  private deadPostings = new Int32Array(0);
  private docFrequency = new Int32Array(0);

  private readonly modules = new StringCodes();
  private readonly resources = new StringCodes();
  private slotChunk: (string | undefined)[] = [];
  private slotLength = new Uint32Array(0);
  private slotModule = new Int32Array(0);
  private slotResource = new Int32Array(0);
  private slotAlive = new Uint8Array(0);
  private slotTermStart = new Uint32Array(0);
  private slotTermCount = new Uint32Array(0);
  private termPool = new Int32Array(0);
  private termPoolLength = 0;
  /**
   * A loaded index builds its term pool at its first change, not at load: at 100,000 chunks that
   * is about a tenth of a second off every start (bench:startup), and search never reads the pool.
   */
  private termPoolReady = true;
  private slotCount = 0;
  /**
   * Slot of each live chunk id, or null in a loaded index until first needed (see `chunkSlot`):
   * search reads only slot to id, and at 100,000 chunks building the map (and collecting it)
   * took about 20 ms of every start. Until then every slot up to `slotCount` is live.
   */
  private chunkSlots: Map<string, number> | null = new Map();
  private liveLength = 0;

  private scores = new Float32Array(0);
  private touched = new Int32Array(0);
  private readonly heap = new ScoredHeap(64);

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 0.9;
    this.b = options.b ?? 0.4;
  }

  /** Number of chunks indexed. */
  get size(): number {
    return this.liveCount;
  }

  has(chunkId: string): boolean {
    return this.chunkSlot.has(chunkId);
  }

  /** Indexes a chunk's text; adding an id again replaces its previous text. */
  add(chunkId: string, text: string, moduleId: string, resourceId = ''): void {
    this.ensureTermPool();
    if (this.chunkSlot.has(chunkId)) this.remove(chunkId);
    if (this.slotCount >= MAX_SLOTS) this.compact();
    if (this.slotCount >= MAX_SLOTS) throw new RangeError('keyword index is full');

    const frequencies = new Map<number, number>();
    const tokens = terms(text);
    for (const term of tokens) {
      const id = this.termIdFor(term);
      frequencies.set(id, (frequencies.get(id) ?? 0) + 1);
    }

    const slot = this.slotCount++;
    this.ensureSlotCapacity(this.slotCount);
    this.slotChunk[slot] = chunkId;
    this.slotLength[slot] = tokens.length;
    this.slotModule[slot] = this.modules.codeOf(moduleId);
    this.slotResource[slot] = this.resources.codeOf(resourceId);
    this.slotAlive[slot] = 1;
    this.slotTermStart[slot] = this.termPoolLength;
    this.slotTermCount[slot] = frequencies.size;
    this.termPool = ensureCapacity(this.termPool, this.termPoolLength + frequencies.size);

    for (const [termId, tf] of frequencies) {
      this.appendPosting(termId, (slot << TF_BITS) | Math.min(tf, TF_MASK));
      this.docFrequency[termId]++;
      this.termPool[this.termPoolLength++] = termId;
    }
    this.chunkSlot.set(chunkId, slot);
    this.liveLength += tokens.length;
  }

  /** Forgets a chunk; returns whether it was indexed. */
  remove(chunkId: string): boolean {
    const slot = this.chunkSlot.get(chunkId);
    if (slot === undefined) return false;
    this.ensureTermPool();
    this.chunkSlot.delete(chunkId);
    this.slotAlive[slot] = 0;
    this.slotChunk[slot] = undefined;
    this.liveLength -= this.slotLength[slot];
    const start = this.slotTermStart[slot];
    const end = start + this.slotTermCount[slot];
    for (let i = start; i < end; i++) {
      const termId = this.termPool[i];
      this.docFrequency[termId]--;
      this.deadPostings[termId]++;
      if (this.deadPostings[termId] * 2 > this.postingCount[termId]) this.compactPostings(termId);
    }
    const deadSlots = this.slotCount - this.chunkSlot.size;
    if (deadSlots > 1024 && deadSlots > this.chunkSlot.size) this.compact();
    return true;
  }

  /** Forgets every chunk of a resource; returns how many. */
  removeByResource(resourceId: string): number {
    return this.removeWhere(this.slotResource, this.resources.find(resourceId));
  }

  /** Forgets every chunk of a module; returns how many. */
  removeByModule(moduleId: string): number {
    return this.removeWhere(this.slotModule, this.modules.find(moduleId));
  }

  /** The k best chunks for a query, best first; chunks sharing no term with it are not returned. */
  search(query: string, options: KeywordSearchOptions): KeywordHit[] {
    const k = Math.max(0, Math.floor(options.k));
    const live = this.liveCount;
    if (k === 0 || live === 0) return [];

    let moduleAllowed: Uint8Array | undefined;
    if (options.moduleIds) {
      moduleAllowed = new Uint8Array(this.modules.size);
      let any = false;
      for (const moduleId of options.moduleIds) {
        const code = this.modules.find(moduleId);
        if (code >= 0) {
          moduleAllowed[code] = 1;
          any = true;
        }
      }
      if (!any) return [];
    }

    const averageLength = this.liveLength / live || 1;
    const { k1, b } = this;
    const scores = this.scores;
    let touched = this.touched;
    let touchedCount = 0;

    for (const term of new Set(terms(query))) {
      const termId = this.terms.find(term);
      if (termId < 0) continue;
      const df = this.docFrequency[termId];
      if (df <= 0) continue;
      const idf = Math.log(1 + (live - df + 0.5) / (df + 0.5));
      const list = this.postings[termId];
      const count = this.postingCount[termId];
      for (let i = 0; i < count; i++) {
        const posting = list[i];
        const slot = posting >>> TF_BITS;
        if (this.slotAlive[slot] === 0) continue;
        if (moduleAllowed !== undefined && moduleAllowed[this.slotModule[slot]] === 0) continue;
        const tf = posting & TF_MASK;
        const lengthNorm = k1 * (1 - b + (b * this.slotLength[slot]) / averageLength);
        const contribution = (idf * tf * (k1 + 1)) / (tf + lengthNorm);
        if (scores[slot] === 0) {
          if (touchedCount === touched.length) touched = this.touched = ensureCapacity(touched, touchedCount + 1);
          touched[touchedCount++] = slot;
        }
        scores[slot] += contribution;
      }
    }

    const heap = this.heap;
    heap.clear();
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i];
      heap.pushBounded(scores[slot], slot, k);
      scores[slot] = 0;
    }
    const best = heap.drainDescending();
    const hits: KeywordHit[] = [];
    for (let i = 0; i < best.ids.length; i++) {
      hits.push({ chunkId: this.slotChunk[best.ids[i]] as string, score: best.scores[i] });
    }
    return hits;
  }

  /**
   * Position of a chunk's id in the list the last `serialize` saved, which is its slot: saving
   * compacts the slots first. The vector file refers to ids by these positions (retrieval-engine).
   */
  savedPosition(chunkId: string): number | undefined {
    return this.chunkSlot.get(chunkId);
  }

  /** Id of the chunk in a slot (in a loaded index before any change: at that position of the saved list). */
  chunkAt(slot: number): string | undefined {
    return slot >= 0 && slot < this.slotCount ? this.slotChunk[slot] : undefined;
  }

  /** Binary snapshot of the index (dead entries are compacted away first). */
  serialize(): Buffer {
    this.compact();
    const termCount = this.terms.size;
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t] + this.postingCount[t];
    const data = new Uint32Array(offsets[termCount]);
    for (let t = 0; t < termCount; t++) data.set(this.postings[t].subarray(0, this.postingCount[t]), offsets[t]);
    const n = this.slotCount;
    return encodeContainer(
      {
        kind: 'bm25',
        k1: this.k1,
        b: this.b,
        terms: this.terms.toArray(),
        chunks: this.slotChunk.slice(0, n),
        modules: this.modules.toArray(),
        resources: this.resources.toArray(),
      },
      {
        offsets,
        postings: data,
        length: this.slotLength.slice(0, n),
        module: this.slotModule.slice(0, n),
        resource: this.slotResource.slice(0, n),
      },
    );
  }

  static deserialize(file: Buffer): Bm25Index {
    const container = decodeContainer(file);
    const meta = container.meta as {
      kind: string;
      k1: number;
      b: number;
      terms: string[];
      chunks: string[];
      modules: string[];
      resources: string[];
    };
    if (meta.kind !== 'bm25') throw new TypeError('not a keyword index file');
    const index = new Bm25Index({ k1: meta.k1, b: meta.b });
    const offsets = container.get('offsets', 'Uint32Array');
    const data = container.get('postings', 'Uint32Array');
    const n = meta.chunks.length;
    for (const value of meta.modules) index.modules.codeOf(value);
    for (const value of meta.resources) index.resources.codeOf(value);
    index.terms = StringCodes.from(meta.terms);
    const termCount = meta.terms.length;
    index.postingCount = new Int32Array(termCount);
    index.deadPostings = new Int32Array(termCount);
    index.docFrequency = new Int32Array(termCount);
    index.postings = new Array<Uint32Array>(termCount);
    // Each list is a view of the file's postings: growing one copies it (ensureCapacity).
    for (let t = 0; t < termCount; t++) {
      const list = data.subarray(offsets[t], offsets[t + 1]);
      index.postings[t] = list;
      index.postingCount[t] = list.length;
      index.docFrequency[t] = list.length;
    }
    index.slotCount = n;
    index.ensureSlotCapacity(n);
    index.slotLength.set(container.get('length', 'Uint32Array'));
    index.slotModule.set(container.get('module', 'Int32Array'));
    index.slotResource.set(container.get('resource', 'Int32Array'));
    index.slotAlive.fill(1, 0, n);
    // The parsed header's array is ours alone: it becomes the slot table as it is.
    index.slotChunk = meta.chunks;
    index.chunkSlots = null;
    for (let slot = 0; slot < n; slot++) index.liveLength += index.slotLength[slot];
    index.termPoolReady = false;
    return index;
  }

  private get liveCount(): number {
    return this.chunkSlots ? this.chunkSlots.size : this.slotCount;
  }

  private get chunkSlot(): Map<string, number> {
    if (this.chunkSlots) return this.chunkSlots;
    const map = new Map<string, number>();
    for (let slot = 0; slot < this.slotCount; slot++) map.set(this.slotChunk[slot] as string, slot);
    this.chunkSlots = map;
    return map;
  }

  private termIdFor(term: string): number {
    const id = this.terms.codeOf(term);
    if (id === this.postings.length) {
      this.postings.push(new Uint32Array(4));
      const needed = id + 1;
      this.postingCount = ensureCapacity(this.postingCount, needed);
      this.deadPostings = ensureCapacity(this.deadPostings, needed);
      this.docFrequency = ensureCapacity(this.docFrequency, needed);
    }
    return id;
  }

  private appendPosting(termId: number, posting: number): void {
    const count = this.postingCount[termId];
    let list = this.postings[termId];
    if (count === list.length) {
      list = ensureCapacity(list, count + 1);
      this.postings[termId] = list;
    }
    list[count] = posting;
    this.postingCount[termId] = count + 1;
  }

  private compactPostings(termId: number): void {
    const list = this.postings[termId];
    const count = this.postingCount[termId];
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const posting = list[i];
      if (this.slotAlive[posting >>> TF_BITS] === 1) list[kept++] = posting;
    }
    this.postingCount[termId] = kept;
    this.deadPostings[termId] = 0;
    if (list.length > 64 && kept * 4 < list.length) this.postings[termId] = list.slice(0, Math.max(4, kept * 2));
  }

  private removeWhere(column: Int32Array, code: number): number {
    if (code < 0) return 0;
    const doomed: string[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.slotAlive[slot] === 1 && column[slot] === code) doomed.push(this.slotChunk[slot] as string);
    }
    for (const chunkId of doomed) this.remove(chunkId);
    return doomed.length;
  }

  /** Renumbers live slots densely and drops terms no live chunk uses any more. */
  private compact(): void {
    if (this.slotCount === this.chunkSlot.size) return;
    const newSlot = new Int32Array(this.slotCount).fill(-1);
    let next = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.slotAlive[slot] === 0) continue;
      newSlot[slot] = next;
      this.slotChunk[next] = this.slotChunk[slot];
      this.slotLength[next] = this.slotLength[slot];
      this.slotModule[next] = this.slotModule[slot];
      this.slotResource[next] = this.slotResource[slot];
      this.slotAlive[next] = 1;
      this.chunkSlot.set(this.slotChunk[next] as string, next);
      next++;
    }
    this.slotAlive.fill(0, next, this.slotCount);
    this.slotChunk.length = next;
    this.slotCount = next;

    const oldTerms = this.terms.toArray();
    const terms = new StringCodes();
    const postings: Uint32Array[] = [];
    const counts: number[] = [];
    for (let t = 0; t < oldTerms.length; t++) {
      if (this.docFrequency[t] <= 0) continue;
      const list = this.postings[t];
      const count = this.postingCount[t];
      let kept = 0;
      for (let i = 0; i < count; i++) {
        const target = newSlot[list[i] >>> TF_BITS];
        if (target >= 0) list[kept++] = (target << TF_BITS) | (list[i] & TF_MASK);
      }
      terms.codeOf(oldTerms[t]);
      postings.push(list);
      counts.push(kept);
    }
    this.terms = terms;
    this.postings = postings;
    this.postingCount = Int32Array.from(counts);
    this.docFrequency = Int32Array.from(counts);
    this.deadPostings = new Int32Array(counts.length);
    this.rebuildTermPool();
  }

  private ensureTermPool(): void {
    if (!this.termPoolReady) this.rebuildTermPool();
  }

  /** Recomputes each slot's list of term ids (needed to remove it) from the postings. */
  private rebuildTermPool(): void {
    this.termPoolReady = true;
    const n = this.slotCount;
    const counts = new Uint32Array(n);
    let total = 0;
    for (let t = 0; t < this.terms.size; t++) {
      const list = this.postings[t];
      for (let i = 0; i < this.postingCount[t]; i++) counts[list[i] >>> TF_BITS]++;
      total += this.postingCount[t];
    }
    const start = this.slotTermStart.length >= n ? this.slotTermStart : new Uint32Array(n);
    let offset = 0;
    for (let slot = 0; slot < n; slot++) {
      start[slot] = offset;
      offset += counts[slot];
    }
    const pool = new Int32Array(Math.max(16, total));
    const fill = new Uint32Array(n);
    for (let t = 0; t < this.terms.size; t++) {
      const list = this.postings[t];
      for (let i = 0; i < this.postingCount[t]; i++) {
        const slot = list[i] >>> TF_BITS;
        pool[start[slot] + fill[slot]++] = t;
      }
    }
    this.slotTermStart = start;
    this.slotTermCount = ensureCapacity(this.slotTermCount, n);
    this.slotTermCount.set(counts);
    this.termPool = pool;
    this.termPoolLength = total;
  }

  private ensureSlotCapacity(needed: number): void {
    this.slotLength = ensureCapacity(this.slotLength, needed);
    this.slotModule = ensureCapacity(this.slotModule, needed);
    this.slotResource = ensureCapacity(this.slotResource, needed);
    this.slotAlive = ensureCapacity(this.slotAlive, needed);
    this.slotTermStart = ensureCapacity(this.slotTermStart, needed);
    this.slotTermCount = ensureCapacity(this.slotTermCount, needed);
    this.scores = ensureCapacity(this.scores, needed);
  }
}
