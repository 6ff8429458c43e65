import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DocumentStore } from './document-store';
import { EmbeddedDocumentStore } from './embedded/embedded-document-store';
import { MongoDocumentStore } from './mongo/mongo-document-store';

/** Picks the document store from configuration: MongoDB when MONGODB_URI is set, else the embedded files. */
export async function createDocumentStore(config: AppConfig): Promise<DocumentStore> {
  if (config.mongodbUri) return MongoDocumentStore.connect(config.mongodbUri);
  return new EmbeddedDocumentStore(config.dataDir);
}

@Global()
@Module({
  providers: [{ provide: DocumentStore, inject: [APP_CONFIG], useFactory: createDocumentStore }],
  exports: [DocumentStore],
})
export class PersistenceModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Persistence');

  constructor(@Inject(DocumentStore) private readonly store: DocumentStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close().catch((error: unknown) => this.logger.error(error));
  }
}
