import { applyDecorators, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal';
import { ApiError } from '../../common/errors/api-error';

/** The per-user limits, each a named throttler of ThrottlingModule; one window of a minute each. */
export const PER_USER_LIMITS = ['chat', 'evaluation'] as const;
export type PerUserLimit = (typeof PER_USER_LIMITS)[number];

const WHAT: Record<PerUserLimit, string> = { chat: 'Chat messages', evaluation: 'Grading and question generation requests' };

/**
 * The throttler's guard, counting per signed-in user (it runs after the global auth guard) rather
 * than per address, and one count per limit across every route that shares it.
 */
@Injectable()
export class PerUserThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    // `principal` is set by the global auth guard (passport's convention is `user`).
    const principal = (request as unknown as FastifyRequest).principal ?? (request.user as Principal | undefined);
    // A per-user limit on a route nobody signed in to would count nothing useful: a wiring error.
    if (!principal) throw new Error('PerUserLimited is used on a route without an authenticated principal');
    return Promise.resolve(`user:${principal.userId}`);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const name = detail.key.slice(0, detail.key.indexOf(':')) as PerUserLimit;
    throw ApiError.rateLimited(
      detail.timeToBlockExpire || detail.timeToExpire,
      `${WHAT[name] ?? 'Requests'} are limited to ${detail.limit} a minute; try again shortly.`,
    );
  }
}

/** Counts the route against one per-user limit (and none of the others). */
export function PerUserLimited(limit: PerUserLimit): MethodDecorator & ClassDecorator {
  const others = Object.fromEntries(PER_USER_LIMITS.filter((name) => name !== limit).map((name) => [name, true]));
  return applyDecorators(UseGuards(PerUserThrottlerGuard), SkipThrottle(others));
}
