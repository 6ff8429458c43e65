import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { QueryInteger } from '../common/validation/query-values';
import { trimText } from '../common/validation/text';
import { JOB_STATUSES, JobStatus } from '../infrastructure/persistence/schemas/job.schema';
import { Job } from './jobs.repository';
import { Passage } from './passage';

export class PassageLocationDto {
  @ApiPropertyOptional({ description: '1-based page, for PDFs.' }) page?: number;
  @ApiPropertyOptional({ description: 'Heading path, e.g. "Loops > for".' }) heading?: string;
}

export class PassageDto {
  @ApiProperty() chunk_id!: string;
  @ApiProperty() resource_id!: string;
  @ApiProperty() module_id!: string;
  @ApiProperty({ description: "The resource's title." }) title!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'Rank-fusion score in 0–1: orders results, not a calibrated probability.' }) score!: number;
  @ApiProperty({ type: PassageLocationDto }) location!: PassageLocationDto;
}

export function toPassageDto(passage: Passage): PassageDto {
  return {
    chunk_id: passage.chunkId,
    resource_id: passage.resourceId,
    module_id: passage.moduleId,
    title: passage.title,
    text: passage.text,
    score: Math.round(passage.score * 10_000) / 10_000,
    location: passage.location,
  };
}

export class SearchResultsDto {
  @ApiProperty({ type: [PassageDto], description: 'The nearest passages, best first, even when none is relevant (see `relevant`).' })
  results!: PassageDto[];

  @ApiProperty({
    description:
      'Whether any passage covers the query, by the rule that makes the tutor decline a question the course does not cover ' +
      "(the query's topic words found together in one sentence of a passage, or most of them in a passage close in meaning). " +
      'False means "nothing relevant": `results` then holds only the nearest passages, and the tutor would answer that the course does not cover it.',
  })
  relevant!: boolean;
}

export function toSearchResultsDto(found: { results: Passage[]; relevant: boolean }): SearchResultsDto {
  return { results: found.results.map(toPassageDto), relevant: found.relevant };
}

export class SearchQueryDto {
  @ApiProperty({ minLength: 1, maxLength: 1000, description: 'What to look for.' })
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  q!: string;

  @ApiPropertyOptional({ description: 'Only passages of this module (one the caller cannot see is 404).', pattern: '^[0-9a-f]{24}$' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{24}$/, { message: 'module_id must be a 24-character hexadecimal id' })
  module_id?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 20, default: 5, description: 'How many passages (default 5).' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  @Max(20)
  k: number = 5;
}

export class JobProgressDto {
  @ApiProperty() processed!: number;
  @ApiProperty() total!: number;
}

export class JobDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: JobStatus;
  @ApiProperty({ type: JobProgressDto }) progress!: JobProgressDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finished_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export function toJobDto(job: Job): JobDto {
  return {
    id: job.id,
    status: job.status,
    progress: { processed: job.processed, total: job.total },
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    error: job.error,
  };
}

export class IndexStatusDto {
  @ApiProperty({ description: 'Resources stored (all statuses).' }) resources!: number;
  @ApiProperty({ description: 'Chunks in the live index.' }) chunks!: number;
  @ApiProperty({ example: 'local-hash-v2' }) embedding_model!: string;
  @ApiProperty({ example: 384 }) dimensions!: number;
  @ApiProperty({ example: 'hnsw-int8' }) vector_store!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_rebuild_at!: string | null;
  @ApiProperty({
    example: 3,
    description:
      'Generation of the index this instance serves: every finished rebuild starts the next one, which every instance adopts within seconds.',
  })
  generation!: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Why a rebuild is required, when it is (the embedding model changed).',
  })
  rebuild_required?: string | null;
}
