import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { ContentDataModule } from '../content/content-data.module';
import { ModuleDataRemoval } from '../content/module-data-removal';
import { ModuleAccessModule } from '../courses/module-access.module';
import { IndexModule } from '../index/index.module';
import { LOCAL_LLM } from '../infrastructure/llm/llm.module';
import { LocalLlmProvider } from '../infrastructure/llm';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { EvaluationAdminController } from './evaluation-admin.controller';
import { EvaluationDataModule } from './evaluation-data.module';
import { EvaluationController } from './evaluation.controller';
import { GradesRepository } from './grades.repository';
import { GradingService } from './grading.service';
import { registerLocalEvaluationTasks } from './local-evaluation-tasks';
import { ProgressService } from './progress.service';
import { QuestionGenerationService } from './question-generation.service';
import { QuestionsRepository } from './questions.repository';

@Module({
  imports: [EvaluationDataModule, ContentDataModule, IndexModule, UsersDataModule, ModuleAccessModule],
  controllers: [EvaluationController, EvaluationAdminController],
  providers: [GradesRepository, QuestionsRepository, GradingService, QuestionGenerationService, ProgressService],
  exports: [GradesRepository],
})
export class EvaluationModule implements OnModuleInit {
  constructor(
    @Inject(LOCAL_LLM) private readonly local: LocalLlmProvider,
    private readonly erasure: UserDataErasure,
    private readonly moduleRemoval: ModuleDataRemoval,
    private readonly grades: GradesRepository,
    private readonly questions: QuestionsRepository,
  ) {}

  onModuleInit(): void {
    registerLocalEvaluationTasks(this.local);
    this.erasure.register('grades', (userId) => this.grades.deleteForUser(userId));
    // Generated questions can carry the learner's own topic text: they go with the account.
    this.erasure.register('questions', (userId) => this.questions.deleteCreatedBy(userId));
    this.moduleRemoval.register('questions', (moduleId) => this.questions.deleteByModule(moduleId));
  }
}
