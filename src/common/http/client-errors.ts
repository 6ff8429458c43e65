import { STATUS_CODES, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { toErrorResponse } from '../errors/error-envelope';
import { requestIdFrom } from './request-id';

/**
 * The request line and headers together may take this many bytes. Node's default is 16 KB; twice
 * that leaves room for large cookies in front of a proxy, and lets a bearer token up to that size
 * reach the token check, which answers an oversized one with 401 like any other unusable token.
 */
export const MAX_HEADER_BYTES = 32 * 1024;

/** Node's own limit for the headers alone; never above the whole request's (see httpServerOptions). */
const HEADERS_TIMEOUT_MS = 60_000;
/** Node's default interval for looking for late requests; shorter timeouts are looked for more often. */
const CHECK_INTERVAL_MS = 30_000;

/**
 * Options of the HTTP server under Fastify. A request without `Host` is not refused by Node
 * (`requireHostHeader` would answer a bare 400 without a body): `assertHostPresent` refuses it in
 * the envelope instead.
 *
 * A request must arrive whole within `requestTimeoutMs` (Fastify's `requestTimeout`, set beside
 * these), else it is answered 400 and its connection closed. Node finds no late request at all
 * when the headers' limit is longer than the whole request's: with Fastify's default (no limit) and
 * Node's 60 s for headers, a body announced longer than it was sent kept its connection open for
 * good, anyone's.
 */
export function httpServerOptions(requestTimeoutMs: number): ServerOptions {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    requireHostHeader: false,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, Math.max(100, Math.floor(requestTimeoutMs / 4))),
  };
}

/** RFC 9112 §3.2: an HTTP/1.1 request without a `Host` header is answered 400. HTTP/1.0 may omit it. */
export function assertHostPresent(request: FastifyRequest): void {
  if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
    throw ApiError.validation(
      [{ field: 'host', message: 'an HTTP/1.1 request must carry a Host header' }],
      'The request has no Host header.',
    );
  }
}

/** What the client is told, by the parser's error code (llhttp's `HPE_*` codes, Node's own). */
function refusalFor(code: string): ApiError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return ApiError.validation(
      [{ field: 'headers', message: `the request line and headers must stay within ${MAX_HEADER_BYTES / 1024} KB` }],
      'The request line and headers are too large.',
    );
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return ApiError.validation(
      [{ field: 'request', message: 'the request was not received in time' }],
      'The request was not received in time.',
    );
  }
  return ApiError.validation(
    [{ field: 'request', message: 'the request is not well-formed HTTP/1.1 (request line, header or body framing)' }],
    'The request is not well-formed HTTP.',
  );
}

/** Node keeps the answer in progress on the socket; a second answer must not be written into it. */
function answerStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse<IncomingMessage> | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * Writes an error answer straight to the socket, for the requests Fastify never sees, then closes
 * the connection once the answer is out: whatever the client still sends is not read.
 */
function answerOnSocket(socket: Socket, error: ApiError, sharedHeaders: Record<string, string>, requestId: string, reason: string): void {
  const response = toErrorResponse(error, requestId);
  const body = JSON.stringify(response.body);
  const headers: Record<string, string | number> = {
    ...sharedHeaders,
    'x-request-id': requestId,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  logger.log({ request_id: requestId, status: response.status, reason }, 'Refused a request before routing');
  socket.end(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}\r\n${head.join('')}\r\n${body}`, () => socket.destroy());
}

const logger = new Logger('Http');

/**
 * Fastify's `clientErrorHandler`: what Node's parser refuses before any route or hook runs (a
 * malformed request line, a bad character in a header, broken body framing, headers over
 * MAX_HEADER_BYTES) is answered in the envelope of API.md, as 400 `validation_failed`, with the
 * headers every answer carries, instead of Fastify's own JSON. There is no request, so the id is
 * new and no CORS headers are added.
 */
export function clientErrorHandler(sharedHeaders: Record<string, string>): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable || answerStarted(socket)) {
      socket.destroy();
      return;
    }
    const code = error.code ?? 'unknown';
    answerOnSocket(socket, refusalFor(code), sharedHeaders, requestIdFrom(undefined), code);
  };
}

/**
 * The server's `connect` listener: no route takes CONNECT (this is not a proxy), and without a
 * listener Node would close the connection without a word. Answered as any unknown route is.
 */
export function connectHandler(sharedHeaders: Record<string, string>): (request: IncomingMessage, socket: Socket) => void {
  return (request, socket) => {
    answerOnSocket(
      socket,
      new ApiError('not_found', 'No such route.'),
      sharedHeaders,
      requestIdFrom(request.headers['x-request-id']),
      'CONNECT',
    );
  };
}
