import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { CourseModulesRepository } from '../content/course-modules.repository';
import { coversQuestion } from '../infrastructure/llm/local-tutor-answer';
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

  /**
   * The search endpoint's answer: the passages, and whether any covers the query by the tutor's
   * relevance floor (the same rule that makes the tutor decline), so a client can say "nothing
   * relevant" instead of showing the nearest unrelated passages as hits.
   */
  async searchWithRelevance(query: string, options: { moduleId?: string; k: number }): Promise<{ results: Passage[]; relevant: boolean }> {
    const results = await this.search(query, options);
    const relevant = coversQuestion(
      query,
      results.map((p, i) => ({ index: i + 1, title: p.title, text: p.text, localSimilarity: p.localSimilarity })),
    );
    return { results, relevant };
  }

  /** An unknown module is a 404, wherever a module id is given. */
  async assertModule(moduleId: string): Promise<void> {
    if (!(await this.modules.findById(moduleId))) throw ApiError.notFound('module');
  }
}
