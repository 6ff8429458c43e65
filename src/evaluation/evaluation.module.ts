import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { ContentDataModule } from '../content/content-data.module';
import { ModuleDataRemoval } from '../content/module-data-removal';
import { ModuleAccessModule } from '../courses/module-access.module';
import { IndexModule } from '../index/index.module';
import { LOCAL_LLM } from '../infrastructure/llm/llm.module';
import { LocalLlmProvider } from '../infrastructure/llm';
import { UserDataErasure } from '../users/user-data-erasure';
import { MigrationsModule } from '../migrations/migrations.module';
import { UsersDataModule } from '../users/users-data.module';
import { EvaluationAdminController } from './evaluation-admin.controller';
import { EvaluationDataModule } from './evaluation-data.module';
import { EvaluationController } from './evaluation.controller';
import { GradesRepository } from './grades.repository';
import { GradingService } from './grading.service';
import { LegacyEvaluationMigration } from './legacy-evaluation-migration';
import { registerLocalEvaluationTasks } from './local-evaluation-tasks';
import { ProgressService } from './progress.service';
import { QuestionBankAdminController } from './question-bank-admin.controller';
import { QuestionBankController } from './question-bank.controller';
import { QuestionBankService } from './question-bank.service';
import { QuestionGenerationService } from './question-generation.service';
import { QuestionsRepository } from './questions.repository';
import { ReviewCardsRepository } from './review-cards.repository';
import { ReviewService } from './review.service';

@Module({
  imports: [EvaluationDataModule, ContentDataModule, IndexModule, UsersDataModule, ModuleAccessModule, MigrationsModule],
  controllers: [EvaluationController, EvaluationAdminController, QuestionBankController, QuestionBankAdminController],
  providers: [
    GradesRepository,
    GradingService,
    QuestionGenerationService,
    QuestionBankService,
    ReviewService,
    ProgressService,
    LegacyEvaluationMigration,
  ],
  exports: [GradesRepository],
})
export class EvaluationModule implements OnModuleInit {
  constructor(
    @Inject(LOCAL_LLM) private readonly local: LocalLlmProvider,
    private readonly erasure: UserDataErasure,
    private readonly moduleRemoval: ModuleDataRemoval,
    private readonly grades: GradesRepository,
    private readonly questions: QuestionsRepository,
    private readonly cards: ReviewCardsRepository,
  ) {}

  onModuleInit(): void {
    registerLocalEvaluationTasks(this.local);
    this.erasure.register('grades', (userId) => this.grades.deleteForUser(userId));
    // Practice questions can carry the learner's own topic text: they go with the account. Bank
    // questions belong to their module and stay.
    this.erasure.register('questions', (userId) => this.questions.deletePracticeCreatedBy(userId));
    this.moduleRemoval.register('questions', (moduleId) => this.questions.deleteByModule(moduleId));
    this.moduleRemoval.register('review_cards', (moduleId) => this.cards.deleteForModule(moduleId));
  }
}
