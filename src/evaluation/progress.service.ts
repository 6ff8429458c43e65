import { Injectable } from '@nestjs/common';
import { CourseModulesRepository } from '../content/course-modules.repository';
import { GradesRepository } from './grades.repository';
import { masteryOf } from './mastery';
import { ProgressRepository } from './progress.repository';

export interface ModuleProgress {
  moduleId: string;
  title: string;
  attempts: number;
  averagePercentage: number;
  mastery: number;
  lastAttemptAt: Date | null;
}

export interface LearnerProgress {
  overall: { attempts: number; averagePercentage: number };
  modules: ModuleProgress[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

@Injectable()
export class ProgressService {
  constructor(
    private readonly progress: ProgressRepository,
    private readonly grades: GradesRepository,
    private readonly modules: CourseModulesRepository,
  ) {}

  /** Counted grades only (API.md): practice is kept and fed back, but measures nothing. */
  async forUser(userId: string): Promise<LearnerProgress> {
    const [rows, overall] = await Promise.all([this.progress.forUser(userId), this.grades.countedSummary(userId)]);
    const titles = new Map((await this.modules.findByIds(rows.map((r) => r.moduleId))).map((m) => [m.id, m.title]));
    return {
      overall: { attempts: overall.attempts, averagePercentage: round2(overall.averagePercentage ?? 0) },
      modules: rows
        .filter((r) => r.attempts > 0)
        .map((r) => ({
          moduleId: r.moduleId,
          title: titles.get(r.moduleId) ?? '',
          attempts: r.attempts,
          averagePercentage: round2(r.percentSum / r.attempts),
          mastery: Math.round(masteryOf(r.weightedPercent, r.weight) * 1000) / 1000,
          lastAttemptAt: r.lastAttemptAt,
        })),
    };
  }
}
