import { applyDecorators, ArgumentMetadata, Injectable, Param, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { ApiError, FieldError } from '../errors/api-error';
import { isId } from '../ids';
import { inheritedNameKeys } from './input-keys';

/** Most entries of a validation error's details. */
const MAX_DETAILS = 100;

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Refuses unknown fields named like inherited members (`toString`) before class-transformer can
 * skip them unseen (see inheritedNameKeys); the whitelist refuses every other unknown field.
 */
class WhitelistValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata)) {
      // Nest takes a null body for an empty object, and class-transformer an array for a list of
      // them: a change sent as `null` answered 200 and changed nothing. No body at all (undefined)
      // still reaches the DTO, which names the fields it needs.
      if (metadata.type === 'body' && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        throw ApiError.validation([{ field: 'body', message: 'must be a JSON object' }], 'The request body must be a JSON object.');
      }
      const found = inheritedNameKeys(value);
      if (found.length > 0) throw ApiError.validation(found);
    }
    return super.transform(value, metadata);
  }
}

/** Class-validator DTOs; unknown fields are refused, not silently dropped (API.md). */
export function createValidationPipe(): ValidationPipe {
  return new WhitelistValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    // The first problems tell the client what to fix; a detail for each of a thousand bad items is only weight.
    exceptionFactory: (errors) => ApiError.validation(flatten(errors).slice(0, MAX_DETAILS)),
  });
}

/** Path ids must be 24-hex ObjectId strings; anything else is a 400, never a driver error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isId(value)) throw ApiError.validation([{ field: metadata.data ?? 'id', message: 'must be a 24-character hexadecimal id' }]);
    return value;
  }
}

const bodyValidation = createValidationPipe();

/**
 * Validates a value against a DTO class by hand, for routes that pick the DTO at run time. Refused
 * keys and nesting were already checked when the body was parsed (body-parsers.ts).
 */
export async function validateAs<T>(dto: new () => T, value: unknown): Promise<T> {
  return (await bodyValidation.transform(value === undefined ? {} : value, { type: 'body', metatype: dto })) as T;
}

/** A path id: validated as an ObjectId and documented as one. Use as `@IdParam() id: string`. */
export function IdParam(name = 'id'): ParameterDecorator {
  return Param(name, ParseIdPipe);
}

export function ApiIdParam(name = 'id', description = 'A 24-character hexadecimal id.'): MethodDecorator {
  return applyDecorators(ApiParam({ name, description, schema: { type: 'string', pattern: '^[0-9a-f]{24}$' } }));
}

/**
 * A field that may be left out but, when sent, must hold a value of its type. `@IsOptional()` also
 * lets `null` through, which a change then writes over a field that cannot be empty (a module
 * without a title, a user without a role). Fields that may be cleared say so with `nullable`.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_, value) => value !== undefined);
}

/** For `PartialType(Dto, NOT_NULL)`: each field of a change may be left out, none may be null (see IsOmittable). */
export const NOT_NULL = { skipNullProperties: false } as const;
