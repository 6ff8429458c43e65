import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/errors/api-error';
import { Role } from '../users/user';
import { PUBLIC_KEY, ROLES_KEY } from './authenticated.decorator';
import { BearerFailure, tokenRefused } from './bearer-challenge';
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

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.policyOf(context).isPublic) return true;
    return super.canActivate(context) as Promise<boolean>;
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
      // passport-jwt hands on jsonwebtoken's error; only a token whose signature checked out can be "expired".
      if (info instanceof Error && info.name === 'TokenExpiredError') throw tokenRefused('expired');
      throw tokenRefused('invalid');
    }
    const caller = principal as unknown as Principal;
    caller.requestId = String(context.getArgByIndex<FastifyRequest>(0).id);
    const { roles } = this.policyOf(context);
    if (roles.length > 0 && !roles.includes(caller.role)) throw ApiError.forbidden();
    return principal;
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
