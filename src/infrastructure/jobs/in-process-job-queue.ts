import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MetricsService } from '../../observability/metrics.service';
import { JobCounts, JobInterrupted, JobQueue } from './job-queue';

interface QueuedJob {
  name: string;
  data: unknown;
  id?: string;
  attempt: number;
}

/**
 * The runner for a single process (no REDIS_URL): the same handlers, retries and backoff as on
 * BullMQ, with jobs held in memory. Jobs start once the application has started, and a stop
 * interrupts them; what they were doing is found again at the next start (pending resources,
 * rebuild jobs still queued or running).
 */
@Injectable()
export class InProcessJobQueue extends JobQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly driver = 'in-process' as const;
  private readonly logger = new Logger('Jobs');
  private readonly waiting: QueuedJob[] = [];
  private readonly delayed = new Map<NodeJS.Timeout, QueuedJob>();
  private readonly active = new Map<Promise<void>, QueuedJob>();
  private readonly stopping = new AbortController();
  private started = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    super();
    metrics.trackJobQueue(() => this.counts());
  }

  onApplicationBootstrap(): void {
    this.started = true;
    this.drain();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.delayed.keys()) clearTimeout(timer);
    this.delayed.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.active.keys()]);
  }

  add<T>(name: string, data: T, options: { id?: string } = {}): Promise<void> {
    try {
      this.handler(name);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    if (this.stopping.signal.aborted || (options.id !== undefined && this.holds(options.id))) return Promise.resolve();
    this.waiting.push({ name, data, id: options.id, attempt: 1 });
    this.drain();
    return Promise.resolve();
  }

  isPending(id: string): Promise<boolean> {
    return Promise.resolve(this.holds(id));
  }

  counts(): Promise<JobCounts> {
    return Promise.resolve({ waiting: this.waiting.length, active: this.active.size, delayed: this.delayed.size });
  }

  private holds(id: string): boolean {
    return [...this.waiting, ...this.delayed.values(), ...this.active.values()].some((job) => job.id === id);
  }

  private drain(): void {
    while (this.started && this.active.size < this.config.jobs.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const running = this.run(job).finally(() => {
        this.active.delete(running);
        this.drain();
      });
      this.active.set(running, job);
    }
  }

  private async run(job: QueuedJob): Promise<void> {
    const handler = this.handler(job.name);
    try {
      await handler.run(job.data, { attempt: job.attempt, signal: this.stopping.signal });
      this.metrics.observeJob(job.name, 'completed');
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (failure instanceof JobInterrupted) {
        this.metrics.observeJob(job.name, 'interrupted');
        return;
      }
      if (job.attempt < this.config.jobs.attempts && !this.stopping.signal.aborted) {
        this.metrics.observeJob(job.name, 'retried');
        const delay = this.config.jobs.backoffMs * 2 ** (job.attempt - 1);
        this.logger.warn(`The ${job.name} job failed (attempt ${job.attempt}): ${failure.message}; retrying in ${delay} ms.`);
        const timer = setTimeout(() => {
          this.delayed.delete(timer);
          this.waiting.push({ ...job, attempt: job.attempt + 1 });
          this.drain();
        }, delay);
        timer.unref();
        this.delayed.set(timer, job);
        return;
      }
      this.metrics.observeJob(job.name, 'failed');
      this.logger.error(`The ${job.name} job failed after ${job.attempt} attempt(s): ${failure.message}`);
      await handler.failed(job.data, failure).catch((e: unknown) => this.logger.error(`Recording the failure failed: ${String(e)}`));
    }
  }
}
