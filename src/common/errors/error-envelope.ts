import { HttpException } from '@nestjs/common';
import { ApiError, ErrorCode } from './api-error';

export interface ErrorBody {
  ok: false;
  error: { code: ErrorCode; message: string; details?: unknown };
  request_id: string;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error was not foreseen: it is logged with its stack, the client sees a generic message. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_document',
  429: 'rate_limited',
  503: 'service_unavailable',
};

const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request is not valid.',
  invalid_json: 'The request body is not valid JSON.',
  unauthorized: 'Authentication is required.',
  forbidden: 'Your role does not allow this.',
  not_found: 'No such resource.',
  conflict: 'The request conflicts with the current state.',
  payload_too_large: 'The request body is larger than allowed.',
  unsupported_media_type: 'This content type is not supported.',
  rate_limited: 'Too many requests; try again later.',
  service_unavailable: 'A required service is unavailable; try again later.',
  internal_error: 'An unexpected error occurred.',
};

interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

/**
 * Turns anything thrown while serving a request into the error envelope of API.md. Known errors keep
 * their message; everything else becomes `internal_error` with a generic message, so no stack,
 * query or driver text ever reaches a client.
 */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  const build = (
    code: ErrorCode,
    status: number,
    message: string,
    details?: unknown,
    headers: Record<string, string> = {},
    unexpected = false,
  ): ErrorResponse => ({
    status,
    headers,
    unexpected,
    body: { ok: false, error: details === undefined ? { code, message } : { code, message, details }, request_id: requestId },
  });

  if (error instanceof ApiError) {
    return build(error.code, error.status, error.message, error.details, error.headers ?? {});
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest re-throws Fastify's body-parser errors as plain HttpExceptions; only the message tells
    // a JSON syntax error ("Body is not valid JSON…", "Body cannot be empty…") from other 400s.
    if (status === 400 && /\bJSON\b|application\/json/.test(error.message))
      return build('invalid_json', 400, GENERIC_MESSAGES.invalid_json!);
    const code = CODE_BY_STATUS[status];
    if (!code) return build('internal_error', 500, GENERIC_MESSAGES.internal_error!, undefined, {}, true);
    // Nest's own messages for these are safe and specific ("Cannot GET /x"); others get ours.
    const message = status === 404 || status === 405 ? 'No such route.' : (GENERIC_MESSAGES[code] ?? error.message);
    return build(code, status, message);
  }

  const framework = (error ?? {}) as FrameworkError;
  const status = framework.statusCode ?? framework.status;
  if (
    error instanceof SyntaxError ||
    framework.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    framework.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
  ) {
    return build('invalid_json', 400, GENERIC_MESSAGES.invalid_json!);
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? 'validation_failed';
    return build(code, status in CODE_BY_STATUS ? status : 400, GENERIC_MESSAGES[code]!);
  }
  return build('internal_error', 500, GENERIC_MESSAGES.internal_error!, undefined, {}, true);
}
