import { CorruptIndexFileError, decodeContainer, encodeContainer } from './binary-container';
import { Int8Vectors } from './int8-vectors';
import { ScoredHeap } from './scored-heap';

/** Cut-off nodes one periodic repair pass relinks at most (each costs a search). */
const ORPHANS_PER_PASS = 32;

export interface HnswOptions {
  /** Links per node on the upper layers; the bottom layer keeps twice as many (default 16). */
  m?: number;
  /** Breadth of the search that picks a new node's links (default 100). */
  efConstruction?: number;
  /** Default breadth of a query's search; raised to k when k is larger (default 64). */
  efSearch?: number;
  /** Seed of the level draws, so that a build is reproducible (default 42). */
  seed?: number;
}

export interface GraphHits {
  slots: Int32Array;
  /** Cosine similarity of each slot to the query, best first. */
  similarities: Float64Array;
}

const MAX_LEVEL = 15;
const EMPTY_HITS: GraphHits = { slots: new Int32Array(0), similarities: new Float64Array(0) };

/**
 * A hierarchical navigable small-world graph (Malkov & Yashunin, 2016) over unit vectors stored
 * as int8 with one float scale per vector (int8-vectors.ts). A query walks down the sparse upper
 * layers greedily, then runs a best-first search of breadth `ef` on the bottom layer, so it
 * computes a few thousand similarities instead of one per vector.
 *
 * Nodes live in numbered slots. Removal is real, not a tombstone: every node that linked to a
 * removed one gets replacement links from the removed node's own neighbours, nodes left with no
 * incoming link are re-attached, and the slot is reused by a later insert.
 */
export class HnswGraph {
  readonly dimensions: number;
  readonly m: number;
  readonly m0: number;
  readonly efConstruction: number;
  efSearch: number;

  private readonly levelFactor: number;
  private rngState: number;
  private vectors: Int8Vectors;
  private levels = new Int8Array(0);
  private links0 = new Int32Array(0);
  private upper: (Int32Array | null)[] = [];
  private visited = new Uint32Array(0);
  private visitEpoch = 0;
  private capacity = 0;
  private slotCount = 0;
  private liveCount = 0;
  /** Live nodes linked into the graph; the others wait in `unlinked`. */
  private linkedCount = 0;
  /** Slots added but not yet linked, oldest first from `unlinkedHead` (removed ones are skipped). */
  private unlinked: number[] = [];
  private unlinkedHead = 0;
  private unlinkedFlags = new Uint8Array(0);
  private insertsSinceRepair = 0;
  /** Where the next bounded repair pass starts looking for cut-off nodes. */
  private repairCursor = 0;
  private freeSlots: number[] = [];
  private entry = -1;
  private maxLevel = -1;

  private readonly candidates = new ScoredHeap(256);
  private readonly results = new ScoredHeap(256);
  private readonly scratch: Float32Array;
  private readonly poolSlots: Int32Array;
  private readonly poolSimilarities: Float64Array;

