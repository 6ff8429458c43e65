import { ApiError } from '../../common/errors/api-error';

/**
 * Most chunks one document may be cut into. At the default upload limit (20 MB) ordinary prose
 * makes about 52,000 (bench:ingest: 2,605 chunks a megabyte of Markdown) and the densest text
 * (about two bytes a token) under 100,000; only a document made of tiny sections goes past it
 * (19 MB of "# heading" and one line each: 687,000 chunks, every one stored, embedded and indexed).
 */
export const MAX_DOCUMENT_CHUNKS = 100_000;

export function tooManyChunks(): ApiError {
  return new ApiError(
    'unprocessable_document',
    `The document would be cut into more than ${MAX_DOCUMENT_CHUNKS.toLocaleString('en')} chunks; split it into smaller files.`,
  );
}
