import { applyDecorators } from '@nestjs/common';
import { IsEmail, Matches } from 'class-validator';

/**
 * Characters that show nothing: white space, control and format characters (NUL, zero-width space,
 * joiners, BOM, bidi marks), lone surrogates, the code points Unicode says to render invisibly
 * (variation selectors, Hangul fillers, tags) and the blank Braille pattern.
 */
const INVISIBLE = String.raw`\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800`;
const ONLY_INVISIBLE = new RegExp(`^[${INVISIBLE}]*$`, 'u');
const NO_INVISIBLE = new RegExp(`^[^${INVISIBLE}]*$`, 'u');

/**
 * The "not blank" rule of free text, as a `@Transform` before `@MinLength(1)`: the text trimmed, and
 * a text made only of invisible characters ("\u200b", "\0") counted as empty, as spaces are. Text with
 * something visible keeps its inner characters: a zero-width joiner is part of an emoji, a
 * zero-width non-joiner part of a Persian word.
 */
export const trimText = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  return ONLY_INVISIBLE.test(value) ? '' : value.trim();
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
