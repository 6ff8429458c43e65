import { maxLength } from 'class-validator';

/**
 * A schema's length limit counted as the API counts it. Mongoose's `maxlength` counts UTF-16
 * units, the request DTOs' `@MaxLength` counts characters (an emoji is one character, two units):
 * a title of 200 emoji passed the DTO, then failed the schema, and the request answered 500.
 * The schema stays a backstop for what a DTO already bounded, in the same unit.
 */
export function maxCharacters(limit: number): { validator: (value: unknown) => boolean; message: string } {
  return {
    validator: (value: unknown) => value === null || value === undefined || maxLength(value, limit),
    message: `{PATH} is longer than ${limit} characters`,
  };
}
