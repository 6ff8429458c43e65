import type { MessagePort } from 'node:worker_threads';
import type { WorkerReply } from './worker-reply';

/** What LimitedWorkerPool sends a worker: the task, and a port to say it has started. */
export interface LimitedTask<T> {
  payload: T;
  started: MessagePort;
}

/**
 * Wraps a worker's handler for LimitedWorkerPool (the worker script's default export): reports
 * the start, which starts the task's clock, then answers with the handler's reply.
 */
export function limitedTask<T, R>(handler: (payload: T) => Promise<WorkerReply<R>> | WorkerReply<R>) {
  return async (task: LimitedTask<T>): Promise<WorkerReply<R>> => {
    task.started.postMessage(null);
    task.started.close();
    return handler(task.payload);
  };
}
