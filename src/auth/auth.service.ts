import { createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiError } from '../common/errors/api-error';
import { Clock } from '../common/clock';
import { newId, isId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DuplicateKeyError } from '../infrastructure/persistence/document-store';
import { emailKeyOf, Role, User } from '../users/user';
import { UsersRepository } from '../users/users.repository';
import { AuthStateCache } from './auth-state.cache';
import { tokenRefused } from './bearer-challenge';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { Principal } from './principal';
import { SessionsRepository } from './sessions.repository';

export interface IssuedTokens {
  user: User;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface NewAccount {
  email: string;
  password: string;
  displayName?: string | null;
  role?: Role;
}

/** What an access token says besides `iat`, `exp` and `iss`: the role is informative, each request reads the current one. */
interface AccessTokenClaims {
  sub: string;
  role: Role;
  /** The session (refresh-token family) the token was issued for. */
  sid: string;
  /** Issued at, by the injected clock: jsonwebtoken counts `exp` from it rather than from the system time. */
  iat: number;
}

const invalidRefresh = () => new ApiError('invalid_refresh_token', 'The refresh token is not valid; sign in again.');
const invalidCredentials = () => new ApiError('invalid_credentials', 'Wrong email or password.');

@Injectable()
export class AuthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly state: AuthStateCache,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
    private readonly jwt: JwtService,
  ) {}

  async register(account: NewAccount): Promise<IssuedTokens> {
    if (!this.config.registrationOpen) throw ApiError.forbidden('Registration is closed on this platform.');
    const user = await this.createAccount(account);
    return this.startSession(user);
  }

  /** Creates an account; the store's unique index, not a prior lookup, rejects a taken email. */
  async createAccount(account: NewAccount): Promise<User> {
    const now = this.clock.now();
    try {
      return await this.users.create({
        id: newId(),
        email: account.email.trim(),
        emailKey: emailKeyOf(account.email),
        passwordHash: await this.hasher.hash(account.password),
        displayName: account.displayName ?? null,
        role: account.role ?? 'student',
        locale: null,
        disabled: false,
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new ApiError('email_taken', 'An account with this email already exists.');
      throw error;
    }
  }

  /** `address` is the client's, for the per-address limit on failures. */
  async login(email: string, password: string, address?: string): Promise<IssuedTokens> {
    const emailKey = emailKeyOf(email);
    const attempt = await this.throttle.begin(emailKey, address);
    let user: User | null;
    try {
      user = await this.users.findByEmailKey(emailKey);
      if (!(await this.hasher.verify(user?.passwordHash, password))) user = null;
    } catch (error) {
      // A store or hasher failure says nothing about the password: the attempt does not count.
      await attempt.refund();
      throw error;
    }
    if (!user) throw invalidCredentials();
    await attempt.refund();
    if (user.disabled) throw new ApiError('account_disabled', 'This account has been disabled.');
    return this.startSession(user);
  }

  /**
   * Rotates a refresh token. Presenting a spent one revokes its whole family (RFC 6819 §5.2.2.3).
   * A family ends at its absolute lifetime however often it rotates, so a stolen token that keeps
   * being refreshed stops working then.
   */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const parsed = this.parseRefreshToken(refreshToken);
    if (!parsed) throw invalidRefresh();
    const now = this.clock.now();
    const session = await this.sessions.findById(parsed.sessionId);
    if (!session || session.revokedAt || session.expiresAt <= now || this.familyEnd(session.createdAt) <= now) throw invalidRefresh();
    if (session.tokenHash !== parsed.hash) {
      if (session.spentHashes.includes(parsed.hash)) await this.revokeSessions([session.id], now);
      throw invalidRefresh();
    }
    const user = await this.users.findById(session.userId);
    if (!user) throw invalidRefresh();
    if (user.disabled) throw new ApiError('account_disabled', 'This account has been disabled.');
    const next = this.newRefreshToken(session.id);
    const rotated = await this.sessions.rotate(session.id, parsed.hash, next.hash, this.refreshExpiry(now, session.createdAt), now);
    if (!rotated) {
      // Another request spent this token a moment ago: a replay, handled like any reuse.
      await this.revokeSessions([session.id], now);
      throw invalidRefresh();
    }
    return this.tokensFor(user, session.id, next.token);
  }

  async logout(refreshToken: string): Promise<void> {
    const parsed = this.parseRefreshToken(refreshToken);
    const session = parsed && (await this.sessions.findById(parsed.sessionId));
    if (!parsed || !session || (session.tokenHash !== parsed.hash && !session.spentHashes.includes(parsed.hash))) throw invalidRefresh();
    await this.revokeSessions([session.id], this.clock.now());
  }

  /** Checks the password, stores the new hash and ends every other session of the user. */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw tokenRefused('revoked');
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      throw ApiError.validation([{ field: 'current_password', message: 'is not the current password' }], 'The current password is wrong.');
    }
    const now = this.clock.now();
    // Only over the hash just checked: of two changes sent at once with the same current password,
    // the second would otherwise answer 204 for a password that the first then replaced.
    const changed = await this.users.replacePasswordHash(user.id, user.passwordHash, await this.hasher.hash(newPassword), now);
    if (!changed) {
      throw ApiError.validation(
        [{ field: 'current_password', message: 'is no longer the current password' }],
        'The password was changed meanwhile.',
      );
    }
    await this.endSessionsOf(user.id, principal.sessionId);
  }

  /** Revokes all sessions of a user (but `keepSessionId`): their refresh and access tokens stop working. */
  async endSessionsOf(userId: string, keepSessionId?: string): Promise<void> {
    const now = this.clock.now();
    const revoked = await this.sessions.revokeAllForUser(userId, now, keepSessionId);
    await this.state.forgetSessions(revoked);
  }

  private async startSession(user: User): Promise<IssuedTokens> {
    const now = this.clock.now();
    const sessionId = newId();
    const refresh = this.newRefreshToken(sessionId);
    await this.sessions.create({
      id: sessionId,
      userId: user.id,
      tokenHash: refresh.hash,
      spentHashes: [],
      createdAt: now,
      expiresAt: this.refreshExpiry(now, now),
      revokedAt: null,
    });
    return this.tokensFor(user, sessionId, refresh.token);
  }

  private tokensFor(user: User, sessionId: string, refreshToken: string): IssuedTokens {
    // Algorithm, issuer and lifetime come from JwtModule's signOptions (auth.module.ts).
    const claims: AccessTokenClaims = { sub: user.id, role: user.role, sid: sessionId, iat: Math.floor(this.clock.now().getTime() / 1000) };
    return {
      user,
      accessToken: this.jwt.sign(claims),
      refreshToken,
      expiresIn: this.config.jwt.accessTtlSeconds,
    };
  }

  private async revokeSessions(ids: string[], now: Date): Promise<void> {
    await Promise.all(ids.map((id) => this.sessions.revoke(id, now)));
    await this.state.forgetSessions(ids);
  }

  /** Refresh tokens are `<session id>.<256 random bits>`; only a keyed digest of them is stored. */
  private newRefreshToken(sessionId: string): { token: string; hash: string } {
    const token = `${sessionId}.${randomBytes(32).toString('base64url')}`;
    return { token, hash: this.digest(token) };
  }

  private parseRefreshToken(token: string): { sessionId: string; hash: string } | null {
    const [sessionId, secret, extra] = token.split('.');
    if (!isId(sessionId) || !secret || extra !== undefined || secret.length !== 43) return null;
    return { sessionId, hash: this.digest(token) };
  }

  private digest(token: string): string {
    return createHmac('sha256', this.config.jwt.refreshKey).update(token).digest('base64url');
  }

  /** A refresh token's expiry: its own lifetime from now, but never past its family's end. */
  private refreshExpiry(now: Date, familyStart: Date): Date {
    return new Date(Math.min(now.getTime() + this.config.jwt.refreshTtlSeconds * 1000, this.familyEnd(familyStart).getTime()));
  }

  private familyEnd(familyStart: Date): Date {
    return new Date(familyStart.getTime() + this.config.jwt.refreshAbsoluteTtlSeconds * 1000);
  }
}
