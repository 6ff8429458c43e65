import type { BaseEmbedding } from '@llamaindex/core/embeddings';
import type { BaseNode } from '@llamaindex/core/schema';
import {
  BaseVectorStore,
  VectorStoreQueryMode,
  type MetadataFilter,
  type MetadataFilters,
  type VectorStoreQuery,
  type VectorStoreQueryResult,
} from '@llamaindex/core/vector-store';
import { CorruptIndexFileError, decodeContainer, encodeContainer } from './binary-container';
import { HnswGraph, type GraphHits, type HnswOptions } from './hnsw-graph';
import { LocalHashingEmbedding } from './local-embedding';
import { StringCodes, ensureCapacity } from './string-codes';

export interface VectorEntry {
  id: string;
  vector: ArrayLike<number>;
  resourceId: string;
  moduleId: string;
}

export interface VectorHit {
  chunkId: string;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

/** Which chunks a search may return. Lists are ORed within a field and the fields ANDed. */
export interface VectorFilter {
  moduleIds?: readonly string[];
  resourceIds?: readonly string[];
  excludeModuleIds?: readonly string[];
  excludeResourceIds?: readonly string[];
}

export interface VectorSearchOptions extends VectorFilter {
  k: number;
  /** Search breadth; defaults to the store's `efSearch`. Larger is slower and more exact. */
  ef?: number;
}

export interface LocalVectorStoreOptions {
  dimensions: number;
  /**
   * Only used by LlamaIndex components that embed queries through the store; the store itself
   * never embeds. Defaults to a LocalHashingEmbedding of the same dimensions.
   */
  embedModel?: BaseEmbedding;
  hnsw?: HnswOptions;
  /**
   * A filtered query scans the approved vectors exactly when they number at most this many or
   * at most `exactScanShare` of the store; otherwise it walks the graph with the filter.
   */
  exactScanLimit?: number;
  exactScanShare?: number;
}

export class UnsupportedVectorQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedVectorQueryError';
  }
}

const DEFAULT_HNSW: HnswOptions = { m: 16, efConstruction: 128, efSearch: 1024 };
/**
 * Vectors wait unlinked, scanned exactly by every search, until the graph links them in the
 * background: an upload is searchable without waiting for the graph (linking is the costliest part
 * of indexing: bench:ingest). Past this many waiting, `upsert` links the excess itself, so that
 * the exact scan stays a millisecond or two even while a whole index is being built.
 */
const MAX_UNLINKED = 4096;
/** Longest stretch of linking between two turns of the event loop. */
const LINKING_SLICE_MS = 10;
const MODULE_KEYS = new Set(['module_id', 'moduleId']);
const RESOURCE_KEYS = new Set(['resource_id', 'resourceId', 'ref_doc_id', 'doc_id']);

/**
 * LlamaIndex vector store over an in-process HNSW graph of int8 vectors, with chunks tagged by
 * resource (LlamaIndex's "ref doc") and module. It stores no text (`storesText` is false): the
 * application keeps chunk texts in its document store and looks them up by the returned ids.
 *
 * A module filter never makes top-k come back short: a small module is scanned exactly over its
 * own vectors, a large one is searched in the graph with a breadth scaled by its share, and if
 * that still finds fewer than k the module is scanned.
 */
export class LocalVectorStore extends BaseVectorStore<HnswGraph> {
  storesText = false;
  readonly dimensions: number;
  private readonly exactScanLimit: number;
  private readonly exactScanShare: number;
  private graph: HnswGraph;
  private slotId: (string | undefined)[] = [];
  private slotModule = new Int32Array(0);
  private slotResource = new Int32Array(0);
  private readonly idSlot = new Map<string, number>();
  private readonly modules = new StringCodes();
  private readonly resources = new StringCodes();
  /**
   * Live slots of each module (resource) code, or null until first needed (see `moduleSlots`): a
   * loaded store builds them at its first filtered search, removal or count, not at load, where
   * they were the costliest part of reading 100,000 chunks' ids; an unfiltered search never reads
   * them, and a module filter only the module groups.
   */
  private moduleGroups: SlotGroups | null = new Map();
  private resourceGroups: SlotGroups | null = new Map();
  private linking: Promise<void> | null = null;

  /** `graph` is given by `deserialize` only: a loaded store takes the saved graph instead of building an empty one. */
  constructor(options: LocalVectorStoreOptions, graph?: HnswGraph) {
    super({ embedModel: options.embedModel ?? new LocalHashingEmbedding({ dimensions: options.dimensions }) });
    this.dimensions = options.dimensions;
    this.exactScanLimit = options.exactScanLimit ?? 4096;
    this.exactScanShare = options.exactScanShare ?? 0.3;
    this.graph = graph ?? new HnswGraph(options.dimensions, { ...DEFAULT_HNSW, ...options.hnsw });
  }

