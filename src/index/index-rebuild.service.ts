import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DistributedLock, HeldLock } from '../infrastructure/cache/distributed-lock';
import { MetricsService } from '../observability/metrics.service';
import { ChunksRepository } from './chunks.repository';
import { IndexService } from './index.service';
import { Job, JobsRepository } from './jobs.repository';

export const REBUILD_JOB = 'index.rebuild';
const PAGE_SIZE = 256;

/**
 * Rebuilds the whole index in the background: one rebuild at a time across all instances (the
 * lock), progress stored as it goes, independent of the request that started it. Search keeps
 * using the current index until the new one is complete, then switches at once.
 */
@Injectable()
export class IndexRebuildService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IndexRebuild');
  /** Identifies this process as the runner of the jobs it starts. */
  private readonly runner = randomUUID();
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly index: IndexService,
    private readonly chunks: ChunksRepository,
    private readonly jobs: JobsRepository,
    private readonly lock: DistributedLock,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // No live holder of the lock means no process is running a rebuild: any job still marked as
    // running was left by a process that stopped.
    if (!(await this.lock.isHeld(REBUILD_JOB))) {
      const failed = await this.jobs.failAbandoned(REBUILD_JOB, this.runner, this.clock.now());
      if (failed > 0) this.logger.warn(`${failed} index rebuild job(s) left running by a stopped process were marked failed.`);
    }
    if (this.index.needsRebuild) await this.start(null);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /**
   * Starts a rebuild, or returns the one already queued or running. The lock's holder may be
   * between recording its job and releasing the lock (a rebuild that has just finished, or one
   * that is just starting), when there is no active job to return: then try again, briefly.
   */
  async start(actor: Principal | null): Promise<Job> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const held = await this.lock.acquire(REBUILD_JOB);
      if (held) return this.startHolding(held, actor);
      const active = await this.jobs.findActive(REBUILD_JOB);
      if (active) return active;
      await sleep(20);
    }
    throw new ApiError('service_unavailable', 'An index rebuild is starting or finishing; try again in a moment.', undefined, {
      'Retry-After': '1',
    });
  }

  private async startHolding(held: HeldLock, actor: Principal | null): Promise<Job> {
    try {
      const existing = await this.jobs.findActive(REBUILD_JOB);
      if (existing && existing.runner !== this.runner) {
        // Left over from a stopped process that still held the lock until it lapsed.
        await this.jobs.update(existing.id, {
          status: 'failed',
          error: 'The process running this job stopped before it finished.',
          finishedAt: this.clock.now(),
        });
      } else if (existing) {
        await held.release();
        return existing;
      }
      const now = this.clock.now();
      const job = await this.jobs.create({
        id: newId(),
        kind: REBUILD_JOB,
        status: 'queued',
        processed: 0,
        total: await this.chunks.count(),
        error: null,
        runner: this.runner,
        createdBy: actor?.userId ?? null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
      });
      if (actor) await this.audit.record(actor, 'index.rebuild', { type: 'job', id: job.id });
      this.running = this.run(job, held).finally(() => (this.running = undefined));
      return job;
    } catch (error) {
      await held.release();
      throw error;
    }
  }

  get(id: string): Promise<Job | null> {
    return this.jobs.findById(id);
  }

  async lastRebuildAt(): Promise<Date | null> {
    return (await this.jobs.lastFinished(REBUILD_JOB, 'succeeded'))?.finishedAt ?? null;
  }

  private async run(job: Job, held: HeldLock): Promise<void> {
    const started = this.clock.now();
    this.index.beginRebuild();
    try {
      await this.jobs.update(job.id, { status: 'running', startedAt: started });
      const next = await this.index.newEngine();
      let processed = 0;
      let afterId: string | undefined;
      for (;;) {
        if (this.stopping) throw new Error('The server stopped during the rebuild.');
        const page = await this.chunks.page(afterId, PAGE_SIZE);
        if (page.length === 0) break;
        await this.index.addToEngine(next, page);
        processed += page.length;
        afterId = page[page.length - 1]!.id;
        await this.jobs.update(job.id, { processed, total: Math.max(processed, job.total) });
        if (this.config.index.rebuildPauseMs > 0) await sleep(this.config.index.rebuildPauseMs);
      }
      await this.index.completeRebuild(next);
      await this.jobs.update(job.id, { status: 'succeeded', processed, total: processed, finishedAt: this.clock.now() });
      this.metrics.observeIndexJob('succeeded');
      this.logger.log(`Index rebuilt: ${processed} chunks in ${this.clock.now().getTime() - started.getTime()} ms.`);
    } catch (error) {
      this.index.abandonRebuild();
      this.metrics.observeIndexJob('failed');
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Index rebuild failed: ${message}`);
      await this.jobs.update(job.id, { status: 'failed', error: message, finishedAt: this.clock.now() }).catch(() => undefined);
    } finally {
      await held.release();
    }
  }
}
