import { Module, OnModuleInit } from '@nestjs/common';
import { LearnerProfile } from '../chat/learner-profile';
import { ContentDataModule } from '../content/content-data.module';
import { ModuleAccessModule } from '../courses/module-access.module';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { ProgressLearnerProfile } from './progress-learner-profile';
import { ProgressRepository } from './progress.repository';
import { QuestionsRepository } from './questions.repository';
import { ReviewCardsRepository } from './review-cards.repository';

/** Progress, questions, review cards and the learner profile built on progress, for the modules that read them (Chat, Courses). */
@Module({
  imports: [ContentDataModule, UsersDataModule, ModuleAccessModule],
  providers: [
    ProgressRepository,
    QuestionsRepository,
    ReviewCardsRepository,
    { provide: LearnerProfile, useClass: ProgressLearnerProfile },
  ],
  exports: [ProgressRepository, QuestionsRepository, ReviewCardsRepository, LearnerProfile],
})
export class EvaluationDataModule implements OnModuleInit {
  constructor(
    private readonly erasure: UserDataErasure,
    private readonly progress: ProgressRepository,
    private readonly cards: ReviewCardsRepository,
  ) {}

  onModuleInit(): void {
    this.erasure.register('progress', (userId) => this.progress.deleteForUser(userId));
    this.erasure.register('review_cards', (userId) => this.cards.deleteForUser(userId));
  }
}