  client(): HnswGraph {
    return this.graph;
  }

  /** Number of vectors stored. */
  get size(): number {
    return this.idSlot.size;
  }

  /** Approximate bytes held by the vectors and the graph. */
  get byteSize(): number {
    return this.graph.byteSize + this.slotModule.byteLength + this.slotResource.byteLength;
  }

  /** Number of distinct resources (LlamaIndex ref docs) with at least one vector. */
  get resourceCount(): number {
    return this.resourceSlots.size;
  }

  /** Number of distinct modules with at least one vector. */
  get moduleCount(): number {
    return this.moduleSlots.size;
  }

  has(id: string): boolean {
    return this.idSlot.has(id);
  }

  // --- LlamaIndex interface ---------------------------------------------------------------

  /** Adds embedded nodes; the resource is the node's source document, the module `module_id`. */
  add(nodes: BaseNode[]): Promise<string[]> {
    return settled(() => this.addNodes(nodes));
  }

  /** Deletes every vector of one source document (a resource). */
  delete(refDocId: string): Promise<void> {
    return settled(() => {
      this.removeResource(refDocId);
    });
  }

  query(query: VectorStoreQuery): Promise<VectorStoreQueryResult> {
    return settled(() => this.answer(query));
  }

  private addNodes(nodes: BaseNode[]): string[] {
    const entries = nodes.map((node): VectorEntry => {
      const metadata = node.metadata as Record<string, unknown>;
      return {
        id: node.id_,
        vector: node.getEmbedding(),
        resourceId: node.sourceNode?.nodeId ?? stringField(metadata, RESOURCE_KEYS) ?? node.id_,
        moduleId: stringField(metadata, MODULE_KEYS) ?? '',
      };
    });
    this.upsert(entries);
    return entries.map((entry) => entry.id);
  }

  private answer(query: VectorStoreQuery): VectorStoreQueryResult {
    if (query.mode && query.mode !== VectorStoreQueryMode.DEFAULT) {
      throw new UnsupportedVectorQueryError(`query mode "${query.mode}" is not supported (only "default")`);
    }
    if (!query.queryEmbedding) throw new UnsupportedVectorQueryError('a query embedding is required');
    const filter = filterFromMetadata(query.filters);
    if (query.docIds) filter.resourceIds = intersect(filter.resourceIds, query.docIds);
    const hits = this.search(query.queryEmbedding, { ...filter, k: query.similarityTopK });
    return { ids: hits.map((h) => h.chunkId), similarities: hits.map((h) => h.similarity) };
  }

  // --- direct interface -------------------------------------------------------------------

  /** Adds or replaces vectors (a replaced id is removed first, in one batch). */
  upsert(entries: readonly VectorEntry[]): void {
    const replaced = entries.filter((entry) => this.idSlot.has(entry.id)).map((entry) => entry.id);
    if (replaced.length > 0) this.removeIds(replaced);
    for (const entry of entries) {
      if (this.idSlot.has(entry.id)) this.removeIds([entry.id]);
      const slot = this.graph.add(entry.vector);
      this.slotModule = ensureCapacity(this.slotModule, slot + 1);
      this.slotResource = ensureCapacity(this.slotResource, slot + 1);
      const moduleCode = this.modules.codeOf(entry.moduleId);
      const resourceCode = this.resources.codeOf(entry.resourceId);
      this.slotId[slot] = entry.id;
      this.slotModule[slot] = moduleCode;
      this.slotResource[slot] = resourceCode;
      this.idSlot.set(entry.id, slot);
      if (this.moduleGroups) groupOf(this.moduleGroups, moduleCode).add(slot);
      if (this.resourceGroups) groupOf(this.resourceGroups, resourceCode).add(slot);
    }
    const excess = this.graph.pendingCount - MAX_UNLINKED;
    if (excess > 0) this.graph.linkPending(excess);
    this.linkInBackground();
  }

  /** Settles once every vector added so far is linked into the graph. */
  whenLinked(): Promise<void> {
    return this.linking ?? Promise.resolve();
  }

