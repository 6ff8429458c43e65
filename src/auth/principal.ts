import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Role } from '../users/user';
import type { UserDto } from '../users/users.dto';

/** Who is calling: set by the auth guard from the token and the account's current state. */
export interface Principal {
  userId: string;
  role: Role;
  sessionId: string;
  /** The request being served (X-Request-Id), for audit entries and logs. */
  requestId?: string;
  /** The account as it was read for this request (current: every account change forgets it). */
  profile: UserDto;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.getArgByIndex<FastifyRequest>(0).principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
