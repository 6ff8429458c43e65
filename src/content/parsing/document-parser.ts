import { join } from 'node:path';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ApiError, ERROR_STATUS, type ErrorCode } from '../../common/errors/api-error';
import { APP_CONFIG } from '../../config/config.module';
import { chunkDocument, type ChunkOptions } from './chunk-document';
import type { DocumentType } from './document-type';
import { LimitedWorkerPool } from './limited-worker-pool';
import type { ParsedDocument } from './parsed-document';
import { runParseJob, type ParseJob, type ParseResult } from './parse-job';
import type { SerializedError, WorkerOutcome } from './worker-reply';

export type { ParsedDocument, ParsedSection } from './parsed-document';
export type { ParseResult } from './parse-job';
export { parseDocumentInProcess } from './parse-in-process';

export const DEFAULT_PARSE_TIMEOUT_MS = 20_000;
/**
 * Heap ceiling of a parse worker. pdf.js holds a page's operator list and fonts at a time; mammoth
 * and the HTML reader hold the whole text a few times over; a 20 MB upload stays far below this.
 */
export const DEFAULT_PARSE_MAX_HEAP_MB = 512;

/**
 * Plain text, Markdown and HTML up to this size are parsed and chunked on the calling thread:
 * their readers and the chunker are linear in the text, so such a document takes well under a
 * millisecond to a few milliseconds (bench:ingest), less than the trip to a worker, and it can
 * neither hang nor hold much memory. PDF and DOCX always go to the pool: their libraries decode
 * compressed streams, which a small file can inflate without end.
 */
export const IN_PROCESS_MAX_BYTES = 16 * 1024;
const IN_PROCESS_TYPES: ReadonlySet<DocumentType> = new Set(['text', 'markdown', 'html']);

export interface ParseOptions {
  timeoutMs?: number;
}

export interface DocumentParserConfig {
  parsing: { workers: number; maxHeapMb?: number };
}

/** The compiled worker sits next to this file (dist/src/content/parsing/*.js). */
const PARSE_WORKER = join(__dirname, 'parse-pool-worker.js');

/**
 * Parses (and chunks) uploads in a pool of long-lived worker threads under a time and a heap
 * limit, so that a hostile file can neither hang nor exhaust the server, and a runaway document
 * costs one worker, which is replaced, not the other uploads. Unreadable documents (damaged,
 * encrypted, no text, too slow, too big to hold) are refused with `unprocessable_document` and a
 * reason a person can act on.
 */
@Injectable()
export class DocumentParser implements OnApplicationBootstrap, OnApplicationShutdown {
  private started?: LimitedWorkerPool<ParseJob, ParseResult>;

  constructor(@Inject(APP_CONFIG) private readonly config: DocumentParserConfig) {}

  /**
   * The workers start with the application, once every module is initialised: a start that fails
   * before (a database that cannot be prepared) runs no shutdown hook, and would leave threads
   * starting that keep the process alive until they are up.
   */
  onApplicationBootstrap(): void {
    void this.pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started?.close();
  }

  private get pool(): LimitedWorkerPool<ParseJob, ParseResult> {
    this.started ??= new LimitedWorkerPool({
      filename: PARSE_WORKER,
      threads: this.config.parsing.workers,
      maxHeapMb: this.config.parsing.maxHeapMb ?? DEFAULT_PARSE_MAX_HEAP_MB,
    });
    return this.started;
  }

  /** Workers currently alive (replaced ones included once they are up). */
  get workers(): number {
    return this.pool.threads;
  }

  async parse(bytes: Buffer, type: DocumentType, options: ParseOptions = {}): Promise<ParsedDocument> {
    return (await this.run(bytes, type, options, undefined)).document;
  }

  /**
   * Parses and chunks in one trip to a worker: chunking counts tokens, which costs about a second
   * per megabyte of text, so it belongs off the event loop and under the same limits.
   */
  parseAndChunk(bytes: Buffer, type: DocumentType, options: ParseOptions & ChunkOptions = {}): Promise<ParseResult> {
    const { chunkSize, chunkOverlap } = options;
    const chunking: ChunkOptions = {};
    if (chunkSize !== undefined) chunking.chunkSize = chunkSize;
    if (chunkOverlap !== undefined) chunking.chunkOverlap = chunkOverlap;
    return this.run(bytes, type, options, chunking);
  }

  private async run(bytes: Buffer, type: DocumentType, options: ParseOptions, chunking: ChunkOptions | undefined): Promise<ParseResult> {
    if (bytes.length <= IN_PROCESS_MAX_BYTES && IN_PROCESS_TYPES.has(type)) {
      const job: ParseJob = chunking ? { bytes, type, chunking } : { bytes, type };
      const reply = await runParseJob(job, chunkDocument);
      return resultOf(reply.ok ? { status: 'done', value: reply.value } : { status: 'failed', error: reply.error });
    }
    // A private copy travels to the worker without a second copy and leaves the caller's intact.
    const copy = new Uint8Array(bytes);
    const job: ParseJob = chunking ? { bytes: copy, type, chunking } : { bytes: copy, type };
    const outcome = await this.pool.run(job, { timeoutMs: options.timeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS, transferList: [copy.buffer] });
    return resultOf(outcome);
  }
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
