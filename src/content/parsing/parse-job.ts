import type { ChunkOptions, DocumentChunk } from './chunk-document';
import type { DocumentType } from './document-type';
import type { ParsedDocument } from './parsed-document';
import { parseDocumentInProcess } from './parse-in-process';
import { serializeError, type WorkerReply } from './worker-reply';

/** What the parent sends to a parse worker. */
export interface ParseJob {
  bytes: Uint8Array;
  type: DocumentType;
  /** Present for parse-and-chunk jobs. */
  chunking?: ChunkOptions;
}

export interface ParseResult {
  document: ParsedDocument;
  chunks: DocumentChunk[];
}

export type Chunker = (document: ParsedDocument, options: ChunkOptions) => DocumentChunk[];

/** Runs one job and describes its outcome as the single reply a worker posts. */
export async function runParseJob(job: ParseJob, chunker?: Chunker): Promise<WorkerReply<ParseResult>> {
  try {
    const document = await parseDocumentInProcess(job.bytes, job.type);
    const chunks = chunker && job.chunking ? chunker(document, job.chunking) : [];
    return { ok: true, value: { document, chunks } };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}
