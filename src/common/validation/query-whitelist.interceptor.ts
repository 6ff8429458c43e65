import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { ApiError } from '../errors/api-error';

/**
 * Unknown query parameters are 400 on every `/api` route (API.md: "unknown fields included"). A
 * route with a query DTO has the validation pipe refuse them; a route without one never looked at
 * its query, so `GET /api/users/me?role=admin` was answered as if the parameter meant something.
 * An interceptor, so that it runs where the pipe would: after authentication and role checks.
 */
@Injectable()
export class QueryWhitelistInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http' && !readsQuery(context)) {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      const keys = request.url.startsWith('/api/') ? Object.keys((request.query as Record<string, unknown> | undefined) ?? {}) : [];
      if (keys.length > 0) throw ApiError.validation(keys.map((key) => ({ field: key, message: `property ${key} should not exist` })));
    }
    return next.handle();
  }
}

/** Whether the handler takes a `@Query()` parameter, whose DTO then judges the query. */
function readsQuery(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.QUERY));
}
