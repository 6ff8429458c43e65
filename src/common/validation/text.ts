import { applyDecorators } from '@nestjs/common';
import { IsEmail, Matches } from 'class-validator';
import { INVISIBLE_CHARACTERS, isBlank } from '../text/invisible';

const NO_INVISIBLE = new RegExp(`^[^${INVISIBLE_CHARACTERS}]*$`, 'u');

/**
 * The "not blank" rule of free text, as a `@Transform` before `@MinLength(1)`: the text trimmed, and
 * a text made only of invisible characters ("\u200b", "\0") counted as empty, as spaces are. Text with
 * something visible keeps its inner characters: a zero-width joiner is part of an emoji, a
 * zero-width non-joiner part of a Persian word.
 */
export const trimText = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  return isBlank(value) ? '' : value.trim();
};

/** `trimText` for each string of a list (multiple-choice answers). */
export const trimTexts = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? value.map((item: unknown) => trimText({ value: item })) : value;

/**
 * An email address, without a character that shows nothing: `zw\u200b@y.co` reads the same as
 * `zw@y.co` yet would be another account (IsEmail takes any character above U+00A0).
 */
export function IsEmailAddress(): PropertyDecorator {
  return applyDecorators(IsEmail(), Matches(NO_INVISIBLE, { message: '$property must not contain invisible characters' }));
}
