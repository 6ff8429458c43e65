import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/api-error';
import { assertNoRefusedKeys, parseJsonBody } from '../validation/input-keys';
import { acceptMultipartStreams } from './multipart-upload';

/**
 * The only request bodies the API reads: JSON (nesting and keys checked while parsing, see
 * input-keys.ts), forms (the OAuth2 password grant of the login route) and multipart streams
 * (uploads, read by their route). Fastify's defaults go, text/plain among them; which route takes
 * which type is decided before parsing (media-types.ts).
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(utf8Text(body as Buffer, 'invalid_json')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseForm(utf8Text(body as Buffer, 'validation_failed')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  acceptMultipartStreams(fastify);
  // Requests of any other type reach a parser only when they carry no content (media-types.ts
  // refused the others before parsing): that is no body, whatever the header says.
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    if ((body as Buffer).length === 0) done(null, undefined);
    else done(new ApiError('unsupported_media_type', 'This content type is not supported.'), undefined);
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body's bytes as UTF-8 text (RFC 8259 JSON is UTF-8; a leading byte order mark is dropped).
 * Other bytes are refused here, by name: read as a string by Fastify, they became U+FFFD, which
 * no longer matched Content-Length, and the client got a bare 400 that did not say why.
 */
function utf8Text(body: Buffer, code: 'invalid_json' | 'validation_failed'): string {
  try {
    return UTF8.decode(body);
  } catch {
    const message = 'The request body is not UTF-8 text: send it encoded as UTF-8, whatever charset the Content-Type names.';
    throw code === 'invalid_json' ? new ApiError('invalid_json', message) : ApiError.validation([{ field: 'body', message }], message);
  }
}

/**
 * A form as an object without a prototype (repeated fields become arrays, as Fastify's own form
 * parser does), refusing the keys that input may not use anywhere.
 */
export function parseForm(text: string): Record<string, string | string[]> {
  const params = new URLSearchParams(text);
  assertNoRefusedKeys(params.keys());
  const form = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of params) {
    const known = form[key];
    form[key] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return form;
}
