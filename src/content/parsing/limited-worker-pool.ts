import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { LimitedTask } from './limited-task';
import type { WorkerOutcome, WorkerReply } from './worker-reply';

export interface LimitedWorkerPoolOptions {
  /** Worker script whose default export is wrapped by `limitedTask`. */
  filename: string;
  /** Long-lived workers, all started at once and kept: each loads its libraries once. */
  threads: number;
  /** Ceiling of each worker's V8 heap; a task that outgrows it ends its worker, not the process. */
  maxHeapMb: number;
}

export interface LimitedRunOptions {
  /** Wall-clock time a task may run, counted from the moment a worker starts it, not while it waits. */
  timeoutMs: number;
  transferList?: ArrayBuffer[];
}

/**
 * A piscina pool whose tasks run under a time and a heap limit. One task per worker at a time, so
 * a task that runs past its time (the worker is terminated: V8 interrupts even a loop that never
 * yields) or past the heap limit (V8 ends the worker) takes only its own worker down; piscina
 * starts a replacement and the other workers' tasks carry on.
 */
export class LimitedWorkerPool<T, R> {
  private readonly pool: Piscina<LimitedTask<T>, WorkerReply<R>>;

  constructor(options: LimitedWorkerPoolOptions) {
    this.pool = new Piscina({
      filename: options.filename,
      minThreads: options.threads,
      maxThreads: options.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
    });
    // A worker that dies with no task of its own (a replacement failing at start) would otherwise
    // be an unhandled 'error' event; its tasks, if any, are rejected and reported by run().
    this.pool.on('error', () => undefined);
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  /** Tasks waiting for a free worker. */
  get queueSize(): number {
    return this.pool.queueSize;
  }

  /** Runs one task; the promise never rejects, it describes what happened. */
  async run(payload: T, options: LimitedRunOptions): Promise<WorkerOutcome<R>> {
    const { port1: started, port2: startedInWorker } = new MessageChannel();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // The worker says when it starts the task, so time spent queued behind others does not count.
    started.once('message', () => {
      if (!settled) timer = setTimeout(() => abort.abort(), options.timeoutMs);
    });
    try {
      const reply = await this.pool.run(
        { payload, started: startedInWorker },
        { signal: abort.signal, transferList: [startedInWorker as MessagePort, ...(options.transferList ?? [])] },
      );
      return reply.ok ? { status: 'done', value: reply.value } : { status: 'failed', error: reply.error };
    } catch (error) {
      if (abort.signal.aborted) return { status: 'timed_out' };
      if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') return { status: 'out_of_memory' };
      return { status: 'crashed', error: error instanceof Error ? error : new Error(String(error)) };
    } finally {
      settled = true;
      clearTimeout(timer);
      started.close();
    }
  }

  /** Ends every worker; tasks still running or queued fail. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
