import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { QueryInteger } from '../common/validation/query-values';
import { trimText, trimTexts } from '../common/validation/text';
import { IsOmittable } from '../common/validation/validation';
import { PassageDto, toPassageDto } from '../index/index.dto';
import {
  DIFFICULTIES,
  Difficulty,
  QUESTION_ORIGINS,
  QUESTION_TYPES,
  QuestionOrigin,
  QuestionType,
} from '../infrastructure/persistence/schemas/question.schema';
import { Grade } from './grades.repository';
import { LearnerProgress } from './progress.service';
import { StoredQuestion } from './questions.repository';
import { ReviewItem, ReviewQueue } from './review.service';

const ID = /^[0-9a-f]{24}$/;
const idMessage = (field: string) => ({ message: `${field} must be a 24-character hexadecimal id` });

// ---- requests ----------------------------------------------------------------------------------

export class RubricCriterionDto {
  @ApiProperty({ maxLength: 200, example: 'Names the three states of water' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  criterion!: string;

  @ApiProperty({ minimum: 0, maximum: 1000, example: 3 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1000)
  max_points!: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

/** An optional rubric of 1 to 20 criteria, validated one by one: the same rule wherever a rubric is given. */
function OptionalRubric(description?: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [RubricCriterionDto], maxItems: 20, ...(description ? { description } : {}) }),
    IsOptional(),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => RubricCriterionDto),
  );
}

export class GradeRequestDto {
  @ApiPropertyOptional({ maxLength: 4000, description: 'Required unless `question_id` is given.', example: 'Why do we have seasons?' })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  question?: string;

  @ApiProperty({ maxLength: 20000, example: "Because the Earth's axis is tilted." })
  @IsString()
  @MaxLength(20000)
  student_answer!: string;

  @ApiPropertyOptional({ maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  reference_answer?: string;

  @OptionalRubric()
  rubric?: RubricCriterionDto[];

  @ApiPropertyOptional({
    minimum: 0.5,
    maximum: 1000,
    description: "Default 10, or the sum of the rubric's points (and then must equal it).",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.5)
  @Max(1000)
  max_score?: number;

  @ApiPropertyOptional({
    pattern: ID.source,
    description:
      "Ground the feedback in this module's passages (a module you cannot see is 404). With a bank question's `question_id`, it must be that question's module.",
  })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('module_id'))
  module_id?: string;

  @ApiPropertyOptional({
    pattern: ID.source,
    description:
      "Grade against a stored question's key, kept on the server (multiple choice and true/false are graded exactly): a bank question of a module you can see, or one of your own practice questions (anyone else's is 404). A student's answer to a bank question counts toward progress; with a bank question, `reference_answer` and `rubric` are refused (400).",
  })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('question_id'))
  question_id?: string;
}

export class GenerateQuestionsDto {
  @ApiPropertyOptional({ pattern: ID.source })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('module_id'))
  module_id?: string;

  @ApiPropertyOptional({ maxLength: 500, example: 'for loops' })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  topic?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 20, description: 'How many questions (default 5).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  count?: number;

  @ApiPropertyOptional({ enum: QUESTION_TYPES, isArray: true, description: 'Default: all three.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(QUESTION_TYPES, { each: true })
  types?: QuestionType[];

  @ApiPropertyOptional({ enum: DIFFICULTIES, description: 'Default `medium`.' })
  @IsOptional()
  @IsIn(DIFFICULTIES)
  difficulty?: Difficulty;

  @ApiPropertyOptional({ enum: ['fr', 'en'], description: 'Default: my locale, else the language of the topic or material.' })
  @IsOptional()
  @IsIn(['fr', 'en'])
  language?: 'fr' | 'en';

  @ApiPropertyOptional({
    description:
      'Default false. Put the questions in the bank of `module_id` (required then), for the module\'s managers only (others 403): they come back with `origin: "generated"`, and students\' answers to them count. Without it, the questions are the caller\'s own practice (`origin: "practice"`).',
  })
  @IsOptional()
  @IsBoolean()
  bank?: boolean;
}

export class BankQuestionRequestDto {
  @ApiProperty({ enum: QUESTION_TYPES, example: 'mcq' })
  @IsIn(QUESTION_TYPES)
  type!: QuestionType;

  @ApiProperty({ maxLength: 4000, example: 'What does range(3) produce?' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  question!: string;

  @ApiPropertyOptional({
    type: [String],
    minItems: 4,
    maxItems: 4,
    description: 'mcq only: exactly 4 distinct choices.',
    example: ['0, 1, 2', '1, 2, 3', '0, 1, 2, 3', '3'],
  })
  @IsOptional()
  @Transform(trimTexts)
  @IsArray()
  @ArrayMinSize(4)
  @ArrayMaxSize(4)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(500, { each: true })
  choices?: string[];

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'mcq: one of the choices; true_false: "true" or "false"; not for short_answer.',
    example: '0, 1, 2',
  })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  answer?: string;

  @ApiPropertyOptional({ maxLength: 20000, description: 'short_answer only: the reference answer (with or instead of a rubric).' })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  reference_answer?: string;

  @OptionalRubric('short_answer only (with or instead of a reference answer).')
  rubric?: RubricCriterionDto[];

  @ApiPropertyOptional({
    maxLength: 4000,
    description: 'Shown with the feedback once a student has answered.',
    example: 'range stops before 3.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  explanation?: string;

  @ApiPropertyOptional({ enum: DIFFICULTIES, description: 'Default `medium`.' })
  @IsOptional()
  @IsIn(DIFFICULTIES)
  difficulty?: Difficulty;
}

/** Every field optional; `null` clears an optional key field. A new `type` takes its key from this change alone. */
export class UpdateBankQuestionDto extends PartialType(BankQuestionRequestDto) {}

export class ReviewQueryDto {
  @ApiPropertyOptional({ pattern: ID.source, description: 'Only this module (404 if you cannot see it).' })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('module_id'))
  module_id?: string;

  @ApiPropertyOptional({ pattern: ID.source, description: "Only this course's modules (404 unless you are its member)." })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('course_id'))
  course_id?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'Most items in the answer (default 10).' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;
}

export class GradesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: ID.source })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('module_id'))
  module_id?: string;
}

