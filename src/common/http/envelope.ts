import type { FastifyReply, FastifyRequest } from 'fastify';

const ENVELOPED = Symbol('enveloped');

/**
 * An answer a handler has already put in the envelope itself (for example with extra top-level
 * fields for OAuth2 clients): the envelope hook leaves it as it is. The marker is a symbol, so it
 * never reaches the JSON.
 */
export function enveloped<T extends object>(body: T): T {
  Object.defineProperty(body, ENVELOPED, { value: true, enumerable: false });
  return body;
}

/**
 * Routes of the contract: /api and /health answer in the envelope; /docs-json and /metrics do not.
 * Decided on the path (only matched routes get here with a success status), which is cheaper to
 * read than the route's pattern; a target in absolute form ("GET http://host/api/... HTTP/1.1",
 * RFC 9112 §3.2.2) reaches the same routes, so its route's pattern decides.
 */
function inContract(request: FastifyRequest): boolean {
  const path = request.url.charCodeAt(0) === 47 /* '/' */ ? request.url : (request.routeOptions.url ?? '');
  return path.startsWith('/api/') || path.startsWith('/health/');
}

/**
 * Wraps every successful JSON payload of the contract as `{ok: true, data}`, in Fastify's
 * preSerialization step. Done here rather than in a Nest interceptor: an interceptor costs two
 * AsyncResource bindings and an RxJS pipeline per request, a large share of a small route's time.
 * Errors are already shaped by the exception filter and pass through.
 */
export function envelopeHook(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  if (reply.statusCode >= 300 || !inContract(request) || (typeof payload === 'object' && payload !== null && ENVELOPED in payload)) {
    done(null, payload);
    return;
  }
  done(null, { ok: true, data: payload ?? null });
}
