import { ApiError } from '../../common/errors/api-error';

/**
 * Most chunks one document may be cut into. At the default upload limit (20 MB) ordinary prose
 * makes about 52,000 (bench:ingest: 2,605 chunks a megabyte of Markdown) and the densest text
 * (about two bytes a token) under 100,000; only a document made of tiny sections goes past it
 * (19 MB of "# heading" and one line each: 687,000 chunks, every one stored, embedded and indexed).
 */
export const MAX_DOCUMENT_CHUNKS = 100_000;

/**
 * Most a compressed document may inflate to: a DOCX by its ZIP directory's account, a PDF by its
 * Flate streams (each counted for every page that uses it). Mammoth reads about 7 MB of document
 * XML a second here and pdf.js extracts text at about 4 MB a second, so a document past this would
 * run into the parse time limit anyway (DOCX: 48 MB took 7 s, 300 MB stopped at 20 s; PDF: 1 GB
 * stopped at 20 s with 2.3 GB resident); it is refused before a worker spends that time on it.
 */
export const MAX_INFLATED_BYTES = 128 * 1024 * 1024;
export const MAX_INFLATED_MB = MAX_INFLATED_BYTES / 1024 / 1024;

export function tooManyChunks(): ApiError {
  return new ApiError(
    'unprocessable_document',
    `The document would be cut into more than ${MAX_DOCUMENT_CHUNKS.toLocaleString('en')} chunks; split it into smaller files.`,
  );
}
