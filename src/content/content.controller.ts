import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { ModuleDto, ModulePageDto, ResourcePageDto, toModuleDto, toResourceDto } from './content.dto';
import { ContentService } from './content.service';

@ApiTags('content')
@Authenticated()
@Controller('api/modules')
export class ContentController {
  constructor(
    private readonly content: ContentService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List course modules',
    description: 'A page of the course modules (`limit`, `cursor`), each with its number of resources.',
  })
  @ApiEnvelope(ModulePageDto)
  @ApiErrors('validation_failed')
  async listModules(@Query() query: ListQueryDto): Promise<ModulePageDto> {
    const rows = await this.content.listModules(this.cursors.decode(query.cursor), query.limit);
    return this.cursors.page(rows, query.limit, (m) => m.id, toModuleDto);
  }

  @Get(':id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'One course module',
    description: 'One module by id; an unknown id is 404.',
  })
  @ApiEnvelope(ModuleDto)
  @ApiErrors('validation_failed', 'not_found')
  async getModule(@IdParam() id: string): Promise<ModuleDto> {
    return toModuleDto(await this.content.getModule(id));
  }

  @Get(':id/resources')
  @ApiIdParam()
  @ApiOperation({
    summary: 'The resources of a module, with their indexing status',
    description:
      'The documents of a module with their status: `pending` while being indexed, `indexed` once searchable, `failed` with the reason in `error`.',
  })
  @ApiEnvelope(ResourcePageDto)
  @ApiErrors('validation_failed', 'not_found')
  async listResources(@IdParam() id: string, @Query() query: ListQueryDto): Promise<ResourcePageDto> {
    const rows = await this.content.listResources(id, this.cursors.decode(query.cursor), query.limit);
    return this.cursors.page(rows, query.limit, (r) => r.id, toResourceDto);
  }
}