  /** Links waiting vectors in slices of LINKING_SLICE_MS, yielding to requests in between. */
  private linkInBackground(): void {
    if (this.linking || this.graph.pendingCount === 0) return;
    this.linking = new Promise<void>((resolve) => {
      const slice = () => {
        const deadline = performance.now() + LINKING_SLICE_MS;
        while (this.graph.linkPending(8) > 0 && performance.now() < deadline);
        if (this.graph.pendingCount > 0) {
          setImmediate(slice);
          return;
        }
        this.linking = null;
        resolve();
      };
      setImmediate(slice);
    });
  }

  /** Removes vectors by id; prefer one call with many ids to many calls with one. */
  removeIds(ids: Iterable<string>): number {
    const slots: number[] = [];
    for (const id of ids) {
      const slot = this.idSlot.get(id);
      if (slot !== undefined) slots.push(slot);
    }
    return this.removeSlots(slots);
  }

  removeResource(resourceId: string): number {
    return this.removeSlots([...(this.resourceSlots.get(this.resources.find(resourceId)) ?? [])]);
  }

  removeModule(moduleId: string): number {
    return this.removeSlots([...(this.moduleSlots.get(this.modules.find(moduleId)) ?? [])]);
  }

  /** The k vectors most similar to `vector` that pass the filter, best first. */
  search(vector: ArrayLike<number>, options: VectorSearchOptions): VectorHit[] {
    const k = Math.max(0, Math.floor(options.k));
    const live = this.idSlot.size;
    if (k === 0 || live === 0) return [];
    const ef = Math.max(options.ef ?? this.graph.efSearch, k);
    const plan = this.planFilter(options);
    let hits: GraphHits;
    if (plan === 'all') {
      hits = this.graph.search(vector, k, ef);
    } else if (plan.slots.length === 0) {
      return [];
    } else if (plan.slots.length <= Math.max(this.exactScanLimit, live * this.exactScanShare)) {
      hits = this.graph.scan(vector, plan.slots, k);
    } else {
      // A filter passing a share s of the vectors needs about ef / s nodes walked to collect ef.
      const share = plan.slots.length / live;
      hits = this.graph.search(vector, k, Math.ceil(ef / share), plan.accept);
      if (hits.slots.length < Math.min(k, plan.slots.length)) hits = this.graph.scan(vector, plan.slots, k);
    }
    const out: VectorHit[] = [];
    for (let i = 0; i < hits.slots.length; i++) {
      out.push({ chunkId: this.slotId[hits.slots[i]] as string, similarity: hits.similarities[i] });
    }
    return out;
  }

  /**
   * Exact cosine similarity of `vector` to each of the given ids that is stored (unknown ids are
   * left out). Hybrid retrieval uses it to score keyword candidates the vector search did not reach.
   */
  similarities(vector: ArrayLike<number>, ids: Iterable<string>): Map<string, number> {
    const slots: number[] = [];
    for (const id of ids) {
      const slot = this.idSlot.get(id);
      if (slot !== undefined) slots.push(slot);
    }
    const out = new Map<string, number>();
    if (slots.length === 0) return out;
    const hits = this.graph.scan(vector, slots, slots.length);
    for (let i = 0; i < hits.slots.length; i++) out.set(this.slotId[hits.slots[i]] as string, hits.similarities[i]);
    return out;
  }

  /**
   * Binary snapshot. With `positionOf`, ids are saved as positions in a list kept elsewhere (the
   * keyword file's chunk ids) rather than as strings, so that a load parses 100,000 ids once, not
   * twice; if any id has no position they are saved as strings. Load such a file with `idAt`.
   */
  serialize(positionOf?: (id: string) => number | undefined): Buffer {
    const bound = this.graph.slotBound;
    const ids = this.slotId.slice(0, bound);
    let positions: Int32Array | undefined = positionOf && new Int32Array(bound);
    for (let slot = 0; positions && slot < bound; slot++) {
      const id = ids[slot];
      const position = id === undefined ? -1 : positionOf?.(id);
      if (position === undefined) positions = undefined;
      else positions[slot] = position;
    }
    return encodeContainer(
      {
        kind: 'vectors',
        // Without `ids`, an earlier version fails to load the file and rebuilds the index.
        ...(positions ? {} : { ids: ids.map((id) => id ?? null) }),
        modules: this.modules.toArray(),
        resources: this.resources.toArray(),
        exactScanLimit: this.exactScanLimit,
        exactScanShare: this.exactScanShare,
      },
      {
        module: this.slotModule.slice(0, bound),
        resource: this.slotResource.slice(0, bound),
        ...(positions ? { idPosition: positions } : {}),
        graph: new Uint8Array(this.graph.serialize()),
      },
    );
  }

