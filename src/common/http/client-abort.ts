import type { FastifyRequest } from 'fastify';

/** What a cut connection surfaces as: a body cut short, a write to a closed socket, a cancelled call. */
const CONNECTION_CUT = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Whether an error is only the consequence of the client closing its connection: the connection is
 * gone and the error is of the kinds a cut connection raises. Nothing failed on our side and nobody
 * waits for the answer. Any other error stays what it is, even if the client left meanwhile.
 */
export function isClientAbort(error: unknown, request: FastifyRequest): boolean {
  if (request.raw.socket?.destroyed !== true) return false;
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'AbortError' || (typeof code === 'string' && CONNECTION_CUT.has(code));
}
