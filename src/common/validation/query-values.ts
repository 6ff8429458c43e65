import { Transform } from 'class-transformer';
import { isISO8601, ValidateBy, ValidationOptions } from 'class-validator';

const DECIMAL_INTEGER = /^-?[0-9]+$/;

/**
 * An integer of a query string, written in plain decimal digits. `Number()` also reads `0x10`, `1e1`,
 * `+5`, ` 5` and `5.0`: those stay strings, so that `@IsInt()` refuses them naming the field.
 */
export function QueryInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_INTEGER.test(value) ? Number(value) : value));
}

/**
 * An ISO 8601 date or date-time of a real calendar day and time. `@IsDateString()` takes `2026-02-30`
 * (which `new Date` rolls over to 2 March) and forms `new Date` cannot read (`2026-W05`, `+2026-01-01`,
 * which became an Invalid Date).
 */
export function IsIsoDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDateTime',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isISO8601(value, { strict: true }) && !Number.isNaN(Date.parse(value)),
        defaultMessage: () => '$property must be a valid ISO 8601 date or date-time (a real calendar day)',
      },
    },
    options,
  );
}
