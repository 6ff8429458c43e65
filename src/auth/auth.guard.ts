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
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    return (super.canActivate(context) as Promise<boolean>).then(() => {
      const request = context.getArgByIndex<FastifyRequest>(0);
      const principal = request.principal!;
      principal.requestId = String(request.id);
      if (policy.roles.length > 0 && !policy.roles.includes(principal.role)) throw ApiError.forbidden();
      return true;
    });
  }

  /** Turns passport's outcome into the API's errors: a refusal names why, so a client can tell "refresh" from "sign in". */
  override handleRequest<TUser = Principal>(error: Error | null | undefined, principal: TUser | false | null, info: unknown): TUser {
    if (error) throw error;
    if (principal) return principal;
    if (info instanceof BearerFailure) throw tokenRefused(info.problem);
    // passport-jwt hands on jsonwebtoken's error; only a token whose signature checked out can be "expired".
    if (info instanceof Error && info.name === 'TokenExpiredError') throw tokenRefused('expired');
    throw tokenRefused('invalid');
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
