import { inspect } from 'node:util';

/** What a worker task answers: its result or a plain description of its failure. */
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
