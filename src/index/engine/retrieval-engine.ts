import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BaseEmbedding } from '@llamaindex/core/embeddings';
import { CorruptIndexFileError } from './binary-container';
import { syncDirectory, writeFileAtomic } from './atomic-files';
import { Bm25Index, type Bm25Options } from './bm25-index';
import type { HnswOptions } from './hnsw-graph';
import { HybridRetriever, type HybridOptions, type RetrievalHit, type RetrievalMode } from './hybrid-retriever';
import { LocalHashingEmbedding } from './local-embedding';
import { LocalVectorStore } from './vector-index';

export interface EngineChunk {
  id: string;
  resourceId: string;
  moduleId: string;
  /** Used to index the chunk, then dropped: the engine keeps no text. */
  text: string;
  /** Its vector when it was embedded already (stored with the chunk): the engine then does not embed it again. */
  vector?: ArrayLike<number>;
}

export interface EngineSearchOptions {
  /** How many results (default 5). */
  k?: number;
  /** Only chunks of this module (or of any of these modules). */
  moduleId?: string | readonly string[];
  /** Default 'hybrid'. */
  mode?: RetrievalMode;
}

export interface EngineStats {
  chunks: number;
  resources: number;
  modules: number;
  dimensions: number;
  embeddingModel: string;
  vectorStore: string;
  /** Approximate bytes of vectors and graph links. */
  vectorBytes: number;
}

/** What an index directory records about itself; read it without loading the index. */
export interface IndexManifest {
  format: number;
  embeddingModel: string;
  dimensions: number;
  chunks: number;
  resources: number;
  modules: number;
  vectorStore: string;
  savedAt: string;
  files: { keyword: string; vectors: string };
}

export interface EmbeddingIdentity {
  model: string;
  dimensions: number;
}

export interface EngineOptions {
  /** Name recorded for the embedding model; by default read from the model (`modelName`/`model`). */
  embeddingModel?: string;
  /** Vector length; by default read from the model's `embedInfo`, else measured on a probe text. */
  dimensions?: number;
  bm25?: Bm25Options;
  hnsw?: HnswOptions;
  hybrid?: HybridOptions;
  /** Chunks embedded and indexed per step; the event loop is released between steps (default 128). */
  batchSize?: number;
}

export interface AddChunksOptions {
  onProgress?: (done: number, total: number) => void;
}

/**
 * The index on disk was built with another embedding model or vector length than the one
 * configured now. Vectors from two models cannot be compared, so the index must be rebuilt.
 */
export class EmbeddingModelChanged extends Error {
  constructor(
    readonly indexed: EmbeddingIdentity,
    readonly configured: EmbeddingIdentity,
  ) {
    super(
      `the index was built with ${indexed.model} (${indexed.dimensions} dimensions) but ` +
        `${configured.model} (${configured.dimensions} dimensions) is configured; rebuild the index`,
    );
    this.name = 'EmbeddingModelChanged';
  }
}

export class IndexNotFound extends Error {
  constructor(readonly directory: string) {
    super(`no saved index in ${directory}`);
    this.name = 'IndexNotFound';
  }
}

/**
 * 2: the vector file refers to the keyword file's chunk ids by position instead of storing them
 * again. Format 1 still loads; a version knowing only 1 rejects 2 and rebuilds the index.
 */
const FORMAT = 2;
const LOADABLE_FORMATS = new Set([1, 2]);
const VECTOR_STORE_KIND = 'hnsw-int8';
const CURRENT_FILE = 'CURRENT';
const MANIFEST_FILE = 'manifest.json';
const KEYWORD_FILE = 'keyword.bin';
const VECTOR_FILE = 'vectors.bin';
const GENERATION_PREFIX = 'gen-';

/** Name and vector length of an embedding model, as recorded in an index manifest. */
export async function describeEmbedding(
  embedding: BaseEmbedding,
  overrides: Pick<EngineOptions, 'embeddingModel' | 'dimensions'> = {},
): Promise<EmbeddingIdentity> {
  const named = embedding as unknown as { modelName?: unknown; model?: unknown; dimensions?: unknown };
  const model =
    overrides.embeddingModel ??
    (typeof named.modelName === 'string' ? named.modelName : undefined) ??
    (typeof named.model === 'string' ? named.model : undefined) ??
    embedding.constructor.name;
  let dimensions =
    overrides.dimensions ?? embedding.embedInfo?.dimensions ?? (typeof named.dimensions === 'number' ? named.dimensions : undefined);
  if (dimensions === undefined) dimensions = (await embedding.getTextEmbedding('dimension probe')).length;
  return { model, dimensions };
}

/**
 * One generation of the local search index: BM25 postings and an HNSW vector store over the same
 * chunk ids, queried together by the hybrid retriever. It holds ids, vectors and postings, never
 * chunk texts. A rebuild creates a fresh engine beside the serving one and swaps it in when done.
 *
 * Saved indexes are directories of generations: `save` writes a new generation, flushes it, then
 * atomically repoints `CURRENT` to it, so a crash at any moment leaves the previous index intact.
 */
