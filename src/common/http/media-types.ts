import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';

const JSON_ONLY: readonly string[] = ['application/json'];

interface BodyPolicy {
  bodyTypes?: readonly string[];
}

/**
 * The media types a route's body may have, when not JSON alone (the default of every route,
 * API.md "Input and limits"). Kept in the Fastify route's config, where the request hook that
 * enforces it reads it before any body is parsed.
 */
export function AcceptsBody(...types: string[]): MethodDecorator {
  const policy: BodyPolicy = { bodyTypes: types };
  return RouteConfig(policy);
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0].trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Compressed bodies are not read (RFC 9110 §8.4: 415 for a content coding the server does not
 * take): parsed as they came, gzip bytes were refused as broken text, without saying why.
 */
function assertNoContentCoding(request: FastifyRequest): void {
  const coding = (request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return;
  throw new ApiError('unsupported_media_type', `Request bodies are taken uncompressed: Content-Encoding ${coding} is not supported.`);
}

/**
 * Refuses, with 415 `unsupported_media_type` naming what the route takes, a body of a type the
 * route does not accept: a form sent by `curl -d` to a JSON route is not read as anything.
 * Requests without a body pass, whatever their Content-Type says.
 */
export function assertAcceptedMediaType(request: FastifyRequest): void {
  if (request.method === 'GET' || request.method === 'HEAD' || request.is404 || !hasBody(request)) return;
  assertNoContentCoding(request);
  const accepted = (request.routeOptions.config as BodyPolicy | undefined)?.bodyTypes ?? JSON_ONLY;
  if (accepted.includes(mediaTypeOf(request.headers['content-type']))) return;
  const expected = accepted.length === 1 ? accepted[0] : `${accepted.slice(0, -1).join(', ')} or ${accepted[accepted.length - 1]}`;
  throw new ApiError('unsupported_media_type', `This route takes a body of type ${expected} (Content-Type header).`);
}
