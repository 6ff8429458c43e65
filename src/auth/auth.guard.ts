import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/errors/api-error';
import { Role } from '../users/user';
import { AuthService } from './auth.service';
import { PUBLIC_KEY, ROLES_KEY } from './authenticated.decorator';

/** The one global guard: every route needs a valid access token unless it is marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.auth.authenticate(request.headers.authorization);
    principal.requestId = String(request.id);
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && roles.length > 0 && !roles.includes(principal.role)) throw ApiError.forbidden();
    return true;
  }
}
