import { Module } from '@nestjs/common';
import { ContentDataModule } from '../content/content-data.module';
import { CoursesDataModule } from './courses-data.module';
import { ModuleAccessService } from './module-access.service';

/**
 * Who sees and who manages a module. It depends on collections only (no feature module), so
 * Content, Index, Chat and Evaluation import it without cycles.
 */
@Module({
  imports: [ContentDataModule, CoursesDataModule],
  providers: [ModuleAccessService],
  exports: [ModuleAccessService, CoursesDataModule],
})
export class ModuleAccessModule {}
