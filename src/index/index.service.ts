import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BaseEmbedding } from '@llamaindex/core/embeddings';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../observability/metrics.service';
import { chunkTextForEmbedding } from '../content/parsing/chunk-document';
import { ResourcesRepository } from '../content/resources.repository';
import { IndexChangeKind } from '../infrastructure/persistence/schemas/index-change.schema';
import { Chunk, ChunksRepository } from './chunks.repository';
import { EMBEDDING_MODEL } from './embedding.factory';
import { describeEmbedding, EngineChunk, LocalHashingEmbedding } from './engine';
import { writeFileAtomic } from './engine/atomic-files';
import { IndexNotFound, RetrievalEngine, RetrievalMode } from './engine';
import { IndexChange, IndexFeedRepository } from './index-feed.repository';
import { Passage } from './passage';
import { decodeVector, encodeVector } from './vector-codec';

/** Saves are grouped: many small changes in a burst cost one snapshot. */
const SAVE_DELAY_MS = 500;
/**
 * A snapshot only shortens the next start's catch-up: the change feed holds every change made since
 * it, and a clean stop saves. Yet at 100,000 chunks writing one takes 0.3–1 s, so saving half a
 * second after each change spent most of a core on snapshots while uploads kept coming. The next
 * snapshot waits this many times as long as the last one took (up to MAX_SAVE_DELAY_MS), which keeps
 * snapshots to about a twentieth of the time.
 */
const SAVE_SPACING = 20;
const MAX_SAVE_DELAY_MS = 30_000;

/** How long after a change the next snapshot is written, given how long the last one took. */
export function snapshotDelay(lastSaveMs: number): number {
  return Math.min(MAX_SAVE_DELAY_MS, Math.max(SAVE_DELAY_MS, SAVE_SPACING * lastSaveMs));
}
/** Feed entries read per poll. */
const FEED_BATCH = 500;
/** Chunks read per page when an index is built from the stored vectors. */
const BUILD_PAGE = 1_000;
/**
 * A sequence number handed out but whose entry never appears (its writer stopped between the two
 * writes) is skipped after this long; one merely slow to appear is waited for.
 */
const GAP_PATIENCE_MS = 30_000;
/** Beside the saved index: the generation and last applied feed entry it holds. */
const FEED_STATE_FILE = 'feed.json';
/** How often each instance deletes the feed entries older than INDEX_FEED_RETENTION_HOURS (all may; it is idempotent). */
const PRUNE_INTERVAL_MS = 60 * 60_000;

export interface SearchOptions {
  k: number;
  moduleIds?: string[];
  mode?: RetrievalMode;
}

interface FeedPosition {
  generation: number;
  seq: number;
}

/**
 * Owns this instance's copy of the shared index. Chunks and their vectors are stored in the
 * database; every instance's local index follows them through the change feed (polled every
 * INDEX_FEED_POLL_MS): an entry says which resource or module to bring in line with the stored
 * chunks, so applying one twice, or late, is harmless. A finished rebuild starts a new generation,
 * which every instance adopts by building a fresh index from the stored vectors (no embedding) and
 * switching to it in one step. The local index is saved under DATA_DIR with the feed position it
 * holds, so an instance that starts again catches up from there.
 */
