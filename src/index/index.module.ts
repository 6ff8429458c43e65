import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ContentDataModule } from '../content/content-data.module';
import { ModuleAccessModule } from '../courses/module-access.module';
import { DocumentStore } from '../infrastructure/persistence/document-store';
import { EmbeddedRecordStore } from '../infrastructure/persistence/embedded/embedded-record-store';
import { ChunksRepository } from './chunks.repository';
import { EmbeddedChunksRepository } from './embedded-chunks.repository';
import { createEmbeddingModel, EMBEDDING_MODEL } from './embedding.factory';
import { IndexAdminController } from './index-admin.controller';
import { IndexRebuildService } from './index-rebuild.service';
import { IndexService } from './index.service';
import { IndexFeedRepository } from './index-feed.repository';
import { JobsRepository } from './jobs.repository';
import { ResourceIndexingService } from './resource-indexing.service';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { StoredChunksRepository } from './stored-chunks.repository';

/** MongoDB's `chunks` collection, or LMDB under DATA_DIR on the embedded store. */
const chunksRepositoryProvider = {
  provide: ChunksRepository,
  inject: [DocumentStore, { token: EmbeddedRecordStore, optional: true }],
  useFactory: (store: DocumentStore, records?: EmbeddedRecordStore): Promise<ChunksRepository> | ChunksRepository =>
    records ? EmbeddedChunksRepository.open(records) : new StoredChunksRepository(store),
};

@Module({
  imports: [ContentDataModule, ModuleAccessModule],
  controllers: [SearchController, IndexAdminController],
  providers: [
    { provide: EMBEDDING_MODEL, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createEmbeddingModel(config) },
    chunksRepositoryProvider,
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
