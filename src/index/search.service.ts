import { Injectable } from '@nestjs/common';
import { ModuleAccessService, Viewer } from '../courses/module-access.service';
import { coversQuestion } from '../infrastructure/llm/local-tutor-answer';
import { IndexService } from './index.service';
import { Passage } from './passage';

/** Retrieval for people (the search endpoint) and for the tutor, the grader and the question generator. */
@Injectable()
export class SearchService {
  constructor(
    private readonly index: IndexService,
    private readonly access: ModuleAccessService,
  ) {}

  /**
   * The passages of one module the viewer sees (one they cannot see is 404, like a missing one), or
   * of every module they see: what is not theirs to read is never retrieved.
   */
  async search(viewer: Viewer, query: string, options: { moduleId?: string; k: number }): Promise<Passage[]> {
    const moduleIds = options.moduleId
      ? [(await this.access.findVisible(viewer, options.moduleId)).id]
      : await this.access.visibleModuleIds(viewer);
    return this.index.search(query, { k: options.k, moduleIds });
  }

  /**
   * The search endpoint's answer: the passages, and whether any covers the query by the tutor's
   * relevance floor (the same rule that makes the tutor decline), so a client can say "nothing
   * relevant" instead of showing the nearest unrelated passages as hits.
   */
  async searchWithRelevance(
    viewer: Viewer,
    query: string,
    options: { moduleId?: string; k: number },
  ): Promise<{ results: Passage[]; relevant: boolean }> {
    const results = await this.search(viewer, query, options);
    const relevant = coversQuestion(
      query,
      results.map((p, i) => ({ index: i + 1, title: p.title, text: p.text, localSimilarity: p.localSimilarity })),
    );
    return { results, relevant };
  }
}
