import { Module, OnModuleInit } from '@nestjs/common';
import { EvaluationDataModule } from '../evaluation/evaluation-data.module';
import { UserDataErasure } from '../users/user-data-erasure';
import { UsersDataModule } from '../users/users-data.module';
import { CoursesAdminController } from './courses-admin.controller';
import { CoursesController } from './courses.controller';
import { CoursesRepository } from './courses.repository';
import { CoursesService } from './courses.service';
import { EnrollmentsRepository } from './enrollments.repository';

@Module({
  imports: [UsersDataModule, EvaluationDataModule],
  controllers: [CoursesController, CoursesAdminController],
  providers: [CoursesRepository, EnrollmentsRepository, CoursesService],
  exports: [CoursesService, CoursesRepository, EnrollmentsRepository],
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
