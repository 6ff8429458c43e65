import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { toErrorResponse } from '../errors/error-envelope';

/**
 * Fastify's router refuses some URLs before any hook or Nest code runs: a path parameter longer
 * than `maxParamLength`, or a path whose percent-encoding is broken. It would answer them in its
 * own JSON, without the envelope or the usual headers; this answers them as API.md says, as the
 * 400 of a malformed id. `sharedHeaders` adds what the request hook adds to every other answer.
 */
export function frameworkErrorHandler(
  sharedHeaders: (request: FastifyRequest, reply: FastifyReply) => void,
): (error: Error, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    sharedHeaders(request, reply);
    const code = (error as { code?: string }).code;
    const refused =
      code === 'FST_ERR_BAD_URL' || code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? ApiError.validation([{ field: 'path', message: 'the path holds a malformed or overlong segment' }])
        : error;
    const response = toErrorResponse(refused, String(request.id));
    void reply.code(response.status).headers(response.headers).type('application/json; charset=utf-8').send(JSON.stringify(response.body));
  };
}