  constructor(dimensions: number, options: HnswOptions = {}) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError('dimensions must be a positive integer');
    this.dimensions = dimensions;
    this.m = options.m ?? 16;
    this.m0 = this.m * 2;
    this.efConstruction = Math.max(options.efConstruction ?? 100, this.m);
    this.efSearch = options.efSearch ?? 64;
    this.levelFactor = 1 / Math.log(this.m);
    this.rngState = (options.seed ?? 42) >>> 0 || 1;
    this.vectors = new Int8Vectors(dimensions);
    this.scratch = new Float32Array(dimensions);
    this.poolSlots = new Int32Array(this.m0 + 1);
    this.poolSimilarities = new Float64Array(this.m0 + 1);
  }

  /** Number of vectors in the graph. */
  get size(): number {
    return this.liveCount;
  }

  /** One past the highest slot ever used: slots are below this bound. */
  get slotBound(): number {
    return this.slotCount;
  }

  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.slotCount && this.levels[slot] >= 0;
  }

  /** Approximate bytes held by vectors and links (what dominates memory). */
  get byteSize(): number {
    let upperBytes = 0;
    for (const list of this.upper) if (list) upperBytes += list.byteLength;
    return this.vectors.byteLength + this.levels.byteLength + this.links0.byteLength + this.visited.byteLength + upperBytes;
  }

  /** Adds a vector (normalised here, so any length works), links it at once and returns its slot. */
  insert(vector: ArrayLike<number>): number {
    const query = this.normalise(vector);
    const slot = this.store(query);
    this.link(slot, query);
    return slot;
  }

  /**
   * Adds a vector without linking it yet, and returns its slot. Searches find it at once: they
   * scan unlinked vectors exactly beside the walk. `linkPending` links them later, a few at a
   * time, so that a large upload is searchable before the graph has taken it in.
   */
  add(vector: ArrayLike<number>): number {
    const slot = this.store(this.normalise(vector));
    this.unlinkedFlags[slot] = 1;
    this.unlinked.push(slot);
    return slot;
  }

  /** Vectors added but not yet linked into the graph. */
  get pendingCount(): number {
    return this.unlinkedCount;
  }

  /** Links up to `count` unlinked vectors, oldest first; returns how many remain. */
  linkPending(count: number): number {
    for (let linked = 0; linked < count && this.unlinkedCount > 0;) {
      const slot = this.unlinked[this.unlinkedHead++];
      if (this.unlinkedFlags[slot] !== 1) continue;
      this.unlinkedFlags[slot] = 0;
      this.link(slot, this.vectors.get(slot));
      linked++;
    }
    if (this.unlinkedHead === this.unlinked.length) {
      this.unlinked = [];
      this.unlinkedHead = 0;
    }
    return this.unlinkedCount;
  }

  private get unlinkedCount(): number {
    return this.liveCount - this.linkedCount;
  }

  /** Takes a slot and writes the quantised vector and its level; the node has no links yet. */
  private store(unit: Float32Array): number {
    const slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.slotCount++;
    this.ensureCapacity(slot + 1);
    const level = this.randomLevel();
    this.vectors.set(slot, unit);
    this.levels[slot] = level;
    this.links0[slot * (this.m0 + 1)] = 0;
    this.upper[slot] = level > 0 ? new Int32Array(level * (this.m + 1)) : null;
    this.liveCount++;
    return slot;
  }

  private link(slot: number, query: Float32Array): void {
    const level = this.levels[slot];
    this.linkedCount++;
    if (this.entry < 0) {
      this.entry = slot;
      this.maxLevel = level;
      return;
    }
    this.vectors.loadQuery(query);
    let entry = this.entry;
    let entrySimilarity = this.vectors.similarityToQuery(entry);
    for (let l = this.maxLevel; l > level; l--) {
      entry = this.greedyClosest(entry, entrySimilarity, l);
      entrySimilarity = this.vectors.similarityToQuery(entry);
    }
    let entries: ArrayLike<number> = [entry];
    let entrySimilarities: ArrayLike<number> = [entrySimilarity];
    for (let l = Math.min(level, this.maxLevel); l >= 0; l--) {
      this.searchLayer(entries, entrySimilarities, this.efConstruction, l, undefined);
      const found = this.results.drainDescending();
      const chosen = this.selectDiverse(found.ids, found.scores, this.m, slot, true);
      this.writeLinks(slot, l, chosen);
      for (const neighbour of chosen) this.connect(neighbour, slot, l);
      if (l === 0) this.ensureIncoming(slot, chosen);
      entries = found.ids;
      entrySimilarities = found.scores;
    }
    if (level > this.maxLevel) {
      this.entry = slot;
      this.maxLevel = level;
    }
    // Links dropped by later inserts can still cut a node off; a pass over all nodes every
    // ~1% of the graph's size re-attaches those, at an amortised cost of a few link reads. Among
    // thousands of near-duplicates nearly every node is cut off between two passes, and relinking
    // them all at once held the thread for seconds: a pass relinks a bounded number, and the
    // next one carries on where it stopped.
    if (++this.insertsSinceRepair >= Math.max(256, this.liveCount / 100)) this.reattachOrphans(ORPHANS_PER_PASS);
  }

  /**
   * The k nearest vectors to `query` by cosine similarity, best first. With `accept`, only slots
   * it approves are returned (the walk still crosses the others); a very selective filter should
   * rather use `scan` over the approved slots.
   */
  search(query: ArrayLike<number>, k: number, ef = this.efSearch, accept?: (slot: number) => boolean): GraphHits {
    if (this.liveCount === 0 || k <= 0) return EMPTY_HITS;
    this.vectors.loadQuery(this.normalise(query));
    const results = this.results;
    results.clear();
    if (this.entry >= 0) {
      let entry = this.entry;
      let entrySimilarity = this.vectors.similarityToQuery(entry);
      for (let l = this.maxLevel; l > 0; l--) {
        entry = this.greedyClosest(entry, entrySimilarity, l);
        entrySimilarity = this.vectors.similarityToQuery(entry);
      }
      this.searchLayer([entry], [entrySimilarity], Math.max(ef, k), 0, accept);
    }
    for (let i = this.unlinkedHead; i < this.unlinked.length; i++) {
      const slot = this.unlinked[i];
      if (this.unlinkedFlags[slot] !== 1 || (accept !== undefined && !accept(slot))) continue;
      results.pushBounded(this.vectors.similarityToQuery(slot), slot, Math.max(ef, k));
    }
    while (results.size > k) results.pop();
    const found = results.drainDescending();
    return { slots: found.ids, similarities: found.scores };
  }

  /** Exact k nearest among the given slots: used for filters that approve few vectors. */
  scan(query: ArrayLike<number>, slots: Iterable<number>, k: number): GraphHits {
    if (k <= 0) return EMPTY_HITS;
    this.vectors.loadQuery(this.normalise(query));
    const heap = this.results;
    heap.clear();
    for (const slot of slots) {
      if (this.levels[slot] < 0) continue;
      heap.pushBounded(this.vectors.similarityToQuery(slot), slot, k);
    }
    const found = heap.drainDescending();
    return { slots: found.ids, similarities: found.scores };
  }

  /** Exact k nearest over the whole graph (reference for recall checks). */
  bruteForce(query: ArrayLike<number>, k: number): GraphHits {
    const all: number[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) if (this.levels[slot] >= 0) all.push(slot);
    return this.scan(query, all, k);
  }

  /** Removes the given slots and repairs the links around them. */
  remove(slots: Iterable<number>): number {
    const doomed = new Uint8Array(this.slotCount);
    let removed = 0;
    for (const slot of slots) {
      if (this.isLive(slot) && doomed[slot] === 0) {
        doomed[slot] = 1;
        removed++;
      }
    }
    if (removed === 0) return 0;

    for (let u = 0; u < this.slotCount; u++) {
      if (this.levels[u] < 0 || doomed[u] === 1) continue;
      for (let l = 0; l <= this.levels[u]; l++) this.repairLinks(u, l, doomed);
    }
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (doomed[slot] === 0) continue;
      if (this.unlinkedFlags[slot] === 1) this.unlinkedFlags[slot] = 0;
      else this.linkedCount--;
      this.levels[slot] = -1;
      this.upper[slot] = null;
      this.links0[slot * (this.m0 + 1)] = 0;
      this.freeSlots.push(slot);
      this.liveCount--;
    }
    if (this.entry >= 0 && doomed[this.entry] === 1) this.chooseNewEntry();
    this.reattachOrphans();
    return removed;
  }

  serialize(): Buffer {
    const n = this.slotCount;
    let upperLength = 0;
    for (let slot = 0; slot < n; slot++) upperLength += this.upper[slot]?.length ?? 0;
    const upper = new Int32Array(upperLength);
    let offset = 0;
    for (let slot = 0; slot < n; slot++) {
      const list = this.upper[slot];
      if (list) {
        upper.set(list, offset);
        offset += list.length;
      }
    }
    return encodeContainer(
      {
        kind: 'hnsw-int8',
        dimensions: this.dimensions,
        m: this.m,
        efConstruction: this.efConstruction,
        efSearch: this.efSearch,
        entry: this.entry,
        maxLevel: this.maxLevel,
        slotCount: n,
        rngState: this.rngState,
        unlinked: this.unlinked.slice(this.unlinkedHead).filter((slot) => this.unlinkedFlags[slot] === 1),
      },
      {
        ...this.vectors.export(n),
        levels: this.levels.subarray(0, n),
        links0: this.links0.subarray(0, n * (this.m0 + 1)),
        upper,
      },
    );
  }

  static deserialize(file: Buffer): HnswGraph {
    const container = decodeContainer(file);
    const meta = container.meta as {
      kind: string;
      dimensions: number;
      m: number;
      efConstruction: number;
      efSearch: number;
      entry: number;
      maxLevel: number;
      slotCount: number;
      rngState: number;
      unlinked?: number[];
    };
    if (meta.kind !== 'hnsw-int8') throw new TypeError('not a vector graph file');
    const graph = new HnswGraph(meta.dimensions, {
      m: meta.m,
      efConstruction: meta.efConstruction,
      efSearch: meta.efSearch,
      seed: meta.rngState,
    });
    const n = meta.slotCount;
    // The links are used where they lie in the file (the first node added grows them into memory of
    // their own): copying them slowed every start. The vectors must be copied into the memory
    // their kernel reads (about 40 MB at 100,000 chunks of 384 dimensions).
    const codes = container.get('codes', 'Int8Array');
    const scales = container.get('scales', 'Float32Array');
    const sections = {
      levels: container.get('levels', 'Int8Array'),
      links0: container.get('links0', 'Int32Array'),
    };
    if (
      codes.length !== n * graph.dimensions ||
      scales.length !== n ||
      sections.levels.length !== n ||
      sections.links0.length !== n * (graph.m0 + 1)
    ) {
      throw new CorruptIndexFileError('vector graph sections do not match its node count');
    }
    Object.assign(graph, sections);
    graph.vectors.import(codes, scales);
    graph.visited = new Uint32Array(n);
    graph.unlinkedFlags = new Uint8Array(n);
    graph.capacity = n;
    const upper = container.get('upper', 'Int32Array');
    let offset = 0;
    graph.slotCount = n;
    for (let slot = 0; slot < n; slot++) {
      const level = graph.levels[slot];
      if (level < 0) {
        graph.freeSlots.push(slot);
        continue;
      }
      graph.liveCount++;
      if (level > 0) {
        const length = level * (graph.m + 1);
        graph.upper[slot] = upper.slice(offset, offset + length);
        offset += length;
      }
    }
    graph.entry = meta.entry;
    graph.maxLevel = meta.maxLevel;
    graph.linkedCount = graph.liveCount;
    for (const slot of meta.unlinked ?? []) {
      graph.unlinkedFlags[slot] = 1;
      graph.unlinked.push(slot);
      graph.linkedCount--;
    }
    return graph;
  }

  // --- similarity -------------------------------------------------------------------------

  private normalise(vector: ArrayLike<number>): Float32Array {
    if (vector.length !== this.dimensions) {
      throw new RangeError(`expected a vector of ${this.dimensions} dimensions, got ${vector.length}`);
    }
    const out = this.scratch;
    let sum = 0;
    for (let d = 0; d < this.dimensions; d++) sum += vector[d] * vector[d];
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let d = 0; d < this.dimensions; d++) out[d] = vector[d] * scale;
    return out;
  }

  // --- links ------------------------------------------------------------------------------

  private linkArray(slot: number, level: number): Int32Array {
    return level === 0 ? this.links0 : (this.upper[slot] as Int32Array);
  }

  private linkOffset(slot: number, level: number): number {
    return level === 0 ? slot * (this.m0 + 1) : (level - 1) * (this.m + 1);
  }

  private capacityAt(level: number): number {
    return level === 0 ? this.m0 : this.m;
  }

  private writeLinks(slot: number, level: number, neighbours: readonly number[]): void {
    const array = this.linkArray(slot, level);
    const offset = this.linkOffset(slot, level);
    array[offset] = neighbours.length;
    for (let i = 0; i < neighbours.length; i++) array[offset + 1 + i] = neighbours[i];
  }

  /** Adds a link from `from` to `to`, re-selecting `from`'s links when it has no room left. */
  private connect(from: number, to: number, level: number): void {
    const array = this.linkArray(from, level);
    const offset = this.linkOffset(from, level);
    const count = array[offset];
    for (let i = 1; i <= count; i++) if (array[offset + i] === to) return;
    const capacity = this.capacityAt(level);
    if (count < capacity) {
      array[offset + 1 + count] = to;
      array[offset] = count + 1;
      return;
    }
    // Candidates sorted by similarity to `from` (insertion sort: at most 2m + 1 entries).
    const slots = this.poolSlots;
    const sims = this.poolSimilarities;
    let size = 0;
    const insertSorted = (slot: number, similarity: number) => {
      let i = size++;
      while (i > 0 && sims[i - 1] < similarity) {
        sims[i] = sims[i - 1];
        slots[i] = slots[i - 1];
        i--;
      }
      sims[i] = similarity;
      slots[i] = slot;
    };
    insertSorted(to, this.vectors.similarityBetween(from, to));
    for (let i = 1; i <= count; i++) {
      const slot = array[offset + i];
      insertSorted(slot, this.vectors.similarityBetween(from, slot));
    }
    const chosen = this.selectDiverse(slots.subarray(0, size), sims.subarray(0, size), capacity, from);
    this.writeLinks(from, level, chosen);
  }

  /**
   * The neighbour-selection heuristic of the HNSW paper: walking candidates from the closest,
   * keep one only if it is closer to the base than to any already kept. Links then point in
   * varied directions, which keeps clusters connected to each other.
   *
   * With `keepPruned`, half of the room the heuristic left free is given back to the closest
   * pruned candidates. Among near-duplicates the heuristic keeps a single link (every other copy
   * is "behind" the first), and a node with one link is easily cut off; the extra links keep
   * such nodes reachable at a small cost in memory.
   */
  private selectDiverse(
    candidates: ArrayLike<number>,
    similarities: ArrayLike<number>,
    limit: number,
    exclude: number,
    keepPruned = false,
  ): number[] {
    const chosen: number[] = [];
    const pruned: number[] = [];
    for (let i = 0; i < candidates.length && chosen.length < limit; i++) {
      const candidate = candidates[i];
      if (candidate === exclude) continue;
      let diverse = true;
      for (const kept of chosen) {
        // A copy of a kept node (a tie) adds no direction: keeping every copy of a repeated
        // passage made each full neighbour list a 32-way comparison on every new link.
        if (this.vectors.similarityBetween(candidate, kept) >= similarities[i]) {
          diverse = false;
          break;
        }
      }
      if (diverse) chosen.push(candidate);
      else if (keepPruned) pruned.push(candidate);
    }
    const room = Math.ceil((limit - chosen.length) / 2);
    for (let i = 0; i < pruned.length && i < room; i++) chosen.push(pruned[i]);
    return chosen;
  }

  // --- search -----------------------------------------------------------------------------

  private nextEpoch(): number {
    this.visitEpoch = (this.visitEpoch + 1) >>> 0;
    if (this.visitEpoch === 0) {
      this.visited.fill(0);
      this.visitEpoch = 1;
    }
    return this.visitEpoch;
  }

  private greedyClosest(start: number, startSimilarity: number, level: number): number {
    let current = start;
    let best = startSimilarity;
    for (let changed = true; changed;) {
      changed = false;
      const array = this.linkArray(current, level);
      const offset = this.linkOffset(current, level);
      const count = array[offset];
      for (let i = 1; i <= count; i++) {
        const neighbour = array[offset + i];
        const similarity = this.vectors.similarityToQuery(neighbour);
        if (similarity > best) {
          best = similarity;
          current = neighbour;
          changed = true;
        }
      }
    }
    return current;
  }

  /** Best-first search of one layer around the loaded query; leaves the best `ef` in `results`. */
  private searchLayer(
    entries: ArrayLike<number>,
    entrySimilarities: ArrayLike<number>,
    ef: number,
    level: number,
    accept: ((slot: number) => boolean) | undefined,
  ): void {
    const epoch = this.nextEpoch();
    const visited = this.visited;
    const candidates = this.candidates;
    const results = this.results;
    candidates.clear();
    results.clear();
    for (let i = 0; i < entries.length; i++) {
      const slot = entries[i];
      if (visited[slot] === epoch) continue;
      visited[slot] = epoch;
      candidates.push(-entrySimilarities[i], slot);
      if (accept === undefined || accept(slot)) results.pushBounded(entrySimilarities[i], slot, ef);
    }
    while (candidates.size > 0) {
      const similarity = -candidates.peekScore();
      const current = candidates.pop();
      if (results.size >= ef && similarity < results.peekScore()) break;
      const array = this.linkArray(current, level);
      const offset = this.linkOffset(current, level);
      const count = array[offset];
      for (let i = 1; i <= count; i++) {
        const neighbour = array[offset + i];
        if (visited[neighbour] === epoch) continue;
        visited[neighbour] = epoch;
        const s = this.vectors.similarityToQuery(neighbour);
        if (results.size < ef || s > results.peekScore()) {
          candidates.push(-s, neighbour);
          if (accept === undefined || accept(neighbour)) results.pushBounded(s, neighbour, ef);
        }
      }
    }
  }

  // --- removal ----------------------------------------------------------------------------

  /** Replaces links from `u` to doomed nodes with the closest of those nodes' own live neighbours. */
  private repairLinks(u: number, level: number, doomed: Uint8Array): void {
    const array = this.linkArray(u, level);
    const offset = this.linkOffset(u, level);
    const count = array[offset];
    let lost = 0;
    for (let i = 1; i <= count; i++) if (doomed[array[offset + i]] === 1) lost++;
    if (lost === 0) return;

    const kept: number[] = [];
    const lostNodes: number[] = [];
    for (let i = 1; i <= count; i++) {
      const v = array[offset + i];
      if (doomed[v] === 1) lostNodes.push(v);
      else kept.push(v);
    }
    const epoch = this.nextEpoch();
    this.visited[u] = epoch;
    for (const v of kept) this.visited[v] = epoch;
    const replacements: { slot: number; similarity: number }[] = [];
    for (const gone of lostNodes) {
      if (this.levels[gone] < level) continue;
      const goneArray = this.linkArray(gone, level);
      const goneOffset = this.linkOffset(gone, level);
      for (let i = 1; i <= goneArray[goneOffset]; i++) {
        const candidate = goneArray[goneOffset + i];
        if (doomed[candidate] === 1 || this.visited[candidate] === epoch) continue;
        this.visited[candidate] = epoch;
        replacements.push({ slot: candidate, similarity: this.vectors.similarityBetween(u, candidate) });
      }
    }
    replacements.sort((a, b) => b.similarity - a.similarity);
    for (let i = 0; i < replacements.length && i < lost; i++) kept.push(replacements[i].slot);
    this.writeLinks(u, level, kept);
  }

  private chooseNewEntry(): void {
    this.entry = -1;
    this.maxLevel = -1;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.levels[slot] > this.maxLevel && this.unlinkedFlags[slot] !== 1) {
        this.maxLevel = this.levels[slot];
        this.entry = slot;
      }
    }
  }

  /**
   * After removals some nodes may have lost every incoming link on the bottom layer (no search
   * could reach them) or every outgoing one. Those get fresh links found by a search from the
   * entry point, and their nearest neighbours link back to them.
   */
  private reattachOrphans(limit = Number.POSITIVE_INFINITY): number {
    this.insertsSinceRepair = 0;
    if (this.liveCount < 2) return 0;
    const stride = this.m0 + 1;
    const incoming = new Uint32Array(this.slotCount);
    for (let u = 0; u < this.slotCount; u++) {
      if (this.levels[u] < 0) continue;
      const base = u * stride;
      for (let i = 1; i <= this.links0[base]; i++) incoming[this.links0[base + i]]++;
    }
    let relinked = 0;
    const start = this.repairCursor < this.slotCount ? this.repairCursor : 0;
    for (let step = 0; step < this.slotCount && relinked < limit; step++) {
      const u = (start + step) % this.slotCount;
      this.repairCursor = u + 1;
      if (this.levels[u] < 0 || u === this.entry || this.unlinkedFlags[u] === 1) continue;
      if (incoming[u] > 0 && this.links0[u * stride] > 0) continue;
      this.relinkBottom(u);
      relinked++;
    }
    return relinked;
  }

  private relinkBottom(u: number): void {
    this.vectors.loadQuery(this.vectors.get(u));
    let entry = this.entry;
    let entrySimilarity = this.vectors.similarityToQuery(entry);
    for (let l = this.maxLevel; l > 0; l--) {
      entry = this.greedyClosest(entry, entrySimilarity, l);
      entrySimilarity = this.vectors.similarityToQuery(entry);
    }
    this.searchLayer([entry], [entrySimilarity], this.efConstruction, 0, (slot) => slot !== u);
    const found = this.results.drainDescending();
    const chosen = this.selectDiverse(found.ids, found.scores, this.m, u, true);
    if (chosen.length === 0) return;
    const existing = this.linkArray(u, 0);
    const offset = this.linkOffset(u, 0);
    const merged = new Set<number>(chosen);
    for (let i = 1; i <= existing[offset] && merged.size < this.m0; i++) merged.add(existing[offset + i]);
    this.writeLinks(u, 0, [...merged]);
    for (const neighbour of chosen) this.connect(neighbour, u, 0);
    this.ensureIncoming(u, chosen);
  }

  /**
   * Near-duplicates make the heuristic drop a new node from every neighbour's full list (it is
   * never the most diverse choice), which leaves it unreachable. Then its closest neighbour gives
   * up its least similar link for it.
   */
  private ensureIncoming(u: number, neighbours: readonly number[]): void {
    if (neighbours.length === 0 || neighbours.some((neighbour) => this.hasLink(neighbour, u))) return;
    const closest = neighbours[0];
    const array = this.linkArray(closest, 0);
    const base = this.linkOffset(closest, 0);
    const count = array[base];
    if (count < this.m0) {
      array[base + 1 + count] = u;
      array[base] = count + 1;
      return;
    }
    let worst = 1;
    let worstSimilarity = Infinity;
    for (let i = 1; i <= count; i++) {
      const similarity = this.vectors.similarityBetween(closest, array[base + i]);
      if (similarity < worstSimilarity) {
        worstSimilarity = similarity;
        worst = i;
      }
    }
    array[base + worst] = u;
  }

  private hasLink(from: number, to: number): boolean {
    const array = this.linkArray(from, 0);
    const offset = this.linkOffset(from, 0);
    for (let i = 1; i <= array[offset]; i++) if (array[offset + i] === to) return true;
    return false;
  }

  // --- storage ----------------------------------------------------------------------------

  /** Grows storage by half again when full: doubling would leave up to half of 40 MB unused. */
  private ensureCapacity(slots: number): void {
    if (slots <= this.capacity) return;
    const capacity = Math.max(slots, Math.ceil(this.capacity * 1.5), 64);
    const grow = <T extends Int8Array | Uint8Array | Int32Array | Uint32Array | Float32Array>(array: T, length: number): T => {
      const Ctor = array.constructor as new (length: number) => T;
      const bigger = new Ctor(length);
      bigger.set(array);
      return bigger;
    };
    this.vectors.ensureCapacity(capacity);
    this.levels = grow(this.levels, capacity);
    this.levels.fill(-1, this.capacity);
    this.links0 = grow(this.links0, capacity * (this.m0 + 1));
    this.visited = grow(this.visited, capacity);
    this.unlinkedFlags = grow(this.unlinkedFlags, capacity);
    this.capacity = capacity;
  }

  /** Level of a new node: geometric, so each layer holds about 1/m of the one below. */
  private randomLevel(): number {
    let x = this.rngState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rngState = x >>> 0;
    const uniform = (this.rngState + 1) / 4294967297;
    return Math.min(MAX_LEVEL, Math.floor(-Math.log(uniform) * this.levelFactor));
  }
}
