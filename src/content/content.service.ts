import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ChunksRepository } from '../index/chunks.repository';
import { IndexService } from '../index/index.service';
import { TextFormat } from './content.dto';
import { CourseModule, CourseModulesRepository } from './course-modules.repository';
import { detectDocumentType, DocumentType, MIME_TYPES } from './parsing/document-type';
import { DocumentParser } from './parsing/document-parser';
import { Resource, ResourcesRepository } from './resources.repository';

/** An upload as the HTTP layer received it. */
export interface IncomingDocument {
  bytes: Buffer;
  filename?: string;
  declaredMime?: string;
  title?: string;
  /** Given for JSON text resources: the format is declared, not sniffed. */
  format?: TextFormat;
}

const FORMAT_TYPES: Record<TextFormat, DocumentType> = { markdown: 'markdown', text: 'text', html: 'html' };

/** How long an upload's answer waits for indexing, so small documents come back already indexed. */
const INDEX_WAIT_MS = 1_500;

@Injectable()
export class ContentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly modules: CourseModulesRepository,
    private readonly resources: ResourcesRepository,
    private readonly chunks: ChunksRepository,
    private readonly index: IndexService,
    private readonly parser: DocumentParser,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async getModule(id: string): Promise<CourseModule> {
    const module = await this.modules.findById(id);
    if (!module) throw ApiError.notFound('module');
    return module;
  }

  listModules(afterId: string | undefined, limit: number): Promise<CourseModule[]> {
    return this.modules.list(afterId, limit);
  }

  async listResources(moduleId: string, afterId: string | undefined, limit: number): Promise<Resource[]> {
    await this.getModule(moduleId);
    return this.resources.listByModule(moduleId, afterId, limit);
  }

  async createModule(actor: Principal | null, input: { title: string; description?: string; seedKey?: string }): Promise<CourseModule> {
    const now = this.clock.now();
    const module = await this.modules.create({
      id: newId(),
      title: input.title,
      description: input.description ?? '',
      resourceCount: 0,
      ...(input.seedKey ? { seedKey: input.seedKey } : {}),
      createdBy: actor?.userId ?? null,
      createdAt: now,
      updatedAt: now,
    });
    if (actor) await this.audit.record(actor, 'module.create', { type: 'module', id: module.id }, { title: module.title });
    return module;
  }

  async updateModule(actor: Principal, id: string, patch: { title?: string; description?: string }): Promise<CourseModule> {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const updated =
      Object.keys(defined).length > 0 ? await this.modules.update(id, defined, this.clock.now()) : await this.modules.findById(id);
    if (!updated) throw ApiError.notFound('module');
    await this.audit.record(actor, 'module.update', { type: 'module', id }, defined);
    return updated;
  }

  /** Removes the module, its resources and their chunks, from the store and the index. */
  async deleteModule(actor: Principal, id: string): Promise<void> {
    await this.getModule(id);
    await this.modules.delete(id);
    await this.index.removeModule(id);
    await this.chunks.deleteByModule(id);
    await this.resources.deleteByModule(id);
    await this.audit.record(actor, 'module.delete', { type: 'module', id });
  }

  /**
   * Reads the document at once (so an unreadable file is refused with nothing stored), stores its
   * chunks, then indexes them. The answer waits briefly for indexing: small documents come back
   * `indexed`, large ones `pending` until their chunks are searchable.
   */
  async addResource(actor: Principal | null, moduleId: string, incoming: IncomingDocument): Promise<Resource> {
    await this.getModule(moduleId);
    if (incoming.bytes.length > this.config.uploadLimitBytes)
      throw new ApiError('payload_too_large', `The document is larger than the ${this.config.uploadLimitBytes} bytes allowed.`);
    const type = incoming.format
      ? FORMAT_TYPES[incoming.format]
      : detectDocumentType(incoming.bytes, incoming.filename, incoming.declaredMime);
    const { document, chunks } = await this.parser.parseAndChunk(incoming.bytes, type);
    if (chunks.length === 0) throw new ApiError('unprocessable_document', 'The document has no text to index.');

    const now = this.clock.now();
    const resource = await this.resources.create({
      id: newId(),
      moduleId,
      title: incoming.title?.trim() || document.title?.trim() || incoming.filename || 'Untitled document',
      filename: incoming.filename ?? null,
      mimeType: MIME_TYPES[type],
      sizeBytes: incoming.bytes.length,
      status: 'pending',
      chunkCount: chunks.length,
      error: null,
      createdBy: actor?.userId ?? null,
      createdAt: now,
    });
    await this.chunks.insertMany(
      chunks.map((chunk) => ({
        id: newId(),
        resourceId: resource.id,
        moduleId,
        position: chunk.position,
        text: chunk.text,
        page: chunk.page ?? null,
        heading: chunk.heading ?? null,
      })),
    );
    await this.modules.adjustResourceCount(moduleId, 1);
    if (actor)
      await this.audit.record(
        actor,
        'resource.create',
        { type: 'resource', id: resource.id },
        { module_id: moduleId, title: resource.title },
      );

    const indexing = this.index.indexResource(resource);
    const settled = await Promise.race([indexing, new Promise<null>((resolve) => setTimeout(() => resolve(null), INDEX_WAIT_MS).unref())]);
    return settled ?? resource;
  }

  async deleteResource(actor: Principal, id: string): Promise<void> {
    const resource = await this.resources.findById(id);
    if (!resource) throw ApiError.notFound('resource');
    await this.index.removeResource(id);
    await this.chunks.deleteByResource(id);
    if (await this.resources.delete(id)) await this.modules.adjustResourceCount(resource.moduleId, -1);
    await this.audit.record(actor, 'resource.delete', { type: 'resource', id }, { module_id: resource.moduleId });
  }
}
