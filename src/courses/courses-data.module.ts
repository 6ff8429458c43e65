import { Module } from '@nestjs/common';
import { CoursesRepository } from './courses.repository';
import { EnrollmentsRepository } from './enrollments.repository';

/** The courses and enrollments collections, for the modules that decide who reaches what (ModuleAccess). */
@Module({ providers: [CoursesRepository, EnrollmentsRepository], exports: [CoursesRepository, EnrollmentsRepository] })
export class CoursesDataModule {}
