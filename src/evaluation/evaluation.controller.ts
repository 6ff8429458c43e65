import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors } from '../common/openapi/api-responses';
import { CursorCodec } from '../common/pagination/cursor';
import { PerUserLimited } from '../infrastructure/throttling/per-user-limits';
import {
  GeneratedQuestionsDto,
  GenerateQuestionsDto,
  GradeDto,
  GradePageDto,
  GradeRequestDto,
  GradesQueryDto,
  ProgressDto,
  toGradeDto,
  toProgressDto,
  toQuestionDto,
} from './evaluation.dto';
import { GradesRepository } from './grades.repository';
import { GradingService } from './grading.service';
import { ProgressService } from './progress.service';
import { QuestionGenerationService } from './question-generation.service';

@ApiTags('evaluation')
@Authenticated()
@Controller('api/evaluation')
export class EvaluationController {
  constructor(
    private readonly grading: GradingService,
    private readonly generator: QuestionGenerationService,
    private readonly progress: ProgressService,
    private readonly grades: GradesRepository,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Post('grade')
  @HttpCode(200)
  @PerUserLimited('evaluation')
  @ApiOperation({ summary: "Grade an answer against a reference, a rubric, or a generated question's key" })
  @ApiEnvelope(GradeDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'rate_limited', 'content_filtered', 'llm_unavailable')
  async gradeAnswer(@CurrentPrincipal() principal: Principal, @Body() body: GradeRequestDto): Promise<GradeDto> {
    const grade = await this.grading.grade(principal, {
      question: body.question,
      studentAnswer: body.student_answer,
      referenceAnswer: body.reference_answer,
      rubric: body.rubric?.map((r) => ({
        criterion: r.criterion,
        maxPoints: r.max_points,
        ...(r.description ? { description: r.description } : {}),
      })),
      maxScore: body.max_score,
      moduleId: body.module_id,
      questionId: body.question_id,
    });
    return toGradeDto(grade);
  }

  @Post('generate-questions')
  @HttpCode(200)
  @PerUserLimited('evaluation')
  @ApiOperation({ summary: 'Write practice questions from a module or a topic; each is kept for grading by id' })
  @ApiEnvelope(GeneratedQuestionsDto)
  @ApiErrors('validation_failed', 'invalid_json', 'not_found', 'rate_limited', 'content_filtered', 'llm_unavailable')
  async generateQuestions(@CurrentPrincipal() principal: Principal, @Body() body: GenerateQuestionsDto): Promise<GeneratedQuestionsDto> {
    const { questions, warnings } = await this.generator.generate(principal, {
      moduleId: body.module_id,
      topic: body.topic,
      count: body.count,
      types: body.types,
      difficulty: body.difficulty,
      language: body.language,
    });
    return { questions: questions.map(toQuestionDto), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  @Get('grades')
  @ApiOperation({ summary: 'My grades, newest first' })
  @ApiEnvelope(GradePageDto)
  @ApiErrors('validation_failed')
  async listGrades(@CurrentPrincipal() principal: Principal, @Query() query: GradesQueryDto): Promise<GradePageDto> {
    const rows = await this.grades.list({
      userId: principal.userId,
      moduleId: query.module_id,
      beforeId: this.cursors.decode(query.cursor),
      limit: query.limit,
    });
    return this.cursors.page(rows, query.limit, (g) => g.id, toGradeDto);
  }

  @Get('progress')
  @ApiOperation({ summary: 'My progress: attempts, averages and mastery per module' })
  @ApiEnvelope(ProgressDto)
  async getProgress(@CurrentPrincipal() principal: Principal): Promise<ProgressDto> {
    return toProgressDto(await this.progress.forUser(principal.userId));
  }
}
