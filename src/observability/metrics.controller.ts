import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/authenticated.decorator';
import { ApiError } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint: off (404), open, or behind `Authorization: Bearer <METRICS_TOKEN>`.
 * Outside the /api contract and the OpenAPI document, like /docs.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const { mode, token } = this.config.metrics;
    if (mode === 'off') throw new NotFoundException();
    if (mode === 'token' && !matches(authorization, `Bearer ${token}`)) {
      // RFC 6750 §3, as on every bearer-protected path (API.md, Auth).
      const presented = authorization?.toLowerCase().startsWith('bearer ') ?? false;
      const challenge = `Bearer realm="metrics"${presented ? ', error="invalid_token"' : ''}`;
      throw new ApiError('unauthorized', 'A valid metrics token is required.', undefined, { 'WWW-Authenticate': challenge });
    }
    await reply.header('Content-Type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

function matches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
