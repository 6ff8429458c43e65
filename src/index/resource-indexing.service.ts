import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Resource, ResourcesRepository } from '../content/resources.repository';
import { JobContext, JobHandler, JobQueue, throwIfInterrupted } from '../infrastructure/jobs/job-queue';
import { Chunk, ChunksRepository } from './chunks.repository';
import { IndexService } from './index.service';

export const INDEX_RESOURCE_JOB = 'resource.index';
/** Chunks embedded and stored per step of a background job (each step's vectors are kept if a later one fails). */
const EMBED_BATCH = 64;

export interface IndexResourceJob {
  resourceId: string;
}

/**
 * Embeds a resource's stored chunks, stores their vectors, marks it `indexed` and announces it to
 * every instance. Small uploads are indexed before the answer; large ones (more chunks than
 * INDEX_BACKGROUND_CHUNKS), and small ones whose embedding failed, by a background job that
 * retries with backoff and leaves the resource `failed` with the reason when it gives up.
 */
@Injectable()
export class ResourceIndexingService implements JobHandler<IndexResourceJob>, OnModuleInit, OnApplicationBootstrap {
  readonly name = INDEX_RESOURCE_JOB;
  private readonly logger = new Logger('ResourceIndexing');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly index: IndexService,
    private readonly chunks: ChunksRepository,
    private readonly resources: ResourcesRepository,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    this.jobs.register(this);
  }

  /** Resources a stopped process left `pending` are queued again (a job still queued for one is not doubled). */
  async onApplicationBootstrap(): Promise<void> {
    for (const resource of await this.resources.listAll({ status: 'pending' })) await this.enqueue(resource.id);
  }

  /** Whether an upload of this many chunks is indexed in the background. */
  isLarge(chunkCount: number): boolean {
    return chunkCount > this.config.index.backgroundChunks;
  }

  enqueue(resourceId: string): Promise<void> {
    return this.jobs.add<IndexResourceJob>(INDEX_RESOURCE_JOB, { resourceId }, { id: `resource-index-${resourceId}` });
  }

  /**
   * Indexes a small upload now: its vectors are computed before its chunks are stored. When the
   * embedding fails, the chunks are stored without them and a background job takes over.
   */
  async indexNow(resource: Resource, chunks: Chunk[]): Promise<Resource> {
    let embeddings: string[] | null = null;
    try {
      embeddings = await this.index.embedChunks(chunks);
    } catch (error) {
      this.logger.warn(`Embedding resource ${resource.id} failed (${describe(error)}); it is indexed in the background.`);
    }
    const key = this.index.embeddingModelKey;
    await this.chunks.insertMany(
      chunks.map((chunk, i) => ({ ...chunk, embedding: embeddings?.[i] ?? null, embeddingModel: embeddings ? key : null })),
    );
    if (!embeddings) {
      await this.enqueue(resource.id);
      return resource;
    }
    return (await this.markIndexed(resource.id, chunks.length)) ?? resource;
  }

  async run({ resourceId }: IndexResourceJob, context: JobContext): Promise<void> {
    const resource = await this.resources.findById(resourceId);
    if (resource?.status !== 'pending') return;
    const key = this.index.embeddingModelKey;
    const chunks = await this.chunks.findByResource(resourceId);
    const missing = chunks.filter((c) => c.embeddingModel !== key || c.embedding === null);
    for (let start = 0; start < missing.length; start += EMBED_BATCH) {
      throwIfInterrupted(context.signal);
      const batch = missing.slice(start, start + EMBED_BATCH);
      const embeddings = await this.index.embedChunks(batch);
      await this.chunks.setEmbeddings(
        batch.map((chunk) => chunk.id),
        embeddings,
        key,
      );
    }
    await this.markIndexed(resourceId, chunks.length);
  }

  async failed({ resourceId }: IndexResourceJob, error: Error): Promise<void> {
    const reason =
      'code' in error && error.code === 'llm_unavailable' ? 'The embedding service is unavailable.' : 'The resource could not be indexed.';
    this.logger.error(`Indexing resource ${resourceId} failed: ${error.message}`);
    await this.resources.setStatus(resourceId, 'failed', { error: reason });
  }

  private async markIndexed(resourceId: string, chunkCount: number): Promise<Resource | null> {
    const appliedTo = await this.index.addResourceChunks(resourceId);
    const updated = await this.resources.setStatus(resourceId, 'indexed', { chunkCount, error: null });
    await this.index.publish('resource', resourceId, { appliedTo });
    return updated;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