  /** `idAt` gives the ids of a file saved with positions (see `serialize`); a file with ids ignores it. */
  static deserialize(file: Buffer, embedModel?: BaseEmbedding, idAt?: (position: number) => string | undefined): LocalVectorStore {
    const container = decodeContainer(file);
    const meta = container.meta as {
      kind: string;
      ids?: (string | null)[];
      modules: string[];
      resources: string[];
      exactScanLimit: number;
      exactScanShare: number;
    };
    if (meta.kind !== 'vectors') throw new TypeError('not a vector store file');
    const ids = meta.ids ?? idsFromPositions(container.get('idPosition', 'Int32Array'), idAt);
    const graphBytes = container.get('graph', 'Uint8Array');
    const graph = HnswGraph.deserialize(Buffer.from(graphBytes.buffer, graphBytes.byteOffset, graphBytes.byteLength));
    // The search breadth is this version's, not the one saved: it shapes no link of the graph.
    graph.efSearch = DEFAULT_HNSW.efSearch as number;
    const store = new LocalVectorStore(
      { dimensions: graph.dimensions, embedModel, exactScanLimit: meta.exactScanLimit, exactScanShare: meta.exactScanShare },
      graph,
    );
    store.linkInBackground();
    for (const value of meta.modules) store.modules.codeOf(value);
    for (const value of meta.resources) store.resources.codeOf(value);
    store.slotModule = container.get('module', 'Int32Array');
    store.slotResource = container.get('resource', 'Int32Array');
    // The id array becomes the slot table (it is ours alone): only dead slots change.
    const slotId = ids as (string | null | undefined)[];
    for (let slot = 0; slot < slotId.length; slot++) {
      const id = slotId[slot];
      if (id === null || id === undefined || !graph.isLive(slot)) {
        slotId[slot] = undefined;
        continue;
      }
      store.idSlot.set(id, slot);
    }
    store.slotId = slotId as (string | undefined)[];
    store.moduleGroups = null;
    store.resourceGroups = null;
    return store;
  }

  // --- internals --------------------------------------------------------------------------

  private removeSlots(slots: number[]): number {
    if (slots.length === 0) return 0;
    for (const slot of slots) {
      const id = this.slotId[slot] as string;
      this.idSlot.delete(id);
      this.slotId[slot] = undefined;
      if (this.moduleGroups) leaveGroup(this.moduleGroups, this.slotModule[slot], slot);
      if (this.resourceGroups) leaveGroup(this.resourceGroups, this.slotResource[slot], slot);
    }
    return this.graph.remove(slots);
  }

  private get moduleSlots(): SlotGroups {
    return (this.moduleGroups ??= this.groupLiveSlots(this.slotModule));
  }

  private get resourceSlots(): SlotGroups {
    return (this.resourceGroups ??= this.groupLiveSlots(this.slotResource));
  }

  /** Groups the live slots by their code in `column`, in the order the slots were stored. */
  private groupLiveSlots(column: Int32Array): SlotGroups {
    const groups: SlotGroups = new Map();
    for (const slot of this.idSlot.values()) groupOf(groups, column[slot]).add(slot);
    return groups;
  }

  /**
   * Turns a filter into the list of slots it approves (the smallest include list drives it) and
   * a predicate for the graph walk; 'all' when nothing is filtered.
   */
  private planFilter(filter: VectorFilter): 'all' | { slots: number[]; accept: (slot: number) => boolean } {
    const moduleIn = codeFlags(this.modules, filter.moduleIds);
    const resourceIn = codeFlags(this.resources, filter.resourceIds);
    const moduleOut = codeFlags(this.modules, filter.excludeModuleIds);
    const resourceOut = codeFlags(this.resources, filter.excludeResourceIds);
    if (!moduleIn && !resourceIn && !moduleOut && !resourceOut) return 'all';
    const accept = (slot: number): boolean =>
      (!moduleIn || moduleIn.has(this.slotModule[slot])) &&
      (!resourceIn || resourceIn.has(this.slotResource[slot])) &&
      (!moduleOut || !moduleOut.has(this.slotModule[slot])) &&
      (!resourceOut || !resourceOut.has(this.slotResource[slot]));

    const slots: number[] = [];
    const driver =
      resourceIn && (!moduleIn || countSlots(this.resourceSlots, resourceIn) <= countSlots(this.moduleSlots, moduleIn))
        ? { groups: this.resourceSlots, codes: resourceIn }
        : moduleIn
          ? { groups: this.moduleSlots, codes: moduleIn }
          : undefined;
    if (driver) {
      for (const code of driver.codes) for (const slot of driver.groups.get(code) ?? []) if (accept(slot)) slots.push(slot);
    } else {
      for (const slot of this.idSlot.values()) if (accept(slot)) slots.push(slot);
    }
    return { slots, accept };
  }
}

