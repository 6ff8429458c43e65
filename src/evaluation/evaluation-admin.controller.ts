import { Body, Controller, Get, Inject, Patch, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { AuditService } from '../audit/audit.service';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiJsonBody } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { IsIsoDateTime } from '../common/validation/query-values';
import { ApiIdParam, IdParam } from '../common/validation/validation';
import { ModuleAccessService } from '../courses/module-access.service';
import { AdminGradeDto, AdminGradePageDto, ReviewGradeDto, toAdminGradeDto } from './evaluation.dto';
import { GradesRepository } from './grades.repository';
import { GradingService } from './grading.service';

const ID = /^[0-9a-f]{24}$/;

export class AdminGradesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: ID.source })
  @IsOptional()
  @IsString()
  @Matches(ID, { message: 'user_id must be a 24-character hexadecimal id' })
  user_id?: string;
  @ApiPropertyOptional({ pattern: ID.source })
  @IsOptional()
  @IsString()
  @Matches(ID, { message: 'module_id must be a 24-character hexadecimal id' })
  module_id?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Graded at or after.' }) @IsOptional() @IsIsoDateTime() from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Graded at or before.' }) @IsOptional() @IsIsoDateTime() to?: string;
}

@ApiTags('admin')
@Authenticated('instructor', 'admin')
@Controller('api/admin/evaluations')
export class EvaluationAdminController {
  constructor(
    private readonly grades: GradesRepository,
    private readonly grading: GradingService,
    private readonly access: ModuleAccessService,
    private readonly audit: AuditService,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Evaluation logs: the grades you oversee, filtered by learner, module and time',
    description:
      "Admins: every learner's grades. Instructors: the grades of their courses' students and the grades on the modules they manage, nothing else. " +
      'Filtered by `user_id`, `module_id` and a time range (`from`, `to`), newest first, a page at a time.',
  })
  @ApiEnvelope(AdminGradePageDto)
  @ApiErrors('validation_failed')
  async listEvaluations(@CurrentPrincipal() reader: Principal, @Query() query: AdminGradesQueryDto): Promise<AdminGradePageDto> {
    const cursors = this.cursors.of('admin.grades');
    const rows = await this.grades.list({
      userId: query.user_id,
      moduleId: query.module_id,
      within: await this.access.gradeScopeOf(reader),
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      beforeId: cursors.decode(query.cursor),
      limit: query.limit,
    });
    return cursors.page(rows, query.limit, (g) => g.id, toAdminGradeDto);
  }

  @Patch(':id')
  @ApiIdParam()
  @ApiOperation({
    summary: "Override a grade's score or feedback; the original is kept and progress follows",
    description:
      "Admins, and instructors for the grades their evaluation log shows them (any other grade is 404). Sets a new `score` (0 to the grade's `max_score`) and/or `feedback`; the model's score and feedback are kept in `original`, beside `reviewed_by` and `reviewed_at`. Progress and mastery follow the new score. Recorded in the audit log.",
  })
  @ApiJsonBody(ReviewGradeDto, {
    review: {
      summary: 'A corrected score with feedback',
      value: { score: 8, feedback: 'Right values; say also that the stop value 5 is left out.' },
    },
  })
  @ApiEnvelope(AdminGradeDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'conflict')
  async reviewEvaluation(
    @CurrentPrincipal() reviewer: Principal,
    @IdParam() id: string,
    @Body() body: ReviewGradeDto,
  ): Promise<AdminGradeDto> {
    const grade = await this.grading.review(reviewer, id, { score: body.score, feedback: body.feedback });
    await this.audit.record(
      reviewer,
      'grade.review',
      { type: 'grade', id },
      { score: body.score, feedback_changed: body.feedback !== undefined },
    );
    return toAdminGradeDto(grade);
  }
}
