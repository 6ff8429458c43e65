import { Transform } from 'class-transformer';

const DECIMAL_INTEGER = /^-?[0-9]+$/;

/**
 * An integer of a query string, written in plain decimal digits. `Number()` also reads `0x10`, `1e1`,
 * `+5`, ` 5` and `5.0`: those stay strings, so that `@IsInt()` refuses them naming the field.
 */
export function QueryInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_INTEGER.test(value) ? Number(value) : value));
}
