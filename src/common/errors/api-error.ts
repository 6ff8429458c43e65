/**
 * The error codes of the HTTP contract (API.md). Domain code throws an ApiError with one of these
 * codes; the exception filter turns it into the error envelope with the matching status.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  forbidden: 403,
  account_disabled: 403,
  not_found: 404,
  email_taken: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable_document: 422,
  content_filtered: 422,
  rate_limited: 429,
  internal_error: 500,
  llm_unavailable: 503,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, such as `Retry-After` on `rate_limited`. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  static validation(details: FieldError[], message = 'The request is not valid.'): ApiError {
    return new ApiError('validation_failed', message, details);
  }

  static notFound(what = 'resource'): ApiError {
    return new ApiError('not_found', `No such ${what}.`);
  }

  static forbidden(message = 'Your role does not allow this.'): ApiError {
    return new ApiError('forbidden', message);
  }

  static conflict(message: string): ApiError {
    return new ApiError('conflict', message);
  }

  static rateLimited(retryAfterSeconds: number, message = 'Too many requests; try again later.'): ApiError {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return new ApiError('rate_limited', message, undefined, { 'Retry-After': String(seconds) });
  }
}
