import { Body, Controller, Delete, HttpCode, Inject, Patch, Post, Req } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { maxLength } from 'class-validator';
import { Authenticated } from '../auth/authenticated.decorator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { AcceptsBody } from '../common/http/media-types';
import { isMultipart, readMultipartUpload } from '../common/http/multipart-upload';
import { ApiEnvelope, ApiErrors, ApiNoContent, ApiJsonBody } from '../common/openapi/api-responses';
import { displayableFileName } from '../common/text';
import { ApiIdParam, IdParam, validateAs } from '../common/validation/validation';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import {
  CreateModuleDto,
  CreateTextResourceDto,
  ModuleDto,
  ResourceDto,
  toModuleDto,
  toResourceDto,
  UpdateModuleDto,
  MAX_FILENAME_LENGTH,
  UploadResourceDto,
} from './content.dto';
import { ContentService, IncomingDocument } from './content.service';

/** Who may change a module, as the descriptions of these routes say it. */
const MANAGERS =
  "Those who manage the module: its course's instructors, the creator of an open module, admins (others 403; a module the caller cannot see 404).";

/** Room for the multipart framing and fields around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

@ApiTags('content')
@Authenticated('instructor', 'admin')
@Controller('api/admin')
export class ContentAdminController {
  constructor(
    private readonly content: ContentService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('modules')
  @ApiOperation({
    summary: 'Create a course module',
    description:
      'Instructors and admins. With `course_id`, a module of that course (its instructors and admins only: others 403; an unknown course 404), ' +
      'seen by its members; without, an open module everyone sees, managed by its creator. ' +
      'The module starts empty: add documents with `POST /api/admin/modules/{id}/resources`. Recorded in the audit log.',
  })
  @ApiJsonBody(CreateModuleDto, {
    module: {
      summary: 'A new module',
      value: { title: 'Python: files and exceptions', description: 'Reading and writing files, and handling errors.' },
    },
  })
  @ApiEnvelope(ModuleDto, { status: 201 })
  @ApiErrors('validation_failed', 'invalid_json', 'forbidden', 'not_found')
  async createModule(@CurrentPrincipal() actor: Principal, @Body() body: CreateModuleDto): Promise<ModuleDto> {
    return toModuleDto(
      await this.content.createModule(actor, { title: body.title, description: body.description, courseId: body.course_id }),
    );
  }

  @Patch('modules/:id')
  @ApiIdParam()
  @ApiOperation({
    summary: 'Rename or describe a module',
    description: MANAGERS + ' Changes the title or the description; fields left out stay as they are. Recorded in the audit log.',
  })
  @ApiJsonBody(UpdateModuleDto, {
    describe: { summary: 'A new description', value: { description: 'Variables, conditions, loops, functions, lists and dictionaries.' } },
  })
  @ApiEnvelope(ModuleDto)
  @ApiErrors('validation_failed', 'invalid_json', 'forbidden', 'not_found')
  async updateModule(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Body() body: UpdateModuleDto): Promise<ModuleDto> {
    return toModuleDto(await this.content.updateModule(actor, id, body));
  }

  @Delete('modules/:id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({
    summary: 'Delete a module; its resources leave the index',
    description:
      MANAGERS +
      ' Deletes the module, its resources and its questions; their chunks leave the search index at once. Recorded in the audit log.',
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'forbidden', 'not_found')
  async deleteModule(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<void> {
    await this.content.deleteModule(actor, id);
  }

  @Post('modules/:id/resources')
  @AcceptsBody('multipart/form-data', 'application/json')
  @ApiIdParam()
  @ApiOperation({
    summary: 'Add a document to a module',
    description:
      MANAGERS +
      ' A multipart upload (`file`, optional `title`) of PDF, DOCX, Markdown, plain text or HTML, whose type is decided from its content; ' +
      'or JSON `{title, content, format}`. The document is read at once (an unreadable one is 422 and nothing is stored), then indexed: ' +
      'the answer says `indexed` when that took under a moment, else `pending` until its chunks are searchable. ' +
      'Also 422, naming the limit: HTML nested more than 512 elements deep (unclosed tags included), a PDF of more than 10,000 pages ' +
      'or whose compressed streams inflate to more than 128 MB, a DOCX that unpacks to more than 128 MB, ' +
      'a document that would be cut into more than 100,000 chunks.',
  })
  @ApiExtraModels(UploadResourceDto)
  // The multipart form (UploadResourceDto) is added beside this JSON body in openapi.ts.
  @ApiJsonBody(
    CreateTextResourceDto,
    {
      markdown: {
        summary: 'A short Markdown lesson',
        value: {
          title: 'Exceptions',
          format: 'markdown',
          content:
            '# Exceptions\n\nAn exception stops a program when something goes wrong, such as dividing by zero. ' +
            'A try block runs code that may fail, and an except block handles the error so the program can go on.',
        },
      },
    },
    'A file as multipart/form-data (`file`, `title?`), or a text document as JSON.',
  )
  @ApiEnvelope(ResourceDto, { status: 201 })
  @ApiErrors(
    'validation_failed',
    'invalid_json',
    'forbidden',
    'not_found',
    'payload_too_large',
    'unsupported_media_type',
    'unprocessable_document',
  )
  async addResource(@CurrentPrincipal() actor: Principal, @IdParam() id: string, @Req() request: FastifyRequest): Promise<ResourceDto> {
    return toResourceDto(await this.content.addResource(actor, id, await this.readUpload(request)));
  }

  @Delete('resources/:id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({
    summary: 'Delete a resource; its chunks leave the index',
    description:
      "Those who manage the resource's module (others 403; a resource of a module the caller cannot see 404). Deletes the document; its chunks leave the search index at once, so search and chat stop citing it. Recorded in the audit log.",
  })
  @ApiNoContent()
  @ApiErrors('validation_failed', 'forbidden', 'not_found')
  async deleteResource(@CurrentPrincipal() actor: Principal, @IdParam() id: string): Promise<void> {
    await this.content.deleteResource(actor, id);
  }

  private async readUpload(request: FastifyRequest): Promise<IncomingDocument> {
    if (!isMultipart(request)) {
      const body = await validateAs(CreateTextResourceDto, request.body);
      return { bytes: Buffer.from(body.content, 'utf8'), title: body.title, format: body.format };
    }
    // Refuse at once what announces itself as too big, before reading any of it.
    const announced = Number(request.headers['content-length'] ?? 0);
    if (announced > this.config.uploadLimitBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(this.config.uploadLimitBytes);
    const upload = await readMultipartUpload(request, this.config.uploadLimitBytes);
    const filename = displayableFileName(upload.filename);
    if (filename !== undefined && !maxLength(filename, MAX_FILENAME_LENGTH)) {
      throw ApiError.validation([{ field: 'file', message: `the file name must be at most ${MAX_FILENAME_LENGTH} characters` }]);
    }
    const { title } = await validateAs(UploadResourceDto, upload.fields);
    return { bytes: upload.bytes, filename, declaredMime: upload.mimeType, title: title || undefined };
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `The upload is larger than the ${limit} bytes allowed.`);
}
