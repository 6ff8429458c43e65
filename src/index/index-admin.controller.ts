import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { ResourcesRepository } from '../content/resources.repository';
import { IndexStatusDto, JobDto, toJobDto } from './index.dto';
import { IndexRebuildService } from './index-rebuild.service';
import { IndexService } from './index.service';

@ApiTags('index')
@Authenticated('admin')
@Controller('api/admin/index')
export class IndexAdminController {
  constructor(
    private readonly rebuilds: IndexRebuildService,
    private readonly index: IndexService,
    private readonly resources: ResourcesRepository,
  ) {}

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Rebuild the whole index in the background (or get the rebuild already under way)' })
  @ApiEnvelope(JobDto, { status: 202 })
  @ApiErrors('service_unavailable')
  async startRebuild(@CurrentPrincipal() actor: Principal): Promise<JobDto> {
    return toJobDto(await this.rebuilds.start(actor));
  }

  @Get('rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Same as POST (kept for clients of the earlier API)', deprecated: true })
  @ApiEnvelope(JobDto, { status: 202 })
  @ApiErrors('service_unavailable')
  async startRebuildDeprecated(@CurrentPrincipal() actor: Principal): Promise<JobDto> {
    return toJobDto(await this.rebuilds.start(actor));
  }

  @Get('jobs/:id')
  @ApiIdParam()
  @ApiOperation({ summary: 'A rebuild job and its progress' })
  @ApiEnvelope(JobDto)
  @ApiErrors('validation_failed', 'not_found')
  async getJob(@IdParam() id: string): Promise<JobDto> {
    const job = await this.rebuilds.get(id);
    if (!job) throw ApiError.notFound('job');
    return toJobDto(job);
  }

  @Get('status')
  @ApiOperation({ summary: 'What the index holds and how it was built' })
  @ApiEnvelope(IndexStatusDto)
  async getStatus(): Promise<IndexStatusDto> {
    const stats = this.index.stats();
    const lastRebuild = await this.rebuilds.lastRebuildAt();
    return {
      resources: await this.resources.count(),
      chunks: stats.chunks,
      embedding_model: stats.embeddingModel,
      dimensions: stats.dimensions,
      vector_store: stats.vectorStore,
      last_rebuild_at: lastRebuild?.toISOString() ?? null,
      rebuild_required: this.index.needsRebuild,
    };
  }
}
