/**
 * The longest access token looked at. Ours stay under about 700 characters (two ids, a role, two
 * times and an issuer of at most 128 characters, see MAX_ISSUER_LENGTH); anything longer is
 * refused before any decoding, HMAC or JSON work.
 */
export const MAX_ACCESS_TOKEN_LENGTH = 2048;

/** Why a request carries no usable bearer token: nothing was presented, or something unusable was. */
export type BearerProblem = 'missing' | 'invalid';

export type BearerCredentials = { token: string; problem?: undefined } | { token?: undefined; problem: BearerProblem };

const MISSING: BearerCredentials = { problem: 'missing' };
const INVALID: BearerCredentials = { problem: 'invalid' };

/**
 * Three base64url segments, the last one an HS256 signature (32 bytes: 43 characters). The
 * alphabet check alone is not enough: Node's base64url decoder ignores the unused low bits of the
 * last character and any `=` padding, so several spellings would decode to the same bytes.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), accepted only in its one
 * canonical encoding (API.md, Auth). A header of another scheme counts as no token at all.
 */
export function bearerCredentials(authorization: string | undefined): BearerCredentials {
  const credentials = presentedToken(authorization);
  return credentials.token === undefined || isCanonicalJws(credentials.token) ? credentials : INVALID;
}

/**
 * The token presented, checked for size only: the first step of bearerCredentials, so that a token
 * verified before (hence canonical) is recognised without looking at its shape again.
 */
export function presentedToken(authorization: string | undefined): BearerCredentials {
  if (!authorization || authorization.length < 6 || authorization.slice(0, 6).toLowerCase() !== 'bearer') return MISSING;
  if (authorization.length === 6) return INVALID;
  if (authorization[6] !== ' ') return MISSING; // "Bearerish ...": another scheme
  if (authorization.length > MAX_ACCESS_TOKEN_LENGTH + 16) return INVALID;
  const token = authorization.slice(7).trimStart();
  return token.length > MAX_ACCESS_TOKEN_LENGTH ? INVALID : { token };
}

/** The second step: three base64url segments, an HS256-sized signature, each segment canonical. */
export function isCanonicalJws(token: string): boolean {
  return COMPACT_JWS.test(token) && isCanonical(token);
}

/** Whether each segment is exactly what encoding its own bytes gives back (RFC 7515 §2, RFC 4648 §3.5). */
function isCanonical(token: string): boolean {
  let start = 0;
  for (;;) {
    const dot = token.indexOf('.', start);
    const segment = dot === -1 ? token.slice(start) : token.slice(start, dot);
    if (Buffer.from(segment, 'base64url').toString('base64url') !== segment) return false;
    if (dot === -1) return true;
    start = dot + 1;
  }
}
