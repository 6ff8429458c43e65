/**
 * Characters that show nothing: white space, control and format characters (NUL, zero-width space,
 * joiners, BOM, bidi marks), lone surrogates, the code points Unicode says to render invisibly
 * (variation selectors, Hangul fillers, tags) and the blank Braille pattern. A regular-expression
 * character class body, for the `u` flag.
 */
export const INVISIBLE_CHARACTERS = String.raw`\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800`;

const ONLY_INVISIBLE = new RegExp(`^[${INVISIBLE_CHARACTERS}]*$`, 'u');

/** Whether the text shows nothing: only white space and invisible characters, or nothing at all. */
export function isBlank(text: string): boolean {
  return ONLY_INVISIBLE.test(text);
}
