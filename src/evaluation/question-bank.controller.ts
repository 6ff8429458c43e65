import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { QuestionPageDto, toQuestionDto } from './evaluation.dto';
import { QuestionBankService } from './question-bank.service';

@ApiTags('evaluation')
@Authenticated()
@Controller('api/modules')
export class QuestionBankController {
  constructor(
    private readonly bank: QuestionBankService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Get(':id/questions')
  @ApiIdParam()
  @ApiOperation({
    summary: "A module's question bank",
    description:
      'The questions its managers wrote (`origin: "authored"`) or generated into it (`"generated"`), oldest first, a page at a time. Anyone who can see the module reads it (404 otherwise); students get each question without its key (`answer`, `explanation`, `reference_answer`, `rubric`) and answer it with `POST /api/evaluation/grade` and its `question_id`.',
  })
  @ApiEnvelope(QuestionPageDto)
  @ApiErrors('validation_failed', 'not_found')
  async list(@CurrentPrincipal() principal: Principal, @IdParam() id: string, @Query() query: ListQueryDto): Promise<QuestionPageDto> {
    const cursors = this.cursors.of(`questions:${id}`);
    const rows = await this.bank.list(principal, id, cursors.decode(query.cursor), query.limit);
    const withKey = principal.role !== 'student';
    return cursors.page(
      rows,
      query.limit,
      (q) => q.id,
      (q) => toQuestionDto(q, withKey),
    );
  }
}
