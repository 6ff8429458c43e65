import { applyDecorators, HttpStatus, Type } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/api-error';

export const EXAMPLE_REQUEST_ID = '6b1f6f3e-2f4e-4c1a-9d7e-0d1b9f1e2a3b';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

export class ErrorDetailDto {
  @ApiProperty({ enum: Object.keys(ERROR_STATUS), example: 'validation_failed' }) code!: ErrorCode;
  @ApiProperty({ example: 'The request is not valid.' }) message!: string;
  @ApiPropertyOptional({
    description:
      'For `validation_failed`: one entry per offending field. For `service_unavailable` from readiness: the state of each component.',
    oneOf: [
      { type: 'array', items: { $ref: '#/components/schemas/FieldErrorDto' } },
      { type: 'object', additionalProperties: true },
    ],
    example: [{ field: 'email', message: 'email must be an email' }],
  })
  details?: FieldErrorDto[] | Record<string, unknown>;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false] }) ok!: false;
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
  @ApiProperty({ example: EXAMPLE_REQUEST_ID }) request_id!: string;
}

interface ErrorExample {
  /** When the code is given, shown beside it in the Swagger UI (API.md's error table). */
  when: string;
  message: string;
  details?: unknown;
}

/** One realistic answer per error code, with the message the API really sends for it. */
const ERROR_EXAMPLES: Partial<Record<ErrorCode, ErrorExample>> = {
  validation_failed: {
    when: 'The body, query or path fails validation (unknown fields included)',
    message: 'The request is not valid.',
    details: [{ field: 'email', message: 'email must be an email' }],
  },
  invalid_json: { when: 'The body is not parseable JSON', message: 'The request body is not valid JSON.' },
  unauthorized: { when: 'Missing, malformed, expired or revoked access token', message: 'A valid access token is required.' },
  invalid_credentials: { when: 'Wrong email or password (the same answer for both)', message: 'Wrong email or password.' },
  invalid_refresh_token: {
    when: 'Unknown, expired, revoked or re-used refresh token',
    message: 'The refresh token is not valid; sign in again.',
  },
  forbidden: { when: 'Signed in, but the role does not allow it', message: 'Your role does not allow this.' },
  account_disabled: { when: 'The account was disabled by an admin', message: 'This account has been disabled.' },
  not_found: { when: 'No such resource, or it belongs to someone else', message: 'No such resource.' },
  email_taken: { when: 'An account with this email exists', message: 'An account with this email already exists.' },
  conflict: { when: 'Any other state conflict', message: 'You cannot remove your own admin role.' },
  payload_too_large: { when: 'Upload or body over the configured limit', message: 'The upload is larger than the 20971520 bytes allowed.' },
  unsupported_media_type: {
    when: 'A type that is not supported (checked on the content, not only the name)',
    message: 'The file is plain text; only PDF, DOCX, Markdown, plain text or HTML files can be uploaded.',
  },
  unprocessable_document: {
    when: 'A file of a supported type that cannot be read (corrupt, encrypted, no text)',
    message: 'The PDF is password-protected (encrypted); upload a copy without a password.',
  },
  rate_limited: { when: 'Too many requests; `Retry-After` says when to try again', message: 'Too many requests; try again later.' },
  content_filtered: {
    when: "The model provider refused the prompt or its answer under its content policy (Azure's content filter); not retried",
    message: "The model provider's content policy refused this request; rephrase it and try again.",
  },
  llm_unavailable: {
    when: 'The language model failed or timed out after retries',
    message: 'The language model is unavailable right now; please try again later.',
  },
  service_unavailable: {
    when: 'A required backing service (database, Redis) is down',
    message: 'A required backing service is not answering.',
    details: { database: { status: 'down', kind: 'mongodb', message: 'timed out' } },
  },
  internal_error: { when: 'Anything unexpected', message: 'An unexpected error occurred.' },
};

/** What a code's example says: the table above, else the code itself (so none is ever missing). */
export function errorExample(code: ErrorCode): ErrorExample {
  return ERROR_EXAMPLES[code] ?? { when: `\`${code}\``, message: `The request failed with ${code}.` };
}

/**
 * Declares the error answers a route can give, grouped by status, each naming its codes and
 * showing one example per code (with that code and its real message).
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto, FieldErrorDto),
    ...[...byStatus].map(([status, grouped]) =>
      ApiResponse({
        status,
        description: grouped.map((code) => `\`${code}\`: ${errorExample(code).when}.`).join(' '),
        // Always JSON, also on routes that produce something else (an event stream fails as JSON).
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
            examples: Object.fromEntries(
              grouped.map((code) => {
                const { when, message, details } = errorExample(code);
                const error = details === undefined ? { code, message } : { code, message, details };
                return [code, { summary: when, value: { ok: false, error, request_id: EXAMPLE_REQUEST_ID } }];
              }),
            ),
          },
        },
        ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } } } : {}),
      }),
    ),
  );
}

/** Declares a success answer in the `{ok: true, data}` envelope. */
export function ApiEnvelope(
  model: Type<unknown> | null,
  options: { status?: number; description?: string; isArray?: boolean } = {},
): MethodDecorator {
  const status = options.status ?? HttpStatus.OK;
  const ref = model ? { $ref: getSchemaPath(model) } : { type: 'object', nullable: true };
  const data = options.isArray ? { type: 'array', items: ref } : ref;
  return applyDecorators(
    ...(model ? [ApiExtraModels(model)] : []),
    ApiResponse({
      status,
      description: options.description ?? 'Success',
      schema: { type: 'object', required: ['ok', 'data'], properties: { ok: { type: 'boolean', enum: [true] }, data } },
    }),
  );
}

/** A 204 answer with no body. */
export function ApiNoContent(description = 'Done; no body.'): MethodDecorator {
  return ApiResponse({ status: HttpStatus.NO_CONTENT, description });
}

/**
 * Declares a JSON request body with named examples. Swagger UI sends the first one as it is, so
 * each must run against a fresh start with the demo course (no made-up ids: a random one is 404).
 */
export function ApiJsonBody(
  model: Type<unknown>,
  examples: Record<string, { summary: string; value: object }>,
  description?: string,
): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiBody({ required: true, schema: { $ref: getSchemaPath(model) }, examples, ...(description ? { description } : {}) }),
  );
}
