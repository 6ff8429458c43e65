import { join } from 'node:path';
import type { BaseEmbedding } from '@llamaindex/core/embeddings';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../observability/metrics.service';
import { chunkTextForEmbedding } from '../content/parsing/chunk-document';
import { Resource, ResourcesRepository } from '../content/resources.repository';
import { Chunk, ChunksRepository } from './chunks.repository';
import { EMBEDDING_MODEL } from './embedding.factory';
import { LocalHashingEmbedding } from './engine';
import { EmbeddingModelChanged, IndexNotFound, RetrievalEngine, RetrievalMode } from './engine';
import { Passage } from './passage';

/** Saves are grouped: many small changes in a burst cost one snapshot. */
const SAVE_DELAY_MS = 500;

export interface SearchOptions {
  k: number;
  moduleIds?: string[];
  mode?: RetrievalMode;
}

/**
 * Owns the live retrieval index: adds and removes one resource's chunks at a time (never a full
 * rebuild for an upload), answers searches, persists snapshots under DATA_DIR, and swaps in a
 * freshly built index at once when a rebuild completes.
 */
@Injectable()
export class IndexService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Index');
  private readonly directory: string;
  private engine!: RetrievalEngine;
  private saveTimer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  /** Set when the saved index was built with another embedding model: a rebuild is required. */
  private staleReason: string | null = null;
  /** Changes made while a rebuild runs, replayed on the new index before it goes live. */
  private changesDuringRebuild: ((engine: RetrievalEngine) => Promise<void> | void)[] | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EMBEDDING_MODEL) private readonly embedding: BaseEmbedding,
    private readonly chunks: ChunksRepository,
    private readonly resources: ResourcesRepository,
    private readonly metrics: MetricsService,
  ) {
    this.directory = join(config.dataDir, 'index');
  }

  async onModuleInit(): Promise<void> {
    try {
      this.engine = await RetrievalEngine.load(this.directory, this.embedding);
    } catch (error) {
      if (error instanceof EmbeddingModelChanged) {
        this.staleReason = error.message;
        this.logger.warn(`The saved index cannot be used: ${error.message}. Search is empty until the index is rebuilt.`);
      } else if (!(error instanceof IndexNotFound)) {
        this.logger.error(
          `The saved index could not be read (${error instanceof Error ? error.message : String(error)}); starting from an empty index.`,
        );
      }
      this.engine = await RetrievalEngine.create(this.embedding);
    }
    if (!this.staleReason) await this.catchUp();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
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

  stats() {
    return this.engine.stats();
  }

  /** Adds a resource's stored chunks to the index and marks it indexed (or failed, with the reason). */
  indexResource(resource: Resource): Promise<Resource | null> {
    const work = (async () => {
      try {
        const chunks = await this.chunks.findByResource(resource.id);
        await this.addToEngine(this.engine, chunks);
        this.record(async (next) => this.addToEngine(next, chunks));
        this.scheduleSave();
        return await this.resources.setStatus(resource.id, 'indexed', { chunkCount: chunks.length, error: null });
      } catch (error) {
        this.logger.error(`Indexing resource ${resource.id} failed: ${error instanceof Error ? error.message : String(error)}`);
        const reason =
          error instanceof Error && 'code' in error && error.code === 'llm_unavailable'
            ? 'The embedding service is unavailable.'
            : 'The resource could not be indexed.';
        return this.resources.setStatus(resource.id, 'failed', { error: reason });
      }
    })();
    this.track(work);
    return work;
  }

  async removeResource(resourceId: string): Promise<void> {
    this.engine.removeResource(resourceId);
    this.record((next) => void next.removeResource(resourceId));
    await this.saveNow();
  }

  async removeModule(moduleId: string): Promise<void> {
    this.engine.removeModule(moduleId);
    this.record((next) => void next.removeModule(moduleId));
    await this.saveNow();
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

  // ---- used by the rebuild job -------------------------------------------------------------------

  /** From now on, record changes so they can be replayed on the index being built. */
  beginRebuild(): void {
    this.changesDuringRebuild = [];
  }

  async newEngine(): Promise<RetrievalEngine> {
    return RetrievalEngine.create(this.embedding);
  }

  async addToEngine(engine: RetrievalEngine, chunks: Chunk[], onProgress?: (done: number) => void): Promise<void> {
    if (chunks.length > 0) this.metrics.observeEmbedding('index', chunks.length);
    await engine.addChunks(
      chunks.map((c) => ({
        id: c.id,
        resourceId: c.resourceId,
        moduleId: c.moduleId,
        text: chunkTextForEmbedding({ text: c.text, heading: c.heading ?? undefined }),
      })),
      onProgress ? { onProgress: (done) => onProgress(done) } : {},
    );
  }

  /** Replays what changed meanwhile, saves the new index and makes it the live one in one step. */
  async completeRebuild(next: RetrievalEngine): Promise<void> {
    for (const change of this.changesDuringRebuild ?? []) await change(next);
    this.changesDuringRebuild = null;
    this.engine = next;
    this.staleReason = null;
    await this.saveNow();
  }

  abandonRebuild(): void {
    this.changesDuringRebuild = null;
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Resources that were stored but not (or not durably) indexed before a stop are indexed now. */
  private async catchUp(): Promise<void> {
    const candidates = [...(await this.resources.listAll({ status: 'pending' })), ...(await this.resources.listAll({ status: 'indexed' }))];
    for (const resource of candidates) {
      const chunks = await this.chunks.findByResource(resource.id);
      const missing = chunks.filter((c) => !this.engine.has(c.id));
      if (missing.length > 0) await this.addToEngine(this.engine, missing);
      if (resource.status === 'pending') await this.resources.setStatus(resource.id, 'indexed', { chunkCount: chunks.length, error: null });
      if (missing.length > 0) this.scheduleSave();
    }
  }

  private record(change: (engine: RetrievalEngine) => Promise<void> | void): void {
    this.changesDuringRebuild?.push(change);
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  private async saveNow(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    await this.save();
  }

  /** Snapshots are written one at a time, each of the engine as it is when its turn comes. */
  private save(): Promise<void> {
    this.metrics.setIndexChunks(this.engine.stats().chunks);
    this.saving = this.saving.then(() =>
      this.engine
        .save(this.directory)
        .catch((error: unknown) => this.logger.error(`Saving the index failed: ${error instanceof Error ? error.message : String(error)}`)),
    );
    return this.saving;
  }
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