export class RetrievalEngine {
  private readonly retriever: HybridRetriever;
  private readonly batchSize: number;

  private constructor(
    private readonly embedding: BaseEmbedding,
    private readonly identity: EmbeddingIdentity,
    private readonly keyword: Bm25Index,
    private readonly vectors: LocalVectorStore,
    options: EngineOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 128);
    // Texts that share nothing get cosine 0 from the local hashing embedding: a known floor.
    const hybrid = { similarityFloor: embedding instanceof LocalHashingEmbedding ? 0 : undefined, ...options.hybrid };
    this.retriever = new HybridRetriever(keyword, vectors, (query) => this.embedQuery(query), hybrid);
  }

  /** An empty engine for the given embedding model. */
  static async create(embedding: BaseEmbedding, options: EngineOptions = {}): Promise<RetrievalEngine> {
    const identity = await describeEmbedding(embedding, options);
    return new RetrievalEngine(
      embedding,
      identity,
      new Bm25Index(options.bm25),
      new LocalVectorStore({ dimensions: identity.dimensions, embedModel: embedding, hnsw: options.hnsw }),
      options,
    );
  }

  /** The manifest of the index saved in `dir`, or null when there is none. */
  static async readManifest(dir: string): Promise<IndexManifest | null> {
    const generation = await readCurrent(dir);
    if (!generation) return null;
    const raw = await readFile(join(dir, generation, MANIFEST_FILE), 'utf8');
    return JSON.parse(raw) as IndexManifest;
  }

  /**
   * Loads the index saved in `dir`. Throws IndexNotFound when there is none, and
   * EmbeddingModelChanged when it was built with another model or vector length.
   */
  static async load(dir: string, embedding: BaseEmbedding, options: EngineOptions = {}): Promise<RetrievalEngine> {
    const generation = await readCurrent(dir);
    if (!generation) throw new IndexNotFound(dir);
    const folder = join(dir, generation);
    const manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as IndexManifest;
    if (!LOADABLE_FORMATS.has(manifest.format)) throw new CorruptIndexFileError(`unsupported index format ${manifest.format}`);
    const identity = await describeEmbedding(embedding, options);
    if (manifest.embeddingModel !== identity.model || manifest.dimensions !== identity.dimensions) {
      throw new EmbeddingModelChanged({ model: manifest.embeddingModel, dimensions: manifest.dimensions }, identity);
    }
    // Both files are read at once, and the vector file (the larger) is still being read while the
    // keyword file is decoded: read one after the other, a start waited idle on each in turn.
    const keywordFile = readFile(join(folder, manifest.files.keyword));
    const vectorFile = readFile(join(folder, manifest.files.vectors));
    // Neither may reject unobserved while the other is awaited (the first failure is thrown below).
    void Promise.allSettled([keywordFile, vectorFile]);
    const keyword = Bm25Index.deserialize(await keywordFile);
    const vectors = LocalVectorStore.deserialize(await vectorFile, embedding, (position) => keyword.chunkAt(position));
    if (keyword.size !== manifest.chunks || vectors.size !== manifest.chunks || vectors.dimensions !== identity.dimensions) {
      throw new CorruptIndexFileError(`index in ${folder} does not match its manifest`);
    }
    return new RetrievalEngine(embedding, identity, keyword, vectors, options);
  }

  get embeddingModel(): string {
    return this.identity.model;
  }

  get dimensions(): number {
    return this.identity.dimensions;
  }

  /** The vector side as a LlamaIndex vector store (for LlamaIndex retrievers and indexes). */
  get vectorStore(): LocalVectorStore {
    return this.vectors;
  }

  has(chunkId: string): boolean {
    return this.vectors.has(chunkId);
  }

  /**
   * Embeds and indexes chunks, replacing any with the same id. Each batch is embedded first and
   * only then added to both indexes, so a failing embedding call leaves no half-indexed chunk.
   */
  async addChunks(chunks: readonly EngineChunk[], options: AddChunksOptions = {}): Promise<void> {
    for (const chunk of chunks) {
      if (typeof chunk.id !== 'string' || chunk.id === '') throw new TypeError('every chunk needs a non-empty id');
    }
    for (let start = 0; start < chunks.length; start += this.batchSize) {
      const batch = chunks.slice(start, start + this.batchSize);
      const vectors = batch.every((chunk) => chunk.vector !== undefined)
        ? batch.map((chunk) => this.checkLength(chunk.vector!))
        : await this.embedTexts(batch.map((chunk) => chunk.text));
      for (const chunk of batch) this.keyword.add(chunk.id, chunk.text, chunk.moduleId, chunk.resourceId);
      this.vectors.upsert(
        batch.map((chunk, i) => ({ id: chunk.id, vector: vectors[i], resourceId: chunk.resourceId, moduleId: chunk.moduleId })),
      );
      options.onProgress?.(start + batch.length, chunks.length);
      // Indexing is CPU-bound: let pending requests (searches included) run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Removes chunks by id; returns how many were indexed. */
  removeChunks(ids: readonly string[]): number {
    for (const id of ids) this.keyword.remove(id);
    return this.vectors.removeIds(ids);
  }

  removeResource(resourceId: string): number {
    this.keyword.removeByResource(resourceId);
    return this.vectors.removeResource(resourceId);
  }

  removeModule(moduleId: string): number {
    this.keyword.removeByModule(moduleId);
    return this.vectors.removeModule(moduleId);
  }

  /** The k best chunks for a query, best first (see RetrievalHit for what `score` means). */
  async search(query: string, options: EngineSearchOptions = {}): Promise<RetrievalHit[]> {
    const moduleIds =
      options.moduleId === undefined ? undefined : typeof options.moduleId === 'string' ? [options.moduleId] : options.moduleId;
    return this.retriever.retrieve(query, { k: options.k ?? 5, mode: options.mode, moduleIds });
  }

  stats(): EngineStats {
    return {
      chunks: this.vectors.size,
      resources: this.vectors.resourceCount,
      modules: this.vectors.moduleCount,
      dimensions: this.identity.dimensions,
      embeddingModel: this.identity.model,
      vectorStore: VECTOR_STORE_KIND,
      vectorBytes: this.vectors.byteSize,
    };
  }

  /** Settles once every vector added so far is linked into the vector graph. */
  whenLinked(): Promise<void> {
    return this.vectors.whenLinked();
  }

  /** Saves a snapshot to `dir` (created if needed); safe against crashes at any point. */
  async save(dir: string): Promise<void> {
    // Serialise synchronously so the snapshot is consistent even if chunks are added meanwhile.
    const keywordBytes = this.keyword.serialize();
    // After the keyword index is serialised, its positions are those of the ids it saved.
    const vectorBytes = this.vectors.serialize((id) => this.keyword.savedPosition(id));
    const stats = this.stats();
    const manifest: IndexManifest = {
      format: FORMAT,
      embeddingModel: this.identity.model,
      dimensions: this.identity.dimensions,
      chunks: stats.chunks,
      resources: stats.resources,
      modules: stats.modules,
      vectorStore: VECTOR_STORE_KIND,
      savedAt: new Date().toISOString(),
      files: { keyword: KEYWORD_FILE, vectors: VECTOR_FILE },
    };
    await mkdir(dir, { recursive: true });
    const generation = `${GENERATION_PREFIX}${Date.now()}-${randomBytes(3).toString('hex')}`;
    const folder = join(dir, generation);
    await mkdir(folder);
    await writeFileAtomic(join(folder, KEYWORD_FILE), keywordBytes);
    await writeFileAtomic(join(folder, VECTOR_FILE), vectorBytes);
    await writeFileAtomic(join(folder, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    await syncDirectory(folder);
    await writeFileAtomic(join(dir, CURRENT_FILE), generation);
    await removeOtherGenerations(dir, generation);
  }

  /** Vectors of passages by this engine's model, checked for length (the vectors stored with chunks). */
  async embedTexts(texts: string[]): Promise<ArrayLike<number>[]> {
    const vectors: ArrayLike<number>[] =
      this.embedding instanceof LocalHashingEmbedding
        ? texts.map((text) => (this.embedding as LocalHashingEmbedding).embed(text))
        : await this.embedding.getTextEmbeddingsBatch(texts);
    if (vectors.length !== texts.length) {
      throw new Error(`embedding model returned ${vectors.length} vectors for ${texts.length} texts`);
    }
    for (const vector of vectors) this.checkLength(vector);
    return vectors;
  }

  private async embedQuery(query: string): Promise<ArrayLike<number> | null> {
    if (this.embedding instanceof LocalHashingEmbedding) return this.embedding.embed(query);
    const vector = await this.embedding.getQueryEmbedding({ type: 'text', text: query });
    if (vector) this.checkLength(vector);
    return vector;
  }

  private checkLength(vector: ArrayLike<number>): ArrayLike<number> {
    if (vector.length !== this.identity.dimensions) {
      throw new Error(`embedding model returned ${vector.length} dimensions, the index expects ${this.identity.dimensions}`);
    }
    return vector;
  }
}

async function readCurrent(dir: string): Promise<string | null> {
  try {
    const generation = (await readFile(join(dir, CURRENT_FILE), 'utf8')).trim();
    return generation.startsWith(GENERATION_PREFIX) ? generation : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Deletes older generations and leftovers of interrupted saves (best effort; one writer per directory). */
async function removeOtherGenerations(dir: string, keep: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const stale = (name.startsWith(GENERATION_PREFIX) && name !== keep) || name.includes('.tmp-');
    if (!stale) continue;
    await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}