export class ReviewGradeDto {
  @ApiPropertyOptional({ minimum: 0, description: "Within 0 and the grade's max_score." })
  @IsOmittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  score?: number;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOmittable()
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(10000)
  feedback?: string;
}

// ---- responses ---------------------------------------------------------------------------------

export class CriterionScoreDto {
  @ApiProperty() criterion!: string;
  @ApiProperty() score!: number;
  @ApiProperty() max_points!: number;
  @ApiProperty() comment!: string;
}

export class GradeDto {
  @ApiProperty() id!: string;
  @ApiProperty() question!: string;
  @ApiProperty() student_answer!: string;
  @ApiProperty({
    description:
      'With the local grader (`model: "local"`) and no basis to judge correctness (no `reference_answer`, no rubric criterion with a ' +
      '`description`, no `question_id` key, and no passage of `module_id` covering the question), the score is half of `max_score` for ' +
      'a substantive answer and 0 for an empty one or one that only repeats the question: it does not claim the answer is right or wrong.',
  })
  score!: number;
  @ApiProperty() max_score!: number;
  @ApiProperty({ description: '100 × score / max_score' }) percentage!: number;
  @ApiProperty({
    description:
      'What was covered, missed or contradicted. When the local grader has no basis to judge (see `score`), it starts with "No basis to judge this answer" ' +
      '("Aucune base pour juger cette réponse" in French) and says what to give for a real grade.',
  })
  feedback!: string;
  @ApiProperty({ type: [String] }) strengths!: string[];
  @ApiProperty({ type: [String] }) improvements!: string[];
  @ApiProperty({ type: [CriterionScoreDto] }) criteria!: CriterionScoreDto[];
  @ApiProperty({ type: [PassageDto] }) sources!: PassageDto[];
  @ApiProperty({ example: 'local', description: '`exact` for multiple-choice and true/false answers graded against the key.' })
  model!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The stored question answered, if any.' }) question_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) module_id!: string | null;
  @ApiProperty({
    description:
      "True only for a student's answer to a bank question by `question_id` (graded against the stored key): the grades progress, mastery and the class view count. Every other grade is practice: kept and fed back the same way.",
  })
  counts_toward_progress!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class OriginalGradeDto {
  @ApiProperty() score!: number;
  @ApiProperty() feedback!: string;
}

export class AdminGradeDto extends GradeDto {
  @ApiProperty() user_id!: string;
  @ApiProperty({ type: OriginalGradeDto, nullable: true, description: "The model's verdict, when a teacher changed it." })
  original!: OriginalGradeDto | null;
  @ApiProperty({ type: String, nullable: true }) reviewed_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) reviewed_at!: string | null;
}

export class GradePageDto {
  @ApiProperty({ type: [GradeDto] }) items!: GradeDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class AdminGradePageDto {
  @ApiProperty({ type: [AdminGradeDto] }) items!: AdminGradeDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

const KEY = 'Absent for students on bank questions (the bank, the review queue): the key stays on the server.';

export class QuestionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty() question!: string;
  @ApiPropertyOptional({ type: [String], description: 'mcq only: four distinct choices.' }) choices?: string[];
  @ApiPropertyOptional({
    description: `mcq: one of the choices; true_false: "true" or "false"; short_answer: the reference answer ("" with a rubric only). ${KEY}`,
  })
  answer?: string;
  @ApiPropertyOptional({ description: KEY }) explanation?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: `short_answer: the reference answer, if any. ${KEY}` })
  reference_answer?: string | null;
  @ApiPropertyOptional({ type: [RubricCriterionDto], description: `short_answer: the rubric, if any ([] otherwise). ${KEY}` })
  rubric?: RubricCriterionDto[];
  @ApiProperty({ enum: DIFFICULTIES }) difficulty!: Difficulty;
  @ApiProperty({ type: [PassageDto] }) sources!: PassageDto[];
  @ApiProperty({ type: String, nullable: true }) module_id!: string | null;
  @ApiProperty({
    enum: QUESTION_ORIGINS,
    description:
      "`authored` and `generated` questions are in their module's bank; `practice` ones belong to the learner who generated them.",
  })
  origin!: QuestionOrigin;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class QuestionPageDto {
  @ApiProperty({ type: [QuestionDto] }) items!: QuestionDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class ReviewItemDto {
  @ApiProperty({ type: QuestionDto, description: 'Without its key.' }) question!: QuestionDto;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the review fell due; null for a question not tried yet.',
  })
  due_at!: string | null;
  @ApiProperty({ description: 'Answers counted so far (0: not tried yet).' }) reps!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The percentage of the latest answer.' }) last_percentage!: number | null;
}

