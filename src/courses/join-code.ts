import { randomInt } from 'node:crypto';

/**
 * Crockford-style alphabet without the look-alikes 0/O, 1/I/L and U, so a code read aloud or
 * copied from a board is typed right. 10 characters from 30 give about 49 bits: guessing one
 * course's code takes on the order of 10^14 tries.
 */
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
export const JOIN_CODE_LENGTH = 10;

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** What a person typed: case, spaces and dashes do not matter. */
export function normalizeJoinCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}
