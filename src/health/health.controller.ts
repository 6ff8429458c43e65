import { Controller, Get, Optional } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ApiExtraModels, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService, MongooseHealthIndicator } from '@nestjs/terminus';
import type { Connection } from 'mongoose';
import { Public } from '../auth/authenticated.decorator';
import { ApiError } from '../common/errors/api-error';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { RedisConnection } from '../infrastructure/cache/redis-connection';
import { DocumentStore } from '../infrastructure/persistence/document-store';

class ComponentStateDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ required: false }) kind?: string;
  @ApiProperty({ required: false }) message?: string;
}

class ReadinessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ComponentStateDto' },
    example: { database: { status: 'up', kind: 'embedded' }, redis: { status: 'up' } },
  })
  components!: Record<string, ComponentStateDto>;
}

class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS).unref()),
  ]);
}

@ApiTags('health')
@ApiExtraModels(ComponentStateDto)
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: DocumentStore,
    private readonly redis: RedisConnection,
    private readonly mongoose: MongooseHealthIndicator,
    /** Present only in MongoDB mode (MongooseModule provides it). */
    @Optional() @InjectConnection() private readonly connection?: Connection,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'The process is running',
    description:
      '200 while the process runs; it checks nothing else, so that an orchestrator restarts only a process that stopped answering.',
  })
  @ApiEnvelope(LivenessDto, { description: 'Always, while the process runs' })
  // API.md's input rules hold on every route: operator and prototype keys in a query are refused.
  @ApiErrors('validation_failed')
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'The database (and Redis, where configured) answer',
    description:
      "200 when the database, and Redis where configured, answer within 2 seconds; else 503 `service_unavailable` with each component's state in `details`. Send traffic only to instances that are ready.",
  })
  @ApiEnvelope(ReadinessDto, { description: 'Every component is up' })
  @ApiErrors('validation_failed', 'service_unavailable')
  async ready(): Promise<ReadinessDto> {
    const checks = [() => this.database()];
    if (this.redis.configured) checks.push(() => this.probe('redis', () => this.redis.ping()));
    try {
      const result = await this.health.check(checks);
      return { status: 'ok', components: result.details as Record<string, ComponentStateDto> };
    } catch (error) {
      const details = (error as { response?: { details?: unknown } }).response?.details;
      throw new ApiError('service_unavailable', 'A required backing service is not answering.', details);
    }
  }

  /** MongoDB through terminus's Mongoose indicator, the embedded store by a ping; both answer `database` with its kind. */
  private async database(): Promise<HealthIndicatorResult> {
    if (!this.connection) return this.probe('database', () => this.store.ping(), { kind: this.store.kind });
    const result = await this.mongoose.pingCheck('database', { connection: this.connection, timeout: PROBE_TIMEOUT_MS });
    return { database: { ...result.database, kind: 'mongodb' } };
  }

  private async probe(name: string, ping: () => Promise<void>, extra: Record<string, string> = {}): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(name);
    try {
      await withTimeout(ping());
      return indicator.up(extra);
    } catch (error) {
      return indicator.down({ ...extra, message: error instanceof Error ? error.message : 'not answering' });
    }
  }
}