export class ReviewQueueDto {
  @ApiProperty({ type: [ReviewItemDto], description: 'Due reviews first (longest overdue first), then bank questions not tried yet.' })
  items!: ReviewItemDto[];
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the next review that is not due yet falls due (null when none is scheduled).',
  })
  next_due_at!: string | null;
}

export class GeneratedQuestionsDto {
  @ApiProperty({ type: [QuestionDto] }) questions!: QuestionDto[];
  @ApiPropertyOptional({ type: [String], description: 'Why fewer questions than asked came back.' }) warnings?: string[];
}

export class OverallProgressDto {
  @ApiProperty() attempts!: number;
  @ApiProperty() average_percentage!: number;
}

export class ModuleProgressDto {
  @ApiProperty() module_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty() average_percentage!: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description:
      'Recency-weighted mean of the percentages / 100: a grade 30 days newer weighs e ≈ 2.7 times more (half-life about 21 days).',
  })
  mastery!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_attempt_at!: string | null;
}

export class ProgressDto {
  @ApiProperty({ type: OverallProgressDto }) overall!: OverallProgressDto;
  @ApiProperty({ type: [ModuleProgressDto] }) modules!: ModuleProgressDto[];
}

export function toGradeDto(grade: Grade): GradeDto {
  return {
    id: grade.id,
    question: grade.question,
    student_answer: grade.studentAnswer,
    score: grade.score,
    max_score: grade.maxScore,
    percentage: grade.percentage,
    feedback: grade.feedback,
    strengths: grade.strengths,
    improvements: grade.improvements,
    criteria: grade.criteria.map((c) => ({ criterion: c.criterion, score: c.score, max_points: c.maxPoints, comment: c.comment })),
    sources: grade.sources.map(toPassageDto),
    model: grade.model,
    question_id: grade.questionId,
    module_id: grade.moduleId,
    counts_toward_progress: grade.countsTowardProgress === true,
    created_at: grade.createdAt.toISOString(),
  };
}

export function toAdminGradeDto(grade: Grade): AdminGradeDto {
  return {
    ...toGradeDto(grade),
    user_id: grade.userId,
    original: grade.original,
    reviewed_by: grade.reviewedBy,
    reviewed_at: grade.reviewedAt?.toISOString() ?? null,
  };
}

/** A question, with its key unless `withKey` is false (students reading the bank or the review queue). */
export function toQuestionDto(question: StoredQuestion, withKey = true): QuestionDto {
  return {
    id: question.id,
    type: question.type,
    question: question.question,
    ...(question.choices ? { choices: question.choices } : {}),
    ...(withKey
      ? {
          answer: question.answer,
          explanation: question.explanation,
          reference_answer: question.type === 'short_answer' ? (question.referenceAnswer ?? (question.answer || null)) : null,
          rubric: question.rubric.map((r) => ({
            criterion: r.criterion,
            max_points: r.maxPoints,
            ...(r.description ? { description: r.description } : {}),
          })),
        }
      : {}),
    difficulty: question.difficulty,
    sources: question.sources.map(toPassageDto),
    module_id: question.moduleId,
    origin: question.origin,
    created_at: question.createdAt.toISOString(),
  };
}

export function toReviewQueueDto(queue: ReviewQueue): ReviewQueueDto {
  return {
    items: queue.items.map((item: ReviewItem) => ({
      question: toQuestionDto(item.question, false),
      due_at: item.dueAt?.toISOString() ?? null,
      reps: item.reps,
      last_percentage: item.lastPercentage,
    })),
    next_due_at: queue.nextDueAt?.toISOString() ?? null,
  };
}

export function toProgressDto(progress: LearnerProgress): ProgressDto {
  return {
    overall: { attempts: progress.overall.attempts, average_percentage: progress.overall.averagePercentage },
    modules: progress.modules.map((m) => ({
      module_id: m.moduleId,
      title: m.title,
      attempts: m.attempts,
      average_percentage: m.averagePercentage,
      mastery: m.mastery,
      last_attempt_at: m.lastAttemptAt?.toISOString() ?? null,
    })),
  };
}
