/**
 * What the tutor knows of the learner beyond the conversation: the modules where their graded
 * answers are weakest, weakest first (titles). The evaluation module provides the implementation.
 */
export abstract class LearnerProfile {
  abstract weakestModules(userId: string, limit?: number): Promise<string[]>;
}
