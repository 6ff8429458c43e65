import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../common/openapi/api-responses';
import { Role } from '../users/user';

export const ROLES_KEY = 'auth:roles';
export const PUBLIC_KEY = 'auth:public';
export const BEARER_SCHEME = 'bearer';
export const OAUTH2_SCHEME = 'oauth2-password';

/**
 * Guards a route (the global AuthGuard reads this) and declares its security and auth errors in
 * OpenAPI, so the two can never disagree. Without roles, any signed-in user may call it.
 */
export function Authenticated(...roles: Role[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(OAUTH2_SCHEME),
    ApiErrors('unauthorized', 'account_disabled', ...(roles.length > 0 ? (['forbidden'] as const) : [])),
  );
}

/** A route anyone may call (auth, health, docs). */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}
