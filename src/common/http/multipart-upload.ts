import Busboy from '@fastify/busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { isRefusedKey } from '../validation/input-keys';

export interface UploadedFile {
  bytes: Buffer;
  filename?: string;
  mimeType?: string;
  fields: Record<string, string>;
}

/**
 * Lets multipart requests through Fastify unread, for the one route that takes uploads to stream
 * itself. Registering @fastify/multipart instead would add two async hooks to every request of the
 * API, uploads or not.
 */
export function acceptMultipartStreams(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null, undefined));
}

export function isMultipart(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** The most bytes a text field may hold: room for a 300-character title in any script. */
const MAX_FIELD_BYTES = 4096;

const refused = (field: string, message: string): ApiError => ApiError.validation([{ field, message }]);

/**
 * Reads the single file (`file`) and small text fields of a multipart upload. Reading stops at
 * `maxBytes`: an oversized file is refused with 413 without being held in memory whole. What the
 * route would otherwise have to drop unseen is refused instead, as a JSON body's unknown fields
 * are: a second file, a file under another name, a field cut short, more parts than a form has.
 * The caller validates the names and values of the text fields.
 */
export function readMultipartUpload(request: FastifyRequest, maxBytes: number): Promise<UploadedFile> {
  return new Promise<UploadedFile>((resolve, reject) => {
    let parser: ReturnType<typeof Busboy>;
    try {
      parser = Busboy({
        headers: request.headers as { 'content-type': string },
        limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: MAX_FIELD_BYTES, parts: 6 },
      });
    } catch {
      reject(ApiError.validation([{ field: 'file', message: 'the multipart body is malformed' }]));
      return;
    }
    // Field names are the client's: a prototype-less object keeps `__proto__` or `constructor` plain keys.
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    let file: Omit<UploadedFile, 'fields'> | undefined;
    let pending: Promise<void> = Promise.resolve();
    let failure: ApiError | undefined;
    const malformed = (): ApiError => ApiError.validation([{ field: 'file', message: 'the multipart body is malformed' }]);

    parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
      if (isRefusedKey(name)) failure ??= refused(name, `the field name "${name}" is not allowed`);
      else if (valueTruncated) failure ??= refused(name, `${name} must be shorter than ${MAX_FIELD_BYTES} bytes`);
      else fields[name] = value;
    });
    parser.on('filesLimit', () => (failure ??= refused('file', 'only one file may be uploaded')));
    parser.on('fieldsLimit', () => (failure ??= refused('body', 'the form has more fields than an upload takes')));
    parser.on('partsLimit', () => (failure ??= refused('body', 'the form has more parts than an upload takes')));
    parser.on('file', (field, stream, filename, _encoding, mimeType) => {
      if (field !== 'file') {
        failure ??= refused(field, `property ${field} should not exist (the file goes in the field "file")`);
        // A body that ends inside this part fails the stream too; unheard, that error ended the process.
        stream.on('error', () => (failure ??= malformed()));
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      pending = new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () => {
          failure = new ApiError('payload_too_large', `The upload is larger than the ${maxBytes} bytes allowed.`);
          // Drain the rest without keeping it, then let the request end.
          stream.resume();
        });
        stream.on('end', () => {
          file = { bytes: Buffer.concat(chunks), filename: filename || undefined, mimeType: mimeType || undefined };
          done();
        });
        // A body that ends before the file does (no closing boundary): busboy fails the file's stream,
        // and an 'error' event nobody listens to ended the whole process.
        stream.on('error', () => {
          failure = malformed();
          done();
        });
      });
    });
    parser.on('error', () => reject(malformed()));
    parser.on('finish', () => {
      void pending.then(() => {
        if (failure) reject(failure);
        else if (!file) reject(ApiError.validation([{ field: 'file', message: 'a file is required' }]));
        else resolve({ ...file, fields });
      });
    });
    // A connection cut mid-upload ends the request with an error and never ends the parser: without
    // this, the route would wait for the rest of the upload forever.
    request.raw.once('error', reject);
    request.raw.pipe(parser);
  });
}
