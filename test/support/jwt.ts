import { createHmac, KeyObject } from 'node:crypto';

export const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a JWT, read without checking anything. */
export const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** An HS256 JWT built by hand (RFC 7519), so tests do not depend on the code they check. */
export function signJwt(key: KeyObject | string, payload: object, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
