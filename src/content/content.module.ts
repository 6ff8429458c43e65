import { Module } from '@nestjs/common';
import { ModuleAccessModule } from '../courses/module-access.module';
import { IndexModule } from '../index/index.module';
import { MigrationsModule } from '../migrations/migrations.module';
import { UsersDataModule } from '../users/users-data.module';
import { ContentAdminController } from './content-admin.controller';
import { ContentDataModule } from './content-data.module';
import { ContentController } from './content.controller';
import { ContentService } from './content.service';
import { DemoContentSeeder } from './demo-content.seeder';
import { LegacyModuleMigration } from './legacy-module-migration';
import { DocumentParser } from './parsing/document-parser';

@Module({
  imports: [ContentDataModule, IndexModule, ModuleAccessModule, UsersDataModule, MigrationsModule],
  controllers: [ContentController, ContentAdminController],
  providers: [ContentService, DemoContentSeeder, LegacyModuleMigration, DocumentParser],
  exports: [ContentService],
})
export class ContentModule {}
