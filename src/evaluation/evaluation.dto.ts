import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
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
import { PassageDto, toPassageDto } from '../index/index.dto';
import { DIFFICULTIES, Difficulty, QUESTION_TYPES, QuestionType } from '../infrastructure/persistence/schemas/question.schema';
import { Grade } from './grades.repository';
import { LearnerProgress } from './progress.service';
import { StoredQuestion } from './questions.repository';

const ID = /^[0-9a-f]{24}$/;
const idMessage = (field: string) => ({ message: `${field} must be a 24-character hexadecimal id` });
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// ---- requests ----------------------------------------------------------------------------------

export class RubricCriterionDto {
  @ApiProperty({ maxLength: 200, example: 'Names the three states of water' })
  @Transform(trim)
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

export class GradeRequestDto {
  @ApiPropertyOptional({ maxLength: 4000, description: 'Required unless `question_id` is given.', example: 'Why do we have seasons?' })
  @IsOptional()
  @Transform(trim)
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

  @ApiPropertyOptional({ type: [RubricCriterionDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RubricCriterionDto)
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

  @ApiPropertyOptional({ pattern: ID.source, description: "Ground the feedback in this module's passages; counts toward progress there." })
  @IsOptional()
  @IsString()
  @Matches(ID, idMessage('module_id'))
  module_id?: string;

  @ApiPropertyOptional({
    pattern: ID.source,
    description: "Grade against a generated question's answer key (MCQ and true/false are graded exactly).",
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
  @Transform(trim)
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
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  score?: number;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
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
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class OriginalGradeDto {
  @ApiProperty() score!: number;
  @ApiProperty() feedback!: string;
}

export class AdminGradeDto extends GradeDto {
  @ApiProperty() user_id!: string;
  @ApiProperty({ type: String, nullable: true }) module_id!: string | null;
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

export class QuestionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type!: QuestionType;
  @ApiProperty() question!: string;
  @ApiPropertyOptional({ type: [String], description: 'mcq only: four distinct choices.' }) choices?: string[];
  @ApiProperty({ description: 'mcq: one of the choices; true_false: "true" or "false".' }) answer!: string;
  @ApiProperty() explanation!: string;
  @ApiProperty({ enum: DIFFICULTIES }) difficulty!: Difficulty;
  @ApiProperty({ type: [PassageDto] }) sources!: PassageDto[];
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
    created_at: grade.createdAt.toISOString(),
  };
}

export function toAdminGradeDto(grade: Grade): AdminGradeDto {
  return {
    ...toGradeDto(grade),
    user_id: grade.userId,
    module_id: grade.moduleId,
    original: grade.original,
    reviewed_by: grade.reviewedBy,
    reviewed_at: grade.reviewedAt?.toISOString() ?? null,
  };
}

export function toQuestionDto(question: StoredQuestion): QuestionDto {
  return {
    id: question.id,
    type: question.type,
    question: question.question,
    ...(question.choices ? { choices: question.choices } : {}),
    answer: question.answer,
    explanation: question.explanation,
    difficulty: question.difficulty,
    sources: question.sources.map(toPassageDto),
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
