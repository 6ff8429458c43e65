import { Module } from '@nestjs/common';
import { CourseModulesRepository } from './course-modules.repository';
import { ModuleDataRemoval } from './module-data-removal';
import { ResourcesRepository } from './resources.repository';

/** The modules and resources collections, for the modules below Content (Index) that read them. */
@Module({
  providers: [CourseModulesRepository, ResourcesRepository, ModuleDataRemoval],
  exports: [CourseModulesRepository, ResourcesRepository, ModuleDataRemoval],
})
export class ContentDataModule {}
