import { Module, OnModuleInit } from '@nestjs/common';
import { LearnerProfile } from '../chat/learner-profile';
import { ContentDataModule } from '../content/content-data.module';
import { ModuleAccessModule } from '../courses/module-access.module';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { ProgressLearnerProfile } from './progress-learner-profile';
import { ProgressRepository } from './progress.repository';

/** Progress and the learner profile built on it, for the modules that read them (Chat). */
@Module({
  imports: [ContentDataModule, UsersDataModule, ModuleAccessModule],
  providers: [ProgressRepository, { provide: LearnerProfile, useClass: ProgressLearnerProfile }],
  exports: [ProgressRepository, LearnerProfile],
})
export class EvaluationDataModule implements OnModuleInit {
  constructor(
    private readonly erasure: UserDataErasure,
    private readonly progress: ProgressRepository,
  ) {}

  onModuleInit(): void {
    this.erasure.register('progress', (userId) => this.progress.deleteForUser(userId));
  }
}
