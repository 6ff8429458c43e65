import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';

export interface WorkerLimits {
  /** Wall-clock time after which the worker is terminated, busy or not. */
  timeoutMs: number;
  /** Ceiling of the worker's V8 heap; going over it ends the worker, not the process. */
  maxHeapMb: number;
}

/** What a worker script posts, once: its result or a plain description of its failure. */
export type WorkerReply<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  /** Set when the error was an ApiError, so that its code survives the thread boundary. */
  code?: string;
  cause?: string;
}

export type WorkerOutcome<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: SerializedError }
  | { status: 'timed_out' }
  | { status: 'out_of_memory' }
  | { status: 'crashed'; error: Error };

/**
 * Runs a worker script that answers once (a WorkerReply), within a time and a memory limit.
 * Whatever happens, the worker is gone when the promise settles: on time-out it is terminated,
 * which also stops code stuck in a loop, since V8 interrupts running JavaScript.
 */
export function runInWorker<T>(
  file: string,
  workerData: unknown,
  limits: WorkerLimits,
  transferList: ArrayBuffer[] = [],
): Promise<WorkerOutcome<T>> {
  return new Promise((resolve) => {
    const worker = new Worker(file, {
      workerData,
      transferList,
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
    });
    let settled = false;
    const finish = (outcome: WorkerOutcome<T>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ status: 'timed_out' }), limits.timeoutMs);
    worker.once('message', (reply: WorkerReply<T>) =>
      finish(reply.ok ? { status: 'done', value: reply.value } : { status: 'failed', error: reply.error }),
    );
    worker.once('error', (error: Error & { code?: string }) =>
      finish(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { status: 'out_of_memory' } : { status: 'crashed', error }),
    );
    worker.once('exit', (exitCode) =>
      finish({ status: 'crashed', error: new Error(`The worker exited with code ${exitCode} without answering.`) }),
    );
  });
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const serialized: SerializedError = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') serialized.code = code;
  if (error.cause !== undefined) {
    serialized.cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : inspect(error.cause);
  }
  return serialized;
}
