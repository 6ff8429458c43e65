import { createSecretKey, hkdfSync, KeyObject } from 'node:crypto';

/**
 * A key for one purpose, derived from a configured secret with HKDF-SHA256 (RFC 5869): keys of
 * different purposes are independent, so a value signed for one purpose is never accepted for
 * another, and none of them reveals the secret itself.
 */
export function deriveKey(secret: KeyObject, purpose: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `learning-platform-api/${purpose}`, 32)));
}
