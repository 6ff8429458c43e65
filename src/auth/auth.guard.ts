import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/errors/api-error';
import { Role } from '../users/user';
import { AuthService } from './auth.service';
import { PUBLIC_KEY, ROLES_KEY } from './authenticated.decorator';
import { Principal } from './principal';

interface RoutePolicy {
  isPublic: boolean;
  roles: Role[];
}

/** The one global guard: every route needs a valid access token unless it is marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Decorators never change at run time, so each route's policy is read from metadata once (by class, then handler). */
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    const request = context.getArgByIndex<FastifyRequest>(0);
    const principal = this.auth.authenticate(request.headers.authorization);
    // Most requests are authenticated without waiting; only a state read from a store returns a promise.
    return principal instanceof Promise ? principal.then((p) => admit(request, p, policy)) : admit(request, principal, policy);
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

function admit(request: FastifyRequest, principal: Principal, policy: RoutePolicy): boolean {
  principal.requestId = String(request.id);
  request.principal = principal;
  if (policy.roles.length > 0 && !policy.roles.includes(principal.role)) throw ApiError.forbidden();
  return true;
}
