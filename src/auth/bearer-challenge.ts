import { ApiError } from '../common/errors/api-error';
import { BearerProblem } from './bearer-token';

/** Why an access token was not accepted; each has its own message, so a client knows what to do. */
export type TokenRefusal = 'missing' | 'invalid' | 'expired' | 'revoked';

const REALM = 'learning-platform-api';

const REFUSALS: Record<TokenRefusal, { message: string; description?: string }> = {
  missing: { message: 'A valid access token is required (Authorization: Bearer <access_token>).' },
  invalid: { message: 'The access token is malformed or not valid; sign in again.', description: 'The access token is not valid' },
  expired: {
    message: 'The access token has expired; get a new one with POST /api/auth/refresh.',
    description: 'The access token expired',
  },
  revoked: { message: 'The session of this access token has ended; sign in again.', description: 'The access token was revoked' },
};

/**
 * A 401 with its RFC 6750 §3 challenge: `error="invalid_token"` only when a token was presented
 * (§3.1: a request without credentials gets no error code). Descriptions are plain ASCII without
 * quotes or backslashes, as §3 requires of `error_description`.
 */
export function tokenRefused(refusal: TokenRefusal): ApiError {
  const { message, description } = REFUSALS[refusal];
  const challenge = description
    ? `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`
    : `Bearer realm="${REALM}"`;
  return new ApiError('unauthorized', message, undefined, { 'WWW-Authenticate': challenge });
}

/** A refusal the strategy hands to passport's `fail`, read back by the guard's `handleRequest`. */
export class BearerFailure {
  constructor(readonly problem: BearerProblem) {}
}
