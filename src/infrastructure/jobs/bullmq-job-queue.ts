import { BullModule, InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Logger, OnApplicationBootstrap, Type } from '@nestjs/common';
import { ConnectionOptions, DelayedError, Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../../observability/metrics.service';
import { JobCounts, JobInterrupted, JobQueue } from './job-queue';
import { JobsModule } from './jobs.module';

export const JOBS_QUEUE = 'jobs';

/** ioredis options for REDIS_URL (`redis://` or `rediss://`, user, password and database number). */
export function redisOptionsFromUrl(url: string): ConnectionOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || 0);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's workers wait on blocking commands: they must not give up on a slow answer.
    maxRetriesPerRequest: null,
  };
}

/** Jobs in Redis, shared by every instance: any instance's worker may run a job any instance queued. */
@Injectable()
export class BullJobQueue extends JobQueue {
  readonly driver = 'bullmq' as const;

  constructor(
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    super();
    metrics.trackJobQueue(() => this.counts());
  }

  async add<T>(name: string, data: T, options: { id?: string } = {}): Promise<void> {
    this.handler(name);
    await this.queue.add(name, data, {
      ...(options.id !== undefined ? { jobId: options.id } : {}),
      attempts: this.config.jobs.attempts,
      backoff: { type: 'exponential', delay: this.config.jobs.backoffMs },
      // Finished jobs are kept a while for inspection, then dropped; their outcome is stored by the handler.
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 7 * 86_400, count: 1_000 },
    });
  }

  async isPending(id: string): Promise<boolean> {
    const state = await this.queue.getJobState(id);
    return ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(state);
  }

  async counts(): Promise<JobCounts> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
  }
}

/**
 * Runs the queue's jobs in this instance. A job whose instance died (its lock not renewed within
 * JOBS_LOCK_MS) is found by BullMQ's stalled-job check and run again by another instance; a job
 * interrupted by a stop goes back to the queue at once without counting as an attempt.
 */
export abstract class BullJobWorker extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly stopping = new AbortController();
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  /** Workers are created without running, and start once every module is ready to serve a job. */
  onApplicationBootstrap(): void {
    this.worker.run().catch((error: unknown) => this.logger.error(`The job worker stopped: ${String(error)}`));
  }

  /**
   * Running handlers are told to stop and hand their jobs back; then the worker is closed without
   * waiting for its fetch loop, which can stay blocked on a connection that Redis dropped.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.active]);
    await this.worker.close(true);
  }

  process(job: Job, token?: string): Promise<void> {
    const running = this.runHandler(job, token);
    this.active.add(running);
    return running.finally(() => this.active.delete(running));
  }

  private async runHandler(job: Job, token?: string): Promise<void> {
    const handler = this.jobs.handler(job.name);
    const attempt = job.attemptsMade + 1;
    try {
      await handler.run(job.data, { attempt, signal: this.stopping.signal });
      this.metrics.observeJob(job.name, 'completed');
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (failure instanceof JobInterrupted && token) {
        this.metrics.observeJob(job.name, 'interrupted');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const last = attempt >= (job.opts.attempts ?? this.config.jobs.attempts);
      this.metrics.observeJob(job.name, last ? 'failed' : 'retried');
      if (last)
        await handler.failed(job.data, failure).catch((e: unknown) => this.logger.error(`Recording the failure failed: ${String(e)}`));
      else this.logger.warn(`The ${job.name} job failed (attempt ${attempt}): ${failure.message}; it will be retried.`);
      throw failure;
    }
  }
}

/** The worker class with this configuration's options (the decorator is how @nestjs/bullmq takes them). */
export function configuredWorker(config: AppConfig): Type<BullJobWorker> {
  @Processor(JOBS_QUEUE, {
    autorun: false,
    concurrency: config.jobs.concurrency,
    lockDuration: config.jobs.lockMs,
    stalledInterval: config.jobs.lockMs,
    maxStalledCount: 2,
  })
  @Injectable()
  class ConfiguredBullJobWorker extends BullJobWorker {
    constructor(jobs: JobQueue, @Inject(APP_CONFIG) appConfig: AppConfig, metrics: MetricsService) {
      super(jobs, appConfig, metrics);
    }
  }
  return ConfiguredBullJobWorker;
}

/** JobsModule's BullMQ driver: the queue on REDIS_URL, its port and this instance's worker. */
export function bullmqJobsModule(config: AppConfig & { redisUrl: string }): DynamicModule {
  return {
    module: JobsModule,
    imports: [
      BullModule.forRoot({ connection: redisOptionsFromUrl(config.redisUrl), prefix: `${config.redisKeyPrefix}jobs` }),
      BullModule.registerQueue({ name: JOBS_QUEUE }),
    ],
    providers: [{ provide: JobQueue, useClass: BullJobQueue }, configuredWorker(config)],
    exports: [JobQueue],
  };
}
