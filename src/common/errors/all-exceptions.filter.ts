import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isClientAbort } from '../http/client-abort';
import { pathOf } from '../logging/redact';
import { toErrorResponse } from './error-envelope';

/** The one place where an exception becomes an HTTP answer (see error-envelope.ts). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(exception, request, reply, this.logger);
  }
}

export function sendError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: { error(message: unknown, ...rest: unknown[]): void; log(message: unknown, ...rest: unknown[]): void },
): void {
  if (isClientAbort(exception, request)) {
    const code = (exception as { code?: string }).code;
    logger.log(
      { request_id: String(request.id), method: request.method, path: pathOf(request.url), reason: code ?? 'aborted' },
      'The client closed the connection before the answer',
    );
    return;
  }
  const response = toErrorResponse(exception, String(request.id));
  if (response.unexpected) {
    logger.error(
      { request_id: String(request.id), err: exception, method: request.method, path: pathOf(request.url) },
      'Unexpected error while serving a request',
    );
  }
  if (reply.sent || reply.raw.headersSent) return;
  void reply.code(response.status).headers(response.headers).type('application/json; charset=utf-8').send(response.body);
}
