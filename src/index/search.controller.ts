import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { SearchQueryDto, SearchResultsDto, toSearchResultsDto } from './index.dto';
import { SearchService } from './search.service';

@ApiTags('search')
@Authenticated()
@Controller('api/search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @ApiOperation({
    summary: 'Search the course documents (keyword and meaning, fused), best first',
    description:
      'Hybrid retrieval: BM25 keyword ranking and vector similarity fused into one ranking, over every module the caller can see (open modules and those of their courses; admins: all) or one (`module_id`; an unknown one, or one the caller cannot see, is 404). Each passage names its resource, module and place (page or heading). `k` is 1 to 20 (default 5).',
  })
  @ApiEnvelope(SearchResultsDto)
  @ApiErrors('validation_failed', 'not_found')
  async searchPassages(@CurrentPrincipal() reader: Principal, @Query() query: SearchQueryDto): Promise<SearchResultsDto> {
    return toSearchResultsDto(await this.search.searchWithRelevance(reader, query.q, { moduleId: query.module_id, k: query.k }));
  }
}
