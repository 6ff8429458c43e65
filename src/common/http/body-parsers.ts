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
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, parseForm(body as string));
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
