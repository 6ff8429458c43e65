import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ApiError, ERROR_STATUS, type ErrorCode } from '../../common/errors/api-error';
import type { ChunkOptions } from './chunk-document';
import type { DocumentType } from './document-type';
import type { ParsedDocument } from './parsed-document';
import type { ParseJob, ParseResult } from './parse-job';
import { runInWorker, type SerializedError, type WorkerOutcome } from './run-in-worker';

export type { ParsedDocument, ParsedSection } from './parsed-document';
export type { ParseResult } from './parse-job';
export { parseDocumentInProcess } from './parse-in-process';

export const DEFAULT_PARSE_TIMEOUT_MS = 20_000;
/**
 * Heap ceiling of one parse. pdf.js holds a page's operator list and fonts at a time; mammoth and
 * the HTML reader hold the whole text a few times over; a 20 MB upload stays far below this.
 */
export const DEFAULT_PARSE_MAX_HEAP_MB = 512;

export interface ParseOptions {
  timeoutMs?: number;
  maxHeapMb?: number;
}

/** The compiled workers sit next to this file (dist/src/content/parsing/*.js). */
const PARSE_WORKER = join(__dirname, 'parse-worker.js');
const PARSE_AND_CHUNK_WORKER = join(__dirname, 'parse-and-chunk-worker.js');

/**
 * Parses an upload in a worker thread under a time and a heap limit, so that a hostile file can
 * neither hang nor exhaust the server. Unreadable documents (damaged, encrypted, no text, too slow,
 * too big to hold) are refused with `unprocessable_document` and a reason a person can act on.
 */
export async function parseDocument(bytes: Buffer, type: DocumentType, options: ParseOptions = {}): Promise<ParsedDocument> {
  return (await runParseJob(bytes, type, options, undefined)).document;
}

/**
 * Parses and chunks in one trip to a worker. Chunking costs roughly a second per megabyte of text
 * (token counting), so this keeps it off the event loop and under the same limits; the price is
 * about half a second per call to load LlamaIndex and its tokenizer in the fresh worker.
 */
export async function parseAndChunkDocument(
  bytes: Buffer,
  type: DocumentType,
  options: ParseOptions & ChunkOptions = {},
): Promise<ParseResult> {
  const { chunkSize, chunkOverlap } = options;
  const chunking: ChunkOptions = {};
  if (chunkSize !== undefined) chunking.chunkSize = chunkSize;
  if (chunkOverlap !== undefined) chunking.chunkOverlap = chunkOverlap;
  return runParseJob(bytes, type, options, chunking);
}

async function runParseJob(
  bytes: Buffer,
  type: DocumentType,
  options: ParseOptions,
  chunking: ChunkOptions | undefined,
): Promise<ParseResult> {
  // A private copy travels to the worker without a second copy and leaves the caller's intact.
  const copy = new Uint8Array(bytes);
  const job: ParseJob = chunking ? { bytes: copy, type, chunking } : { bytes: copy, type };
  const outcome = await withParseSlot(() =>
    runInWorker<ParseResult>(
      chunking ? PARSE_AND_CHUNK_WORKER : PARSE_WORKER,
      job,
      {
        timeoutMs: options.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS,
        maxHeapMb: options.maxHeapMb ?? DEFAULT_PARSE_MAX_HEAP_MB,
      },
      [copy.buffer],
    ),
  );
  return resultOf(outcome);
}

function resultOf(outcome: WorkerOutcome<ParseResult>): ParseResult {
  switch (outcome.status) {
    case 'done':
      return outcome.value;
    case 'failed':
      throw rebuildError(outcome.error);
    case 'timed_out':
      return unprocessable('The document took too long to read; it may be malformed or too complex.');
    case 'out_of_memory':
      return unprocessable('The document needs too much memory to read; it may be malformed or too large.');
    case 'crashed':
      throw withCause(new ApiError('unprocessable_document', 'The document could not be read.'), outcome.error);
  }
}

function unprocessable(message: string): never {
  throw new ApiError('unprocessable_document', message);
}

/**
 * Brings an error back from the worker. ApiErrors keep their code and message; anything else was
 * thrown by a parsing library on this document and means it could not be read.
 */
function rebuildError(error: SerializedError): ApiError {
  if (error.name === 'ApiError' && error.code && Object.hasOwn(ERROR_STATUS, error.code)) {
    return withCause(new ApiError(error.code as ErrorCode, error.message), error.cause);
  }
  return withCause(new ApiError('unprocessable_document', 'The document could not be read.'), `${error.name}: ${error.message}`);
}

function withCause(apiError: ApiError, cause: unknown): ApiError {
  if (cause !== undefined) apiError.cause = cause;
  return apiError;
}

/**
 * At most this many parses at once: each may take a core and up to the heap limit, and uploads
 * beyond that wait their turn instead of starving requests. The time limit starts when a parse
 * starts, not while it waits.
 */
const MAX_PARALLEL_PARSES = Math.max(1, Math.min(4, availableParallelism()));
let runningParses = 0;
const waitingParses: Array<() => void> = [];

async function withParseSlot<T>(task: () => Promise<T>): Promise<T> {
  if (runningParses >= MAX_PARALLEL_PARSES) {
    await new Promise<void>((resolve) => waitingParses.push(resolve));
  } else {
    runningParses++;
  }
  try {
    return await task();
  } finally {
    const next = waitingParses.shift();
    if (next) next();
    else runningParses--;
  }
}
