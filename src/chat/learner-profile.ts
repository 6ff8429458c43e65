import type { Viewer } from '../courses/module-access.service';

/**
 * What the tutor knows of the learner beyond the conversation: the modules where their graded
 * answers are weakest, weakest first (titles), among the modules they can still see. The
 * evaluation module provides the implementation.
 */
export abstract class LearnerProfile {
  abstract weakestModules(learner: Viewer, limit?: number): Promise<string[]>;
}
