import { applyDecorators, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
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
    const req = request as unknown as FastifyRequest;
    return Promise.resolve(req.principal ? `user:${req.principal.userId}` : `address:${req.ip}`);
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