@Injectable()
export class IndexService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Index');
  private readonly directory: string;
  private engine!: RetrievalEngine;
  /** `model@dimensions` of the configured embedding model, as stored with each vector. */
  private embeddingKey = '';
  /** Set when stored vectors were made by another embedding model: a rebuild is required. */
  private staleReason: string | null = null;
  /** The generation the live index belongs to (-1: none yet). */
  private generation = -1;
  /** Every feed entry up to this one is in the live index. */
  private applied = 0;
  /** Entries past `applied` already in the live index (the feed may show them out of order). */
  private readonly appliedAhead = new Set<number>();
  private gapSince: number | undefined;
  /** Feed work (applying entries, adopting a generation) runs one step at a time. */
  private following: Promise<void> = Promise.resolve();
  private pollTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private saveTimer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  /** How long the last snapshot took to write (see snapshotDelay). */
  private lastSaveMs = 0;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EMBEDDING_MODEL) private readonly embedding: BaseEmbedding,
    private readonly chunks: ChunksRepository,
    private readonly resources: ResourcesRepository,
    private readonly feed: IndexFeedRepository,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {
    this.directory = join(config.dataDir, 'index');
  }

  async onModuleInit(): Promise<void> {
    const identity = await describeEmbedding(this.embedding);
    this.embeddingKey = `${identity.model}@${identity.dimensions}`;
    try {
      const started = performance.now();
      this.engine = await RetrievalEngine.load(this.directory, this.embedding);
      // Until a first save is timed, the load's time tells how large a snapshot is (see snapshotDelay).
      this.lastSaveMs = performance.now() - started;
      // A snapshot saved without its feed position (by an earlier version) is trusted as current,
      // as that version did: it keeps serving while stale chunks are embedded again.
      const position = (await this.readPosition()) ?? (await this.feed.head());
      ({ generation: this.generation, seq: this.applied } = position);
    } catch (error) {
      if (!(error instanceof IndexNotFound)) {
        this.logger.warn(
          `The saved index cannot be used (${error instanceof Error ? error.message : String(error)}); it is built again from the stored chunks.`,
        );
      }
      this.engine = await RetrievalEngine.create(this.embedding);
    }
    await this.refreshStaleness();
    await this.follow();
    this.pollTimer = setInterval(() => void this.follow(), this.config.index.feedPollMs);
    this.pollTimer.unref();
    this.pruneTimer = setInterval(
      () => void this.pruneFeed().catch((error: unknown) => this.logger.warn(pruneFailure(error))),
      PRUNE_INTERVAL_MS,
    );
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    await this.following;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.save();
    }
    await this.saving;
  }

  get needsRebuild(): string | null {
    return this.staleReason;
  }

  /** The configured embedding model as stored with vectors, `model@dimensions`. */
  get embeddingModelKey(): string {
    return this.embeddingKey;
  }

  stats() {
    return { ...this.engine.stats(), generation: Math.max(this.generation, 0), sequence: this.applied };
  }

  /** Vectors of these chunks by the configured model, encoded as they are stored. */
  async embedChunks(chunks: readonly Pick<Chunk, 'text' | 'heading'>[]): Promise<string[]> {
    if (chunks.length === 0) return [];
    this.metrics.observeEmbedding('index', chunks.length);
    const vectors = await this.engine.embedTexts(
      chunks.map((c) => chunkTextForEmbedding({ text: c.text, heading: c.heading ?? undefined })),
    );
    return vectors.map(encodeVector);
  }

  /**
   * Announces that a resource's stored chunks changed (indexed, or deleted) or that a module went,
   * and brings this instance's index in line at once; the others follow through the feed.
   */
  async publish(kind: IndexChangeKind, target: string, options: { appliedTo?: RetrievalEngine } = {}): Promise<void> {
    const seq = await this.feed.publish(kind, target, this.clock.now());
    const engine = this.engine;
    // Chunks `addResourceChunks` put into this very index need not be read again to find none missing.
    if (options.appliedTo !== engine) await this.apply(engine, { kind, target });
    // A generation adopted meanwhile replays the entry itself.
    if (this.engine === engine) this.markApplied(seq);
    this.scheduleSave();
  }

  /**
   * Puts a resource's stored chunks into this instance's index before its status says `indexed`,
   * so that a client who reads that status finds it here at once (API.md: searchable as soon as
   * it is `indexed`); `publish` with the index it returns then tells the other instances.
   */
  async addResourceChunks(resourceId: string): Promise<RetrievalEngine> {
    const engine = this.engine;
    const missing = (await this.chunks.findByResource(resourceId)).filter((c) => !engine.has(c.id));
    await engine.addChunks(this.withVectors(missing));
    return engine;
  }

  /** Reads the feed now (instead of at the next poll) and waits until this instance has caught up. */
  follow(): Promise<void> {
    this.following = this.following
      .then(() => (this.stopped ? undefined : this.followOnce()))
      .catch((error: unknown) =>
        this.logger.error(`Following the index feed failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    return this.following;
  }

  /** Best first; each hit joined with its stored chunk and resource title. */
  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    const hits = await this.engine.search(query, { k: options.k, moduleId: options.moduleIds, mode: options.mode });
    if (options.mode !== 'keyword') this.metrics.observeEmbedding('query', 1);
    const chunks = new Map((await this.chunks.findByIds(hits.map((h) => h.chunkId))).map((c) => [c.id, c]));
    const local = this.embedding instanceof LocalHashingEmbedding;
    const titles = new Map(
      (await this.resources.findByIds([...new Set([...chunks.values()].map((c) => c.resourceId))])).map((r) => [r.id, r.title]),
    );
    return hits.flatMap((hit) => {
      const chunk = chunks.get(hit.chunkId);
      if (!chunk) return [];
      const passage = toPassage(chunk, titles.get(chunk.resourceId) ?? '', hit.score);
      if (local && hit.vectorSimilarity !== undefined) passage.localSimilarity = hit.vectorSimilarity;
      return [passage];
    });
  }

  /** Deletes the feed entries older than INDEX_FEED_RETENTION_HOURS; returns how many went. */
  async pruneFeed(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.index.feedRetentionHours * 3_600_000);
    const pruned = await this.feed.prune(before);
    if (pruned > 0) this.logger.log(`Pruned ${pruned} index feed entr${pruned === 1 ? 'y' : 'ies'} older than ${before.toISOString()}.`);
    return pruned;
  }

  // ---- the feed ----------------------------------------------------------------------------------

  private async followOnce(): Promise<void> {
    const head = await this.feed.head();
    if (head.generation !== this.generation) return this.adopt(head.generation);
    if (head.prunedThrough > this.applied) {
      this.logger.warn(
        `Index feed entries after ${this.applied} were pruned before this instance applied them (it was away longer than INDEX_FEED_RETENTION_HOURS); building its index again from the stored vectors.`,
      );
      return this.adopt(head.generation);
    }
    if (head.seq <= this.applied) return;
    const changes = await this.feed.after(this.applied, FEED_BATCH);
    for (const change of changes) {
      if (this.appliedAhead.has(change.seq)) continue;
      await this.apply(this.engine, change);
      this.markApplied(change.seq);
    }
    if (this.applied < head.seq) this.skipLongGap(changes);
    this.scheduleSave();
  }

  /** Brings one resource (or module) of `engine` in line with the stored chunks. */
  private async apply(engine: RetrievalEngine, change: Pick<IndexChange, 'kind' | 'target'>): Promise<void> {
    if (change.kind === 'module') {
      engine.removeModule(change.target);
      return;
    }
    const resource = await this.resources.findById(change.target);
    if (resource?.status !== 'indexed') {
      engine.removeResource(change.target);
      return;
    }
    const missing = (await this.chunks.findByResource(resource.id)).filter((c) => !engine.has(c.id));
    await engine.addChunks(this.withVectors(missing));
  }

  /**
   * Builds the index of `generation` from the stored vectors beside the live one, then switches.
   * Entries published meanwhile are applied again on the new index by the following polls.
   */
  private async adopt(generation: number): Promise<void> {
    const started = Date.now();
    const from = await this.feed.head();
    const next = await RetrievalEngine.create(this.embedding);
    const indexed = new Set((await this.resources.listAll({ status: 'indexed' })).map((r) => r.id));
    let afterId: string | undefined;
    for (;;) {
      const page = await this.chunks.page(afterId, BUILD_PAGE, { embeddingModel: this.embeddingKey });
      if (page.length === 0) break;
      await next.addChunks(this.withVectors(page.filter((c) => indexed.has(c.resourceId))));
      afterId = page[page.length - 1]!.id;
      if (this.stopped) return;
    }
    // Saved with its graph complete: a snapshot with unlinked vectors makes every later start link them again.
    await next.whenLinked();
    this.engine = next;
    this.generation = Math.max(generation, from.generation);
    this.applied = from.seq;
    this.appliedAhead.clear();
    this.gapSince = undefined;
    await this.refreshStaleness();
    this.logger.log(`Index generation ${this.generation} in use: ${next.stats().chunks} chunks, built in ${Date.now() - started} ms.`);
    await this.saveNow();
  }

  private markApplied(seq: number): void {
    if (seq <= this.applied) return;
    this.appliedAhead.add(seq);
    while (this.appliedAhead.delete(this.applied + 1)) this.applied += 1;
    this.gapSince = undefined;
  }

  /** The entry after `applied` is missing: wait for it a while, then give up on it. */
  private skipLongGap(changes: IndexChange[]): void {
    const now = Date.now();
    this.gapSince ??= now;
    if (now - this.gapSince < GAP_PATIENCE_MS) return;
    const next = changes.find((c) => c.seq > this.applied)?.seq;
    this.logger.warn(`Index feed entry ${this.applied + 1} never appeared; skipping to ${next ?? this.applied + 1}.`);
    this.applied = (next ?? this.applied + 2) - 1;
    while (this.appliedAhead.delete(this.applied + 1)) this.applied += 1;
    this.gapSince = undefined;
  }

  private withVectors(chunks: Chunk[]): EngineChunk[] {
    return chunks
      .filter((c) => c.embedding !== null && c.embeddingModel === this.embeddingKey)
      .map((c) => ({
        id: c.id,
        resourceId: c.resourceId,
        moduleId: c.moduleId,
        text: chunkTextForEmbedding({ text: c.text, heading: c.heading ?? undefined }),
        vector: decodeVector(c.embedding!),
      }));
  }

  /** Vectors made by another model than the configured one (or none, from before they were stored) need a rebuild. */
  private async refreshStaleness(): Promise<void> {
    const stale = await this.chunks.countStale(this.embeddingKey);
    this.staleReason =
      stale > 0
        ? `${stale} stored chunk(s) have no vector from the configured embedding model (${this.embeddingKey}); rebuild the index`
        : null;
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  private async readPosition(): Promise<FeedPosition | null> {
    try {
      const position = JSON.parse(await readFile(join(this.directory, FEED_STATE_FILE), 'utf8')) as Partial<FeedPosition>;
      return Number.isInteger(position.generation) && Number.isInteger(position.seq) ? (position as FeedPosition) : null;
    } catch {
      return null;
    }
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, snapshotDelay(this.lastSaveMs));
    this.saveTimer.unref();
  }

  private async saveNow(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.save();
  }

  /**
   * Snapshots are written one at a time, each of the engine as it is when its turn comes, and the
   * feed position after it: a crash between the two replays a few entries, which is harmless.
   */
  private save(): Promise<void> {
    this.metrics.setIndexChunks(this.engine.stats().chunks);
    this.saving = this.saving.then(async () => {
      const position: FeedPosition = { generation: this.generation, seq: this.applied };
      const started = performance.now();
      try {
        await this.engine.save(this.directory);
        await writeFileAtomic(join(this.directory, FEED_STATE_FILE), JSON.stringify(position));
        this.lastSaveMs = performance.now() - started;
      } catch (error) {
        this.logger.error(`Saving the index failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return this.saving;
  }
}

function pruneFailure(error: unknown): string {
  return `Pruning the index feed failed: ${error instanceof Error ? error.message : String(error)}`;
}

export function toPassage(chunk: Chunk, title: string, score: number): Passage {
  return {
    chunkId: chunk.id,
    resourceId: chunk.resourceId,
    moduleId: chunk.moduleId,
    title,
    text: chunk.text,
    score,
    location: { ...(chunk.page !== null ? { page: chunk.page } : {}), ...(chunk.heading ? { heading: chunk.heading } : {}) },
  };
}
