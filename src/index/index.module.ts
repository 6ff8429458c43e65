import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ContentDataModule } from '../content/content-data.module';
import { ModuleAccessModule } from '../courses/module-access.module';
import { ChunksRepository } from './chunks.repository';
import { createEmbeddingModel, EMBEDDING_MODEL } from './embedding.factory';
import { IndexAdminController } from './index-admin.controller';
import { IndexRebuildService } from './index-rebuild.service';
import { IndexService } from './index.service';
import { IndexFeedRepository } from './index-feed.repository';
import { JobsRepository } from './jobs.repository';
import { ResourceIndexingService } from './resource-indexing.service';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';

@Module({
  imports: [ContentDataModule, ModuleAccessModule],
  controllers: [SearchController, IndexAdminController],
  providers: [
    { provide: EMBEDDING_MODEL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createEmbeddingModel(config) },
    ChunksRepository,
    JobsRepository,
    IndexFeedRepository,
    IndexService,
    ResourceIndexingService,
    IndexRebuildService,
    SearchService,
  ],
  exports: [IndexService, ResourceIndexingService, SearchService, ChunksRepository],
})
export class IndexModule {}
