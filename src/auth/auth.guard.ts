import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/errors/api-error';
import { Role } from '../users/user';
import { PUBLIC_KEY, ROLES_KEY } from './authenticated.decorator';
import { BearerFailure, tokenRefused } from './bearer-challenge';
import { JwtStrategy } from './jwt.strategy';
import { Principal } from './principal';

interface RoutePolicy {
  isPublic: boolean;
  roles: Role[];
}

/**
 * The one global guard: every route needs a valid access token (the `jwt` strategy) unless it is
 * marked @Public(), and the roles @Authenticated(...) names.
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard('jwt') {
  /** Decorators never change at run time, so each route's policy is read from metadata once (by class, then handler). */
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {
    super();
  }

  /**
   * What passport is given to authenticate: passport decorates the object it gets (logIn, logOut,
   * isAuthenticated, _sessionManager, authInfo, ...), which on Fastify's request would change that
   * object's shape on every request. A small object of one shape carries the headers instead; the
   * principal is set on the real request in handleRequest.
   */
  override getRequest(context: ExecutionContext): { headers: FastifyRequest['headers'] } {
    return { headers: context.getArgByIndex<FastifyRequest>(0).headers };
  }

  /**
   * A token the strategy verified earlier is answered by the strategy from memory, without
   * passport's per-request middleware (a promise, closures and a strategy copy each time: about a
   * quarter of a request's CPU in `npm run bench`); any other token goes through passport-jwt.
   */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.policyOf(context).isPublic) return true;
    const remembered = this.strategy.remembered(context.getArgByIndex<FastifyRequest>(0).headers.authorization);
    if (remembered === undefined) return super.canActivate(context) as Promise<boolean>;
    if (remembered instanceof Promise) return remembered.then((principal) => this.admit(principal, context));
    return this.admit(remembered, context);
  }

  /**
   * Passport's outcome, turned into the principal or the API's errors: a refusal names why, so a
   * client can tell "refresh" from "sign in". The role check is here too, so that the request
   * takes no extra promise after passport's.
   */
  override handleRequest<TUser = Principal>(
    error: Error | null | undefined,
    principal: TUser | false | null,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    if (!principal) {
      if (info instanceof BearerFailure) throw tokenRefused(info.problem);
      // Anything else passport-jwt refused (signature, algorithm, issuer); an expired token is the strategy's own refusal.
      throw tokenRefused('invalid');
    }
    this.admit(principal as unknown as Principal, context);
    return principal;
  }

  /** Lets the principal through when its role fits the route, setting it on the request. */
  private admit(principal: Principal, context: ExecutionContext): true {
    const request = context.getArgByIndex<FastifyRequest>(0);
    principal.requestId = String(request.id);
    const { roles } = this.policyOf(context);
    if (roles.length > 0 && !roles.includes(principal.role)) throw ApiError.forbidden();
    request.principal = principal;
    return true;
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.policies.get(controller);
    if (!byHandler) this.policies.set(controller, (byHandler = new WeakMap()));
    let policy = byHandler.get(handler);
    if (!policy) {
      const targets = [handler, controller];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ?? false,
        roles: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [],
      };
      byHandler.set(handler, policy);
    }
    return policy;
  }
}