function idsFromPositions(positions: Int32Array, idAt: ((position: number) => string | undefined) | undefined): (string | null)[] {
  if (!idAt) throw new CorruptIndexFileError('the vector file keeps its ids in another file, which was not given');
  const ids = new Array<string | null>(positions.length);
  for (let slot = 0; slot < positions.length; slot++) {
    const position = positions[slot];
    const id = position < 0 ? null : idAt(position);
    if (id === undefined) throw new CorruptIndexFileError(`the vector file refers to a missing id (position ${position})`);
    ids[slot] = id;
  }
  return ids;
}

/** Live slots by module or resource code. */
type SlotGroups = Map<number, Set<number>>;

/** Runs synchronous work behind a promise-returning interface, turning a throw into a rejection. */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function groupOf(groups: Map<number, Set<number>>, code: number): Set<number> {
  let group = groups.get(code);
  if (!group) {
    group = new Set();
    groups.set(code, group);
  }
  return group;
}

function leaveGroup(groups: Map<number, Set<number>>, code: number, slot: number): void {
  const group = groups.get(code);
  if (!group) return;
  group.delete(slot);
  if (group.size === 0) groups.delete(code);
}

function countSlots(groups: Map<number, Set<number>>, codes: Set<number>): number {
  let total = 0;
  for (const code of codes) total += groups.get(code)?.size ?? 0;
  return total;
}

/** Codes of the listed values (unknown values match nothing); undefined when no list is given. */
function codeFlags(table: StringCodes, values: readonly string[] | undefined): Set<number> | undefined {
  if (!values) return undefined;
  const codes = new Set<number>();
  for (const value of values) {
    const code = table.find(value);
    if (code >= 0) codes.add(code);
  }
  return codes;
}

function stringField(metadata: Record<string, unknown>, keys: Set<string>): string | undefined {
  for (const key of keys) {
    const value = metadata[key];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

function intersect(current: readonly string[] | undefined, next: readonly string[]): string[] {
  return current ? current.filter((value) => next.includes(value)) : [...next];
}

/**
 * Translates LlamaIndex metadata filters on module and resource ids. Under AND, each filter
 * narrows; under OR, only inclusions on a single key make sense here and are merged.
 */
export function filterFromMetadata(filters: MetadataFilters | undefined): VectorFilter {
  const out: VectorFilter = {};
  if (!filters || filters.filters.length === 0) return out;
  const condition = filters.condition ?? 'and';
  const keyOf = (filter: MetadataFilter): 'module' | 'resource' => {
    if (MODULE_KEYS.has(filter.key)) return 'module';
    if (RESOURCE_KEYS.has(filter.key)) return 'resource';
    throw new UnsupportedVectorQueryError(`cannot filter on "${filter.key}" (only module_id and resource_id)`);
  };
  const valuesOf = (filter: MetadataFilter): string[] => {
    const value = filter.value;
    if (Array.isArray(value)) return value.map(String);
    if (typeof value === 'string' || typeof value === 'number') return [String(value)];
    throw new UnsupportedVectorQueryError(`filter on "${filter.key}" needs a value`);
  };
  if (condition === 'or') {
    const keys = new Set(filters.filters.map(keyOf));
    if (keys.size > 1 || filters.filters.some((f) => f.operator !== '==' && f.operator !== 'in')) {
      throw new UnsupportedVectorQueryError('OR filters must all include values of one key');
    }
    const values = filters.filters.flatMap(valuesOf);
    if (keys.has('module')) out.moduleIds = values;
    else out.resourceIds = values;
    return out;
  }
  for (const filter of filters.filters) {
    const key = keyOf(filter);
    const values = valuesOf(filter);
    const include = filter.operator === '==' || filter.operator === 'in';
    const exclude = filter.operator === '!=' || filter.operator === 'nin';
    if (!include && !exclude) {
      throw new UnsupportedVectorQueryError(`filter operator "${filter.operator}" is not supported`);
    }
    if (include && key === 'module') out.moduleIds = intersect(out.moduleIds, values);
    if (include && key === 'resource') out.resourceIds = intersect(out.resourceIds, values);
    if (exclude && key === 'module') out.excludeModuleIds = [...(out.excludeModuleIds ?? []), ...values];
    if (exclude && key === 'resource') out.excludeResourceIds = [...(out.excludeResourceIds ?? []), ...values];
  }
  return out;
}
