import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DocumentStore } from './document-store';
import { EmbeddedDocumentStore } from './embedded/embedded-document-store';
import { EmbeddedRecordStore } from './embedded/embedded-record-store';
import { mongoImports, mongoStoreProvider } from './mongo/mongo-persistence';

const embeddedStoreProvider = {
  provide: DocumentStore,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new EmbeddedDocumentStore(config.dataDir),
};

const embeddedRecordStoreProvider = {
  provide: EmbeddedRecordStore,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new EmbeddedRecordStore(config.dataDir),
};

/**
 * The document store, picked from configuration: MongoDB through `@nestjs/mongoose` when
 * MONGODB_URI is set, else the embedded files under DATA_DIR (NeDB, and LMDB for the chunks:
 * `EmbeddedRecordStore`, provided in that mode only).
 */
@Global()
@Module({})
export class PersistenceModule implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Persistence');

  constructor(
    @Inject(DocumentStore) private readonly store: DocumentStore,
    /** Present only in MongoDB mode. */
    @Optional() @InjectConnection() private readonly connection?: Connection,
    /** Present only in embedded mode. */
    @Optional() private readonly records?: EmbeddedRecordStore,
  ) {}

  static forRoot(config: Pick<AppConfig, 'mongodbUri'>): DynamicModule {
    const mongodb = Boolean(config.mongodbUri);
    return {
      module: PersistenceModule,
      imports: mongodb ? mongoImports() : [],
      providers: mongodb ? [mongoStoreProvider] : [embeddedStoreProvider, embeddedRecordStoreProvider],
      exports: mongodb ? [DocumentStore] : [DocumentStore, EmbeddedRecordStore],
    };
  }

  /** The application serves only once every collection is ready: its indexes built, or its file read. */
  async onModuleInit(): Promise<void> {
    try {
      await this.store.ready();
    } catch (error) {
      this.logger.error(`Start-up stopped: ${error instanceof Error ? error.message : String(error)}`);
      // Nest runs no shutdown hook after a failed start (close() rethrows the failure), so the
      // connection would stay open and keep the process alive.
      await this.store.close();
      await this.connection?.close();
      await this.records?.close();
      throw error;
    }
  }

  /**
   * Before any shutdown hook closes a connection (MongooseModule closes it in its own), the store's
   * work in flight finishes: an index build cut off by a closed connection would fail unheard.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.store.close().catch((error: unknown) => this.logger.error(error));
  }

  /**
   * The global module's hooks run after every other module's (Nest orders shutdown hooks by module
   * distance), so the index's last feed step and save have read their chunks before this closes.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.records?.close().catch((error: unknown) => this.logger.error(error));
  }
}
