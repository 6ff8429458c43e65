import { Injectable } from '@nestjs/common';
import { LearnerProfile } from '../chat/learner-profile';
import { CourseModulesRepository } from '../content/course-modules.repository';
import { ModuleAccessService, Viewer } from '../courses/module-access.service';
import { masteryOf } from './mastery';
import { ProgressRepository } from './progress.repository';

/** Below this mastery a module counts as weak enough to mention to the tutor. */
const WEAK_BELOW = 0.7;

/** The learner's weakest modules, from their graded progress. */
@Injectable()
export class ProgressLearnerProfile extends LearnerProfile {
  constructor(
    private readonly progress: ProgressRepository,
    private readonly modules: CourseModulesRepository,
    private readonly access: ModuleAccessService,
  ) {
    super();
  }

  /** Only modules the learner still sees: a course they left, or one deleted, is no longer theirs to be told about. */
  async weakestModules(learner: Viewer, limit = 3): Promise<string[]> {
    const visible = await this.access.visibleModuleIds(learner);
    const seen = visible && new Set(visible);
    const weak = (await this.progress.forUser(learner.userId))
      .filter((p) => !seen || seen.has(p.moduleId))
      .map((p) => ({ moduleId: p.moduleId, mastery: masteryOf(p.weightedPercent, p.weight) }))
      .filter((p) => p.mastery < WEAK_BELOW)
      .sort((a, b) => a.mastery - b.mastery)
      .slice(0, limit);
    if (weak.length === 0) return [];
    const titles = new Map((await this.modules.findByIds(weak.map((w) => w.moduleId))).map((m) => [m.id, m.title]));
    return weak.flatMap((w) => (titles.has(w.moduleId) ? [titles.get(w.moduleId)!] : []));
  }
}
