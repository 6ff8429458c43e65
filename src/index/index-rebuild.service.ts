import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DistributedLock } from '../infrastructure/cache/distributed-lock';
import { JobContext, JobHandler, JobInterrupted, JobQueue, throwIfInterrupted } from '../infrastructure/jobs/job-queue';
import { MetricsService } from '../observability/metrics.service';
import { ChunksRepository } from './chunks.repository';
import { IndexFeedRepository } from './index-feed.repository';
import { IndexService } from './index.service';
import { Job, JobsRepository } from './jobs.repository';

export const REBUILD_JOB = 'index.rebuild';
const PAGE_SIZE = 256;

export interface RebuildJob {
  jobId: string;
}

/**
 * Rebuilds the shared index as a background job: embeds again every stored chunk whose vector is
 * missing or was made by another model (all of them after an embedding-model change), storing
 * each vector as it goes, then starts a new generation that every instance adopts. One rebuild at
 * a time across all instances; progress is stored with the job. Interrupted (its instance stopped
 * or died), the job is resumed by another runner and skips what was already embedded.
 */
@Injectable()
export class IndexRebuildService implements JobHandler<RebuildJob>, OnModuleInit, OnApplicationBootstrap {
  readonly name = REBUILD_JOB;
  private readonly logger = new Logger('IndexRebuild');
  /** Identifies this process as the runner of the jobs it runs. */
  private readonly runner = randomUUID();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly index: IndexService,
    private readonly chunks: ChunksRepository,
    private readonly feed: IndexFeedRepository,
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly lock: DistributedLock,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.queue.register(this);
  }

  async onApplicationBootstrap(): Promise<void> {
    // In the process, a rebuild left queued or running by a stopped process is queued again (with
    // BullMQ it is still in Redis, and the stalled-job check hands it to a live instance).
    if (this.queue.driver === 'in-process') {
      const left = await this.jobs.findActive(REBUILD_JOB);
      if (left) await this.queue.add<RebuildJob>(REBUILD_JOB, { jobId: left.id }, { id: left.id });
    }
    if (this.index.needsRebuild) await this.start(null);
  }

  /**
   * Starts a rebuild, or returns the one already queued or running. The lock makes "look for an
   * active job, else record and queue one" a single step across instances.
   */
  async start(actor: Principal | null): Promise<Job> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const held = await this.lock.acquire(REBUILD_JOB);
      if (!held) {
        await sleep(20);
        continue;
      }
      try {
        const active = await this.alive(await this.jobs.findActive(REBUILD_JOB));
        if (active) return active;
        const job = await this.jobs.create({
          id: newId(),
          kind: REBUILD_JOB,
          status: 'queued',
          processed: 0,
          total: await this.chunks.count(),
          error: null,
          runner: null,
          createdBy: actor?.userId ?? null,
          createdAt: this.clock.now(),
          startedAt: null,
          finishedAt: null,
        });
        await this.queue.add<RebuildJob>(REBUILD_JOB, { jobId: job.id }, { id: job.id });
        if (actor) await this.audit.record(actor, 'index.rebuild', { type: 'job', id: job.id });
        return job;
      } finally {
        await held.release();
      }
    }
    throw new ApiError('service_unavailable', 'An index rebuild is starting; try again in a moment.', undefined, { 'Retry-After': '1' });
  }

  async get(id: string): Promise<Job | null> {
    const job = await this.jobs.findById(id);
    return job && (job.status === 'queued' || job.status === 'running') ? ((await this.alive(job)) ?? this.jobs.findById(id)) : job;
  }

  /** The job if the queue still has it; else it is recorded as failed (never left `running`) and null. */
  private async alive(job: Job | null): Promise<Job | null> {
    // Unknown (Redis away) counts as pending: never fail a job on a guess.
    if (!job || (await this.queue.isPending(job.id).catch(() => true))) return job;
    // Its handler may have finished it just now: only a job still marked active is failed.
    const current = await this.jobs.findById(job.id);
    if (current?.status !== 'queued' && current?.status !== 'running') return null;
    this.metrics.observeIndexJob('failed');
    await this.jobs.update(job.id, {
      status: 'failed',
      error: 'The job was given up: the instances running it stopped too many times.',
      finishedAt: this.clock.now(),
    });
    return null;
  }

  async lastRebuildAt(): Promise<Date | null> {
    return (await this.jobs.lastFinished(REBUILD_JOB, 'succeeded'))?.finishedAt ?? null;
  }

  async run({ jobId }: RebuildJob, context: JobContext): Promise<void> {
    const job = await this.jobs.findById(jobId);
    if (!job || job.status === 'succeeded' || job.status === 'failed') return;
    const started = this.clock.now();
    await this.jobs.update(jobId, { status: 'running', runner: this.runner, startedAt: job.startedAt ?? started, error: null });
    this.logger.log(
      `Rebuilding the index: job ${jobId}, attempt ${context.attempt}${job.runner ? ', taken over from a stopped runner' : ''}.`,
    );
    try {
      const key = this.index.embeddingModelKey;
      const total = Math.max(await this.chunks.count(), 0);
      let processed = 0;
      let afterId: string | undefined;
      for (;;) {
        throwIfInterrupted(context.signal);
        const page = await this.chunks.page(afterId, PAGE_SIZE);
        if (page.length === 0) break;
        const stale = page.filter((c) => c.embeddingModel !== key || c.embedding === null);
        const embeddings = await this.index.embedChunks(stale);
        await this.chunks.setEmbeddings(
          stale.map((chunk) => chunk.id),
          embeddings,
          key,
        );
        processed += page.length;
        afterId = page[page.length - 1]!.id;
        await this.jobs.update(jobId, { processed, total: Math.max(processed, total) });
        if (this.config.index.rebuildPauseMs > 0) await sleep(this.config.index.rebuildPauseMs);
      }
      const generation = await this.feed.nextGeneration();
      // This instance switches before the job says so; the others follow at their next poll.
      await this.index.follow();
      await this.jobs.update(jobId, { status: 'succeeded', processed, total: processed, finishedAt: this.clock.now() });
      this.metrics.observeIndexJob('succeeded');
      this.logger.log(
        `Index rebuilt: generation ${generation}, ${processed} chunks in ${this.clock.now().getTime() - started.getTime()} ms.`,
      );
    } catch (error) {
      // Back in the queue for another runner: not running here any more.
      if (error instanceof JobInterrupted) await this.jobs.update(jobId, { status: 'queued', runner: null }).catch(() => undefined);
      throw error;
    }
  }

  async failed({ jobId }: RebuildJob, error: Error): Promise<void> {
    this.metrics.observeIndexJob('failed');
    this.logger.error(`Index rebuild failed: ${error.message}`);
    await this.jobs.update(jobId, { status: 'failed', error: error.message, finishedAt: this.clock.now() });
  }
}
