import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { trimText } from '../common/validation/text';
import { IsOmittable, NOT_NULL } from '../common/validation/validation';
import { RESOURCE_STATUSES, ResourceStatus } from '../infrastructure/persistence/schemas/resource.schema';
import { CourseModule } from './course-modules.repository';
import { Resource } from './resources.repository';

const ID = /^[0-9a-f]{24}$/;

// ---- responses ---------------------------------------------------------------------------------

export class ModuleDto {
  @ApiProperty({ example: '665f1c2e8f1b2a3c4d5e6f70' }) id!: string;
  @ApiProperty({ example: 'Introduction to Python' }) title!: string;
  @ApiProperty({ example: 'Variables, loops, functions.' }) description!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '665f1c2e8f1b2a3c4d5e6f10',
    description: 'The course it belongs to (seen by its members, managed by its instructors); null for an open module, seen by everyone.',
  })
  course_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '665f1c2e8f1b2a3c4d5e6f01',
    description:
      "Who created it; for an open module, the one who manages it besides admins. Null for the demo course the platform loads; the first release's modules belong to the first admin.",
  })
  owner_id!: string | null;
  @ApiProperty({ example: 4 }) resource_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export function toModuleDto(module: CourseModule): ModuleDto {
  return {
    id: module.id,
    title: module.title,
    description: module.description,
    course_id: module.courseId,
    owner_id: module.ownerId,
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
  @Transform(trimText)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOmittable()
  @Transform(trimText)
  @IsString()
  @MaxLength(5000)
  description?: string;

  @ApiPropertyOptional({
    pattern: ID.source,
    description:
      'The course the module belongs to: only its members see it and only its instructors (and admins) manage it. Left out: an open module, seen by everyone and managed by its creator. An unknown course is 404; a course one does not teach, 403.',
  })
  @IsOptional()
  @IsString()
  @Matches(ID, { message: 'course_id must be a 24-character hexadecimal id' })
  course_id?: string;
}

export class ListModulesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    pattern: ID.source,
    description: "Only this course's modules (a course the caller is not a member of is 404).",
  })
  @IsOptional()
  @IsString()
  @Matches(ID, { message: 'course_id must be a 24-character hexadecimal id' })
  course_id?: string;
}

/** `PATCH /api/admin/modules/:id` (API.md): `{title?, description?}`; a module does not change course. */
export class UpdateModuleDto extends PartialType(OmitType(CreateModuleDto, ['course_id'] as const), NOT_NULL) {}

export const TEXT_FORMATS = ['markdown', 'text', 'html'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** A resource given as text in a JSON body instead of a file. */
export class CreateTextResourceDto {
  @ApiProperty({ minLength: 1, maxLength: 300, example: 'Loops' })
  @Transform(trimText)
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

/** The longest file name a resource keeps, in characters. */
export const MAX_FILENAME_LENGTH = 300;

/** The multipart form of a resource upload: the route reads the file from the stream, then validates the text fields with it. */
export class UploadResourceDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: `PDF, DOCX, Markdown, plain text or HTML; the type is checked on the content. Its file name has at most ${MAX_FILENAME_LENGTH} characters.`,
  })
  file!: Blob;

  @ApiPropertyOptional({ maxLength: 300, description: "Defaults to the document's own title, else the file name." })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MaxLength(300)
  title?: string;
}
