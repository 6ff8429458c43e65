import { Module } from '@nestjs/common';
import { IndexModule } from '../index/index.module';
import { ContentAdminController } from './content-admin.controller';
import { ContentDataModule } from './content-data.module';
import { ContentController } from './content.controller';
import { ContentService } from './content.service';
import { DemoContentSeeder } from './demo-content.seeder';
import { DocumentParser } from './parsing/document-parser';

@Module({
  imports: [ContentDataModule, IndexModule],
  controllers: [ContentController, ContentAdminController],
  providers: [ContentService, DemoContentSeeder, DocumentParser],
  exports: [ContentService],
})
export class ContentModule {}
