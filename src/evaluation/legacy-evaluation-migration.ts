import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { StartupMigrations } from '../migrations/startup-migrations';
import { GradesRepository } from './grades.repository';
import { ProgressRepository } from './progress.repository';
import { QuestionsRepository } from './questions.repository';

/**
 * Grades and questions written by the first release keep working (issue 12, point 6):
 * - its generated questions stay their author's own practice questions;
 * - its grades become practice, except those that answered a stored question (graded against the
 *   server's key, which the learner never saw): those keep counting;
 * - progress, which counted every grade with a module, is rebuilt from the grades that count.
 * Touches only records still in the old shape: idempotent, and safe with several instances (the
 * rebuild is written with `$set`, before the grades are marked, so a start stopped half-way redoes
 * it). It runs at each start until it has finished once (StartupMigrations).
 */
export const LEGACY_EVALUATION_MIGRATION = 'first-release-evaluation';

@Injectable()
export class LegacyEvaluationMigration implements OnApplicationBootstrap {
  private readonly logger = new Logger('Migration');

  constructor(
    private readonly grades: GradesRepository,
    private readonly progress: ProgressRepository,
    private readonly questions: QuestionsRepository,
    private readonly migrations: StartupMigrations,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.migrations.runOnce(LEGACY_EVALUATION_MIGRATION, async () => {
      const { questions, learners } = await this.run();
      if (questions > 0)
        this.logger.log(`${questions} generated question(s) of the first release became their authors' practice questions.`);
      if (learners > 0)
        this.logger.log(`The grades of ${learners} learner(s) of the first release were marked counted or practice; progress rebuilt.`);
      return true;
    });
  }

  async run(): Promise<{ questions: number; learners: number }> {
    const questions = await this.questions.adoptLegacy();
    const learners = await this.grades.usersWithUnmarkedGrades();
    for (const userId of learners) {
      const counting = [...(await this.grades.countedForUser(userId)), ...(await this.grades.unmarkedCountingForUser(userId))];
      await this.progress.replaceForUser(userId, counting);
      await this.grades.markUnmarked(userId);
    }
    return { questions, learners: learners.length };
  }
}
