import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiEnvelope, ApiErrors, ApiJsonBody } from '../common/openapi/api-responses';
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
  ReviewQueryDto,
  ReviewQueueDto,
  toGradeDto,
  toProgressDto,
  toQuestionDto,
  toReviewQueueDto,
} from './evaluation.dto';
import { GradesRepository } from './grades.repository';
import { GradingService } from './grading.service';
import { ProgressService } from './progress.service';
import { QuestionGenerationService } from './question-generation.service';
import { ReviewService } from './review.service';

const GRADE_EXAMPLES = {
  reference: {
    summary: 'An answer graded against a reference answer',
    value: {
      question: 'What does range(5) produce?',
      student_answer: 'The numbers 0, 1, 2, 3 and 4: it starts at 0 and stops before 5.',
      reference_answer: 'range(5) produces the five integers 0, 1, 2, 3 and 4; the stop value 5 is not included.',
    },
  },
  rubric: {
    summary: 'An answer graded against a rubric',
    value: {
      question: 'What is the difference between a parameter and an argument?',
      student_answer: 'A parameter is the name in the definition of the function; an argument is the value passed when it is called.',
      rubric: [
        { criterion: 'Defines a parameter', max_points: 5, description: 'The variable named in the definition' },
        { criterion: 'Defines an argument', max_points: 5, description: 'The value passed in a call' },
      ],
    },
  },
};

@ApiTags('evaluation')
@Authenticated()
@Controller('api/evaluation')
export class EvaluationController {
  constructor(
    private readonly grading: GradingService,
    private readonly generator: QuestionGenerationService,
    private readonly progress: ProgressService,
    private readonly review: ReviewService,
    private readonly grades: GradesRepository,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  @Post('grade')
  @HttpCode(200)
  @PerUserLimited('evaluation')
  @ApiOperation({
    summary: "Grade an answer against a reference, a rubric, or a stored question's key",
    description:
      "Scores `student_answer` out of `max_score` (default 10, or the rubric's total) against `reference_answer` and/or a `rubric`, with feedback, strengths and improvements; with a rubric, the per-criterion scores add up to the total. With `question_id`, a stored question is graded against its key, which never leaves the server (multiple choice and true/false exactly): a bank question of a module you can see (then `reference_answer` and `rubric` are 400), or one of your own practice questions (anyone else's is 404). Only a student's answer to a bank question counts toward progress and reschedules its spaced review (`counts_toward_progress: true`); every other grade is practice, stored and listed the same way. Grading and question generation share a per-user limit, `EVALUATION_REQUESTS_PER_MINUTE` (30 by default); above it, 429 with `Retry-After`.",
  })
  @ApiJsonBody(GradeRequestDto, GRADE_EXAMPLES)
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
  @ApiOperation({
    summary: "Write practice questions from a module or a topic, or questions for a module's bank",
    description:
      'Multiple-choice, short-answer and true/false questions from a module (`module_id`) or a topic searched across the material you can see (`topic`), each citing the passage it comes from. `count` is 1 to 20 (default 5); fewer come back, with `warnings`, when the material is too thin. Without `bank` they are your own practice questions (`origin: "practice"`), which only you can answer by `question_id`. With `bank: true` and `module_id`, a manager of that module puts them in its bank (`origin: "generated"`, audit-logged; others 403). Grading and question generation share a per-user limit, `EVALUATION_REQUESTS_PER_MINUTE` (30 by default); above it, 429 with `Retry-After`.',
  })
  @ApiJsonBody(GenerateQuestionsDto, {
    topic: {
      summary: 'Three easy questions on a topic of the demo course',
      value: { topic: 'for loops', count: 3, difficulty: 'easy', language: 'en' },
    },
  })
  @ApiEnvelope(GeneratedQuestionsDto)
  @ApiErrors('validation_failed', 'invalid_json', 'forbidden', 'not_found', 'rate_limited', 'content_filtered', 'llm_unavailable')
  async generateQuestions(@CurrentPrincipal() principal: Principal, @Body() body: GenerateQuestionsDto): Promise<GeneratedQuestionsDto> {
    const { questions, warnings } = await this.generator.generate(principal, {
      moduleId: body.module_id,
      topic: body.topic,
      count: body.count,
      types: body.types,
      difficulty: body.difficulty,
      language: body.language,
      bank: body.bank,
    });
    return { questions: questions.map((q) => toQuestionDto(q)), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  @Get('grades')
  @ApiOperation({
    summary: 'My grades, newest first',
    description: "A page of the caller's grades, counted and practice alike, newest first, optionally of one module (`module_id`).",
  })
  @ApiEnvelope(GradePageDto)
  @ApiErrors('validation_failed')
  async listGrades(@CurrentPrincipal() principal: Principal, @Query() query: GradesQueryDto): Promise<GradePageDto> {
    const cursors = this.cursors.of('grades');
    const rows = await this.grades.list({
      userId: principal.userId,
      moduleId: query.module_id,
      beforeId: cursors.decode(query.cursor),
      limit: query.limit,
    });
    return cursors.page(rows, query.limit, (g) => g.id, toGradeDto);
  }

  @Get('progress')
  @ApiOperation({
    summary: 'My progress: attempts, averages and mastery per module',
    description:
      'Per module and overall: attempts, the average percentage, and a mastery in 0 to 1 that weighs recent grades more (a half-life of about three weeks). Only grades with `counts_toward_progress` (answers to bank questions) count; practice does not.',
  })
  @ApiEnvelope(ProgressDto)
  async getProgress(@CurrentPrincipal() principal: Principal): Promise<ProgressDto> {
    return toProgressDto(await this.progress.forUser(principal.userId));
  }

  @Get('review')
  @ApiOperation({
    summary: 'My spaced-review queue',
    description:
      'Each bank question you have answered is scheduled by FSRS from the percentage of your latest answer (90 or more rates Easy, 70 Good, 40 Hard, below Again). Due questions come first, the longest overdue first, then up to `limit` (default 10) bank questions you have not tried yet (due questions are also at most `limit`), from the modules you can see, optionally one module (`module_id`) or one course (`course_id`); neither carries its key. Answer with `POST /api/evaluation/grade` and the `question_id` to reschedule. `next_due_at` says when the next review that is not due yet falls due.',
  })
  @ApiEnvelope(ReviewQueueDto)
  @ApiErrors('validation_failed', 'not_found')
  async getReviewQueue(@CurrentPrincipal() principal: Principal, @Query() query: ReviewQueryDto): Promise<ReviewQueueDto> {
    return toReviewQueueDto(
      await this.review.queue(principal, { moduleId: query.module_id, courseId: query.course_id, limit: query.limit }),
    );
  }
}
