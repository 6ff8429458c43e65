/** What a handler learns about the attempt it runs. */
export interface JobContext {
  /** 1 for the first attempt, then 2, 3, ... after failures. */
  attempt: number;
  /** Aborted when this process stops: the handler throws JobInterrupted and another runner resumes the job. */
  signal: AbortSignal;
}

/** The code of one kind of background job, the same whichever driver runs it. */
export interface JobHandler<T> {
  readonly name: string;
  run(data: T, context: JobContext): Promise<void>;
  /** Called once, when the last attempt has failed. */
  failed(data: T, error: Error): Promise<void>;
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
}

export type JobOutcome = 'completed' | 'retried' | 'failed' | 'interrupted';

/** Thrown by a handler whose process is stopping: the job goes back to the queue, its attempt not counted. */
export class JobInterrupted extends Error {
  constructor() {
    super('The process stopped before the job finished.');
    this.name = 'JobInterrupted';
  }
}

export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobInterrupted();
}

/**
 * The background-job port: BullMQ when REDIS_URL is set (jobs survive the process and are shared by
 * every instance), an in-process runner otherwise. Failed attempts are retried with exponential
 * backoff by both.
 */
export abstract class JobQueue {
  abstract readonly driver: 'bullmq' | 'in-process';
  private readonly handlers = new Map<string, JobHandler<unknown>>();

  register<T>(handler: JobHandler<T>): void {
    this.handlers.set(handler.name, handler as JobHandler<unknown>);
  }

  handler(name: string): JobHandler<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for the ${name} job.`);
    return handler;
  }

  /** Queues a job; with an `id`, a job with the same id still queued or running is not queued twice. */
  abstract add<T>(name: string, data: T, options?: { id?: string }): Promise<void>;

  /**
   * Whether the job with this id is still queued, running or waiting for a retry. False once it
   * ended, and for a job the queue gave up on without its handler (BullMQ fails a job whose
   * instances keep dying), whose stored record would otherwise say `running` for ever.
   */
  abstract isPending(id: string): Promise<boolean>;

  /** Jobs waiting, running and waiting for a retry (across every instance with BullMQ). */
  abstract counts(): Promise<JobCounts>;
}
