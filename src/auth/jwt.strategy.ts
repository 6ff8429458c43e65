import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport-jwt';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { isId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AccountState, AuthStateCache } from './auth-state.cache';
import { isCanonicalJws, presentedToken } from './bearer-token';
import { BearerFailure, tokenRefused } from './bearer-challenge';
import { Principal } from './principal';
import { VerifiedClaims, VerifiedTokens } from './verified-tokens';

/** Room for about 40,000 live tokens of our usual size (under 1 KB an entry by entryBytes); fewer if they are larger. */
export const VERIFIED_TOKENS_MAX_BYTES = 32 * 1024 * 1024;

/** What the strategy reads of a request: passport's types name Express's, ours is Fastify's. */
type PresentedRequest = { headers: IncomingHttpHeaders };

/** The token a request presented, once it passed the canonical-form check: what passport-jwt verifies and the cache keeps. */
const presentedTokens = new WeakMap<object, string>();

const MISSING = new BearerFailure('missing');
const INVALID = new BearerFailure('invalid');

/**
 * Checks access tokens: passport-jwt verifies HS256 only (the algorithm comes from here, never
 * from the token: RFC 8725 §3.1) and the issuer, with the access key as a KeyObject (a string key
 * costs about 0.6 ms a verification, NOTES.md); `validate` checks the expiry against the injected
 * Clock, as every other lifetime of the API is (jsonwebtoken reads the system time, and
 * passport-jwt fixes its options once, so its `clockTimestamp` cannot follow a clock). Before
 * that, the header is read strictly (bearer-token.ts): oversized or non-canonical tokens are
 * refused without decoding.
 *
 * The principal comes from the account's and the session's current state (AuthStateCache), not
 * from the token's claims, so a role change, a disabled account or a revoked session applies on
 * the very next request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokens(VERIFIED_TOKENS_MAX_BYTES);

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly state: AuthStateCache,
    private readonly clock: Clock,
  ) {
    super({
      jwtFromRequest: (request: object) => presentedTokens.get(request) ?? null,
      // jsonwebtoken (under passport-jwt) takes a KeyObject, though passport-jwt's types name only strings and Buffers.
      secretOrKey: config.jwt.accessKey as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      // Checked in `validate`, by the Clock.
      ignoreExpiration: true,
      passReqToCallback: true,
    });
  }

  /**
   * Passport's entry point, called with the strategy's per-request copy (`this.success`/`fail`/
   * `error` settle that one request). A token verified earlier is answered from memory; any other
   * goes through passport-jwt.
   */
  override authenticate(request: PresentedRequest, options?: object): void {
    const credentials = presentedToken(request.headers.authorization);
    if (credentials.token === undefined) return this.fail(credentials.problem === 'missing' ? MISSING : INVALID, 401);
    let principal: Principal | Promise<Principal> | undefined;
    try {
      principal = this.rememberedPrincipal(credentials.token);
    } catch (error) {
      return this.error(error as Error);
    }
    if (principal === undefined) {
      if (!isCanonicalJws(credentials.token)) return this.fail(INVALID, 401);
      presentedTokens.set(request, credentials.token);
      return super.authenticate(request as Parameters<Strategy['authenticate']>[0], options);
    }
    if (principal instanceof Promise)
      principal.then(
        (p) => this.success(p),
        (error: Error) => this.error(error),
      );
    else this.success(principal);
  }

  /**
   * The principal of a bearer token this strategy verified earlier and that has not expired, from
   * the account's and session's current state (so a revocation still applies; it throws then);
   * undefined when the token must go through passport-jwt. Only canonical tokens are ever
   * remembered, so a remembered one needs no second look at its shape.
   */
  remembered(authorization: string | undefined): Principal | Promise<Principal> | undefined {
    const { token } = presentedToken(authorization);
    return token === undefined ? undefined : this.rememberedPrincipal(token);
  }

  private rememberedPrincipal(token: string): Principal | Promise<Principal> | undefined {
    const known = this.verified.get(token, this.nowSeconds());
    return known ? this.principalOf(known) : undefined;
  }

  /** Called by passport-jwt once the token's signature, algorithm and issuer are checked. */
  validate(request: PresentedRequest, payload: unknown): Principal | Promise<Principal> {
    const claims = claimsOf(payload);
    const token = presentedTokens.get(request);
    presentedTokens.delete(request);
    if (!claims) throw tokenRefused('invalid');
    // As jsonwebtoken decides: expired from the second `exp` names.
    if (claims.exp <= this.nowSeconds()) throw tokenRefused('expired');
    if (token !== undefined) this.verified.add(token, claims);
    return this.principalOf(claims);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  /** Without a promise when the state is at hand (the usual case): every authenticated request comes here. */
  private principalOf(claims: VerifiedClaims): Principal | Promise<Principal> {
    const account = this.state.account(claims.sub);
    const live = this.state.sessionIsLive(claims.sid, claims.sub);
    if (account instanceof Promise || live instanceof Promise) {
      return Promise.all([account, live]).then(([loaded, isLive]) => principalFrom(claims, loaded, isLive));
    }
    return principalFrom(claims, account, live);
  }
}

function principalFrom(claims: VerifiedClaims, account: AccountState | null, sessionIsLive: boolean): Principal {
  if (!account || !sessionIsLive) throw tokenRefused('revoked');
  if (account.disabled) throw new ApiError('account_disabled', 'This account has been disabled.');
  return { userId: claims.sub, role: account.role, sessionId: claims.sid, profile: account.profile };
}

/** Our claims, well-formed; a signed token without them was not issued by this API as an access token. */
function claimsOf(payload: unknown): VerifiedClaims | null {
  if (payload === null || typeof payload !== 'object') return null;
  const { sub, sid, exp } = payload as Record<string, unknown>;
  if (!isId(sub) || !isId(sid) || typeof exp !== 'number' || !Number.isFinite(exp)) return null;
  return { sub, sid, exp };
}
