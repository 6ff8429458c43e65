import { Module, OnModuleInit } from '@nestjs/common';
import { ContentDataModule } from '../content/content-data.module';
import { ContentModule } from '../content/content.module';
import { EvaluationDataModule } from '../evaluation/evaluation-data.module';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { CoursesAdminController } from './courses-admin.controller';
import { CoursesController } from './courses.controller';
import { CoursesDataModule } from './courses-data.module';
import { CoursesService } from './courses.service';

@Module({
  imports: [UsersDataModule, EvaluationDataModule, CoursesDataModule, ContentDataModule, ContentModule],
  controllers: [CoursesController, CoursesAdminController],
  providers: [CoursesService],
  exports: [CoursesService],
})
export class CoursesModule implements OnModuleInit {
  constructor(
    private readonly erasure: UserDataErasure,
    private readonly courses: CoursesService,
  ) {}

  onModuleInit(): void {
    this.erasure.register('courses', (userId) => this.courses.forgetUser(userId));
  }
}
