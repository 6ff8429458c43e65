import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, DECORATORS } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-responses';
import { Role } from '../users/user';

export const ROLES_KEY = 'auth:roles';
export const PUBLIC_KEY = 'auth:public';
export const BEARER_SCHEME = 'bearer';

/**
 * Guards a route (the global AuthGuard reads this) and declares its security and auth errors in
 * OpenAPI, so the two can never disagree. Without roles, any signed-in user may call it.
 */
export function Authenticated(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(BEARER_SCHEME),
    ApiErrors('unauthorized', 'account_disabled', ...(roles.length > 0 ? (['forbidden'] as const) : [])),
  );
}

/** A route anyone may call (auth, health, docs); OpenAPI says so with an empty `security`. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_KEY, true), NoSecurity());
}

/**
 * `security: []` in OpenAPI. @nestjs/swagger drops an empty method-level security list, so on a
 * method it goes into the operation's own metadata (merged with its @ApiOperation in any order).
 */
function NoSecurity(): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      const operation = (Reflect.getMetadata(DECORATORS.API_OPERATION, descriptor.value as object) as object | undefined) ?? {};
      Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, security: [] }, descriptor.value as object);
    } else {
      Reflect.defineMetadata(DECORATORS.API_SECURITY, [], target);
    }
  };
}
