import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RESOURCE_STATUSES, ResourceStatus } from '../infrastructure/persistence/schemas/resource.schema';
import { CourseModule } from './course-modules.repository';
import { Resource } from './resources.repository';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// ---- responses ---------------------------------------------------------------------------------

export class ModuleDto {
  @ApiProperty({ example: '665f1c2e8f1b2a3c4d5e6f70' }) id!: string;
  @ApiProperty({ example: 'Introduction to Python' }) title!: string;
  @ApiProperty({ example: 'Variables, loops, functions.' }) description!: string;
  @ApiProperty({ example: 4 }) resource_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export function toModuleDto(module: CourseModule): ModuleDto {
  return {
    id: module.id,
    title: module.title,
    description: module.description,
    resource_count: module.resourceCount,
    created_at: module.createdAt.toISOString(),
    updated_at: module.updatedAt.toISOString(),
  };
}

export class ModulePageDto {
  @ApiProperty({ type: [ModuleDto] }) items!: ModuleDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class ResourceDto {
  @ApiProperty() id!: string;
  @ApiProperty() module_id!: string;
  @ApiProperty({ example: 'Loops' }) title!: string;
  @ApiProperty({ type: String, nullable: true, example: 'loops.pdf' }) filename!: string | null;
  @ApiProperty({ example: 'application/pdf' }) mime_type!: string;
  @ApiProperty({ example: 48213 }) size_bytes!: number;
  @ApiProperty({
    enum: RESOURCE_STATUSES,
    description: '`pending` until its chunks are searchable, then `indexed`, or `failed` with `error`.',
  })
  status!: ResourceStatus;
  @ApiProperty({ example: 12 }) chunk_count!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export function toResourceDto(resource: Resource): ResourceDto {
  return {
    id: resource.id,
    module_id: resource.moduleId,
    title: resource.title,
    filename: resource.filename,
    mime_type: resource.mimeType,
    size_bytes: resource.sizeBytes,
    status: resource.status,
    chunk_count: resource.chunkCount,
    error: resource.error,
    created_at: resource.createdAt.toISOString(),
  };
}

export class ResourcePageDto {
  @ApiProperty({ type: [ResourceDto] }) items!: ResourceDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

// ---- requests ----------------------------------------------------------------------------------

export class CreateModuleDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Introduction to Python' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(5000)
  description?: string;
}

export class UpdateModuleDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(5000)
  description?: string;
}

export const TEXT_FORMATS = ['markdown', 'text', 'html'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** A resource given as text in a JSON body instead of a file. */
export class CreateTextResourceDto {
  @ApiProperty({ minLength: 1, maxLength: 300, example: 'Loops' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title!: string;

  @ApiProperty({ minLength: 1, description: 'The document itself (the JSON body limit applies).' })
  @IsString()
  @MinLength(1)
  content!: string;

  @ApiProperty({ enum: TEXT_FORMATS })
  @IsIn(TEXT_FORMATS)
  format!: TextFormat;
}

/** The multipart form of a resource upload (documentation only: the route reads the stream). */
export class UploadResourceDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'PDF, DOCX, Markdown, plain text or HTML; the type is checked on the content.',
  })
  file!: Blob;

  @ApiPropertyOptional({ maxLength: 300, description: "Defaults to the document's own title, else the file name." })
  title?: string;
}
