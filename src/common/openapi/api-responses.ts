import { applyDecorators, HttpStatus, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors/api-error';

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
  @ApiProperty({ example: '6b1f6f3e-2f4e-4c1a-9d7e-0d1b9f1e2a3b' }) request_id!: string;
}

/** Declares the error answers a route can give, grouped by status, each naming its codes. */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto, FieldErrorDto),
    ...[...byStatus].map(([status, grouped]) =>
      ApiResponse({
        status,
        description: `Error: ${grouped.map((c) => `\`${c}\``).join(', ')}`,
        schema: { $ref: getSchemaPath(ErrorEnvelopeDto) },
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
