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
  @ApiOperation({
    summary: 'Rebuild the whole index in the background (or get the rebuild already under way)',
    description:
      'Admins. Starts a background job that rebuilds the index from every stored chunk and answers 202 with it; while one is queued or running, answers that job instead of starting another. Search keeps answering from the current index, which the new one replaces in one step. Recorded in the audit log.',
  })
  @ApiEnvelope(JobDto, { status: 202 })
  @ApiErrors('service_unavailable')
  async startRebuild(@CurrentPrincipal() actor: Principal): Promise<JobDto> {
    return toJobDto(await this.rebuilds.start(actor));
  }

  @Get('rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Same as POST (kept for clients of the earlier API)',
    description: 'Deprecated: use `POST /api/admin/index/rebuild`, which this alias behaves exactly like.',
    deprecated: true,
  })
  @ApiEnvelope(JobDto, { status: 202 })
  @ApiErrors('service_unavailable')
  async startRebuildDeprecated(@CurrentPrincipal() actor: Principal): Promise<JobDto> {
    return toJobDto(await this.rebuilds.start(actor));
  }

  @Get('jobs/:id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'A rebuild job and its progress',
    description:
      "Admins. The job's status (`queued`, `running`, `succeeded` or `failed`), its progress as `processed` of `total` chunks, and its error when it failed.",
  })
  @ApiEnvelope(JobDto)
  @ApiErrors('validation_failed', 'not_found')
  async getJob(@IdParam() id: string): Promise<JobDto> {
    const job = await this.rebuilds.get(id);
    if (!job) throw ApiError.notFound('job');
    return toJobDto(job);
  }

  @Get('status')
  @ApiOperation({
    summary: 'What the index holds and how it was built',
    description:
      'Admins. Resources and chunks in the live index of the instance that answers, the embedding model and dimensions that built it, the vector store, when it was last rebuilt, and the generation it serves.',
  })
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
      generation: stats.generation,
      rebuild_required: this.index.needsRebuild,
    };
  }
}
