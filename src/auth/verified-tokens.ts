/** What a verified access token says that the request path needs (the role comes from the account). */
export interface VerifiedClaims {
  /** The user id. */
  sub: string;
  /** The session (refresh-token family) the token was issued for. */
  sid: string;
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

/**
 * An estimate of what one entry holds: the key (counted as two bytes a character, V8's widest
 * string form), the two ids of the claims, the claims object and the Map's own entry.
 */
const ENTRY_OVERHEAD_BYTES = 256;

export function entryBytes(token: string): number {
  return 2 * token.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * Access tokens whose signature and claims were checked once, remembered by their exact text until
 * they expire: a client sends the same token on every request, and decoding and verifying it was
 * a large share of an authenticated request's cost. Only tokens that verified are added, and those
 * are canonical (bearer-token.ts), so one token has one entry. Bounded in bytes, not entries, so
 * that large tokens cannot grow the heap past the bound; the oldest entries go first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedClaims>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The claims of a token verified earlier and not expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): VerifiedClaims | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp > nowSeconds) return claims;
    this.remove(token);
    return undefined;
  }

  add(token: string, claims: VerifiedClaims): void {
    const cost = entryBytes(token);
    if (this.entries.has(token) || cost > this.maxBytes) return;
    this.entries.set(token, { sub: claims.sub, sid: claims.sid, exp: claims.exp });
    this.bytes += cost;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.remove(oldest.value);
    }
  }

  /** The estimated bytes held (see entryBytes). */
  get sizeInBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(token: string): void {
    if (this.entries.delete(token)) this.bytes -= entryBytes(token);
  }
}
