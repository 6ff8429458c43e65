import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CoursesRepository } from '../courses/courses.repository';
import { ModuleAccessService } from '../courses/module-access.service';
import { ChunksRepository } from '../index/chunks.repository';
import { IndexService } from '../index/index.service';
import { ResourceIndexingService } from '../index/resource-indexing.service';
import { TextFormat } from './content.dto';
import { CourseModule, CourseModulesRepository } from './course-modules.repository';
import { ModuleDataRemoval } from './module-data-removal';
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

@Injectable()
export class ContentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly modules: CourseModulesRepository,
    private readonly resources: ResourcesRepository,
    private readonly chunks: ChunksRepository,
    private readonly index: IndexService,
    private readonly courses: CoursesRepository,
    private readonly access: ModuleAccessService,
    private readonly moduleData: ModuleDataRemoval,
    private readonly indexing: ResourceIndexingService,
    private readonly parser: DocumentParser,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A module the reader cannot see answers 404, like a missing one. */
  getModule(reader: Principal, id: string): Promise<CourseModule> {
    return this.access.findVisible(reader, id);
  }

  /** The modules the reader sees, or those of one course (a course they are not in is 404). */
  async listModules(reader: Principal, courseId: string | undefined, afterId: string | undefined, limit: number): Promise<CourseModule[]> {
    return this.modules.list(await this.access.scopeOf(reader, courseId), afterId, limit);
  }

  async listResources(reader: Principal, moduleId: string, afterId: string | undefined, limit: number): Promise<Resource[]> {
    await this.access.findVisible(reader, moduleId);
    return this.resources.listByModule(moduleId, afterId, limit);
  }

  /**
   * A module of a course (its instructors and admins may add one; an unknown course is 404), or an
   * open module owned by its creator. `actor` null is the platform itself (the demo course): open, no owner.
   */
  async createModule(
    actor: Principal | null,
    input: { title: string; description?: string; courseId?: string; seedKey?: string },
  ): Promise<CourseModule> {
    if (actor && input.courseId) {
      const course = await this.courses.findById(input.courseId);
      if (!course) throw ApiError.notFound('course');
      if (actor.role !== 'admin' && !course.instructorIds.includes(actor.userId)) {
        throw ApiError.forbidden('Only the instructors of this course and admins may add modules to it.');
      }
    }
    const now = this.clock.now();
    const module = await this.modules.create({
      id: newId(),
      title: input.title,
      description: input.description ?? '',
      resourceCount: 0,
      ...(input.seedKey ? { seedKey: input.seedKey } : {}),
      courseId: input.courseId ?? null,
      ownerId: actor?.userId ?? null,
      createdBy: actor?.userId ?? null,
      createdAt: now,
      updatedAt: now,
    });
    if (actor)
      await this.audit.record(
        actor,
        'module.create',
        { type: 'module', id: module.id },
        { title: module.title, course_id: module.courseId },
      );
    return module;
  }

  async updateModule(actor: Principal, id: string, patch: { title?: string; description?: string }): Promise<CourseModule> {
    await this.access.findManaged(actor, id);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const updated =
      Object.keys(defined).length > 0 ? await this.modules.update(id, defined, this.clock.now()) : await this.modules.findById(id);
    if (!updated) throw ApiError.notFound('module');
    await this.audit.record(actor, 'module.update', { type: 'module', id }, defined);
    return updated;
  }

  /** Removes the module, its resources and their chunks (from the store and the index) and its questions. */
  async deleteModule(actor: Principal, id: string): Promise<void> {
    const module = await this.access.findManaged(actor, id);
    if (!(await this.removeModule(module))) throw ApiError.notFound('module');
    await this.audit.record(actor, 'module.delete', { type: 'module', id }, { course_id: module.courseId });
  }

  /**
   * Removes every module of a deleted course as `deleteModule` does, one audit entry each. Called by
   * the course's deletion, which checked that the actor manages the course.
   */
  async deleteCourseModules(actor: Principal, courseId: string): Promise<number> {
    const modules = await this.modules.listByCourse(courseId);
    let removed = 0;
    for (const module of modules) {
      if (!(await this.removeModule(module))) continue;
      removed += 1;
      await this.audit.record(actor, 'module.delete', { type: 'module', id: module.id }, { course_id: courseId, with_course: true });
    }
    return removed;
  }

  /**
   * False when the module was already gone: of two deletions at once, only the one whose delete
   * removed the module goes on, so one answers 204 with one audit entry and the other 404.
   */
  private async removeModule(module: CourseModule): Promise<boolean> {
    if (!(await this.modules.delete(module.id))) return false;
    await this.chunks.deleteByModule(module.id);
    await this.resources.deleteByModule(module.id);
    await this.index.publish('module', module.id);
    await this.moduleData.removeAll(module.id);
    return true;
  }

  /**
   * Reads the document at once (so an unreadable file is refused with nothing stored), then stores
   * it. A small document is embedded and indexed before the answer (`indexed`); a large one (more
   * chunks than INDEX_BACKGROUND_CHUNKS) is answered `pending` and indexed by a background job.
   */
  async addResource(actor: Principal | null, moduleId: string, incoming: IncomingDocument): Promise<Resource> {
    if (actor) await this.access.findManaged(actor, moduleId);
    else if (!(await this.modules.findById(moduleId))) throw ApiError.notFound('module');
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
    const stored = chunks.map((chunk) => ({
      id: newId(),
      resourceId: resource.id,
      moduleId,
      position: chunk.position,
      text: chunk.text,
      page: chunk.page ?? null,
      heading: chunk.heading ?? null,
      embedding: null,
      embeddingModel: null,
    }));
    const large = this.indexing.isLarge(stored.length);
    let answer = resource;
    if (large) await this.chunks.insertMany(stored);
    else answer = await this.indexing.indexNow(resource, stored);
    await this.modules.adjustResourceCount(moduleId, 1);
    if (actor)
      await this.audit.record(
        actor,
        'resource.create',
        { type: 'resource', id: resource.id },
        { module_id: moduleId, title: resource.title },
      );

    if (large) await this.indexing.enqueue(resource.id);
    return answer;
  }

  async deleteResource(actor: Principal, id: string): Promise<void> {
    const resource = await this.resources.findById(id);
    if (!resource) throw ApiError.notFound('resource');
    await this.managedResourceModule(actor, resource);
    // The chunks go first, so that no chunk outlives its resource if this stops half-way; of
    // deletions at once, only the one whose delete removed the resource answers 204 and is audited.
    await this.chunks.deleteByResource(id);
    if (!(await this.resources.delete(id))) throw ApiError.notFound('resource');
    await this.modules.adjustResourceCount(resource.moduleId, -1);
    await this.index.publish('resource', id);
    await this.audit.record(actor, 'resource.delete', { type: 'resource', id }, { module_id: resource.moduleId });
  }

  /** A resource of a module the actor cannot see is 404 like a missing one; seen but not managed, 403. */
  private async managedResourceModule(actor: Principal, resource: Resource): Promise<void> {
    try {
      await this.access.findManaged(actor, resource.moduleId);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found') throw ApiError.notFound('resource');
      throw error;
    }
  }
}
