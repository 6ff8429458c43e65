import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { ListModulesQueryDto, ModuleDto, ModulePageDto, ResourcePageDto, toModuleDto, toResourceDto } from './content.dto';
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
    summary: 'List the modules you can see',
    description:
      'A page (`limit`, `cursor`) of the modules the caller can see: the open modules and those of their courses (admins: every module), ' +
      "each with its number of resources. `course_id` narrows it to one course, which must be one of the caller's (else 404).",
  })
  @ApiEnvelope(ModulePageDto)
  @ApiErrors('validation_failed', 'not_found')
  async listModules(@CurrentPrincipal() reader: Principal, @Query() query: ListModulesQueryDto): Promise<ModulePageDto> {
    const cursors = this.cursors.of('modules');
    const rows = await this.content.listModules(reader, query.course_id, cursors.decode(query.cursor), query.limit);
    return cursors.page(rows, query.limit, (m) => m.id, toModuleDto);
  }

  @Get(':id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'One course module',
    description: 'One module by id; an unknown id, or a module of a course the caller is not in, is 404.',
  })
  @ApiEnvelope(ModuleDto)
  @ApiErrors('validation_failed', 'not_found')
  async getModule(@CurrentPrincipal() reader: Principal, @IdParam() id: string): Promise<ModuleDto> {
    return toModuleDto(await this.content.getModule(reader, id));
  }

  @Get(':id/resources')
  @ApiIdParam()
  @ApiOperation({
    summary: 'The resources of a module, with their indexing status',
    description:
      'The documents of a module with their status: `pending` while being indexed, `indexed` once searchable, `failed` with the reason in `error`. ' +
      'A module the caller cannot see is 404.',
  })
  @ApiEnvelope(ResourcePageDto)
  @ApiErrors('validation_failed', 'not_found')
  async listResources(
    @CurrentPrincipal() reader: Principal,
    @IdParam() id: string,
    @Query() query: ListQueryDto,
  ): Promise<ResourcePageDto> {
    const cursors = this.cursors.of(`resources:${id}`);
    const rows = await this.content.listResources(reader, id, cursors.decode(query.cursor), query.limit);
    return cursors.page(rows, query.limit, (r) => r.id, toResourceDto);
  }
}
