import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { CourseModulesRepository } from '../content/course-modules.repository';
import { IndexService } from './index.service';
import { Passage } from './passage';

/** Retrieval for people (the search endpoint) and for the tutor, the grader and the question generator. */
@Injectable()
export class SearchService {
  constructor(
    private readonly index: IndexService,
    private readonly modules: CourseModulesRepository,
  ) {}

  async search(query: string, options: { moduleId?: string; k: number }): Promise<Passage[]> {
    if (options.moduleId) await this.assertModule(options.moduleId);
    return this.index.search(query, { k: options.k, moduleIds: options.moduleId ? [options.moduleId] : undefined });
  }

  /** An unknown module is a 404, wherever a module id is given. */
  async assertModule(moduleId: string): Promise<void> {
    if (!(await this.modules.findById(moduleId))) throw ApiError.notFound('module');
  }
}
