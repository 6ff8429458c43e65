import { DynamicModule, FactoryProvider } from '@nestjs/common';
import { getConnectionToken, getModelToken, MongooseModule, MongooseModuleFactoryOptions } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.module';
import { APPLICATION_MODELS } from '../collections';
import { DocumentStore, StoredDocument } from '../document-store';
import { MongoDocumentStore } from './mongo-document-store';

/**
 * How the application connects. Indexes are built once at start-up and awaited (the persistence
 * module), never by Mongoose in the background (`autoIndex`), whose failures nobody would hear;
 * collections are created by their first index build or write, not by `autoCreate` in the
 * background. A server that cannot be selected fails an operation after 5 s instead of queueing it
 * for the driver's default 30 s.
 */
export const MONGO_CONNECTION_OPTIONS = {
  serverSelectionTimeoutMS: 5_000,
  autoIndex: false,
  autoCreate: false,
} as const;

/** Start-up tries three times, a second apart, then stops with the driver's error. */
const CONNECT_ATTEMPTS = { retryAttempts: 3, retryDelay: 1_000 } as const;

export function mongooseOptions(uri: string): MongooseModuleFactoryOptions {
  return { uri, ...MONGO_CONNECTION_OPTIONS, ...CONNECT_ATTEMPTS };
}

/** The connection (opened and closed by Nest) and a model per application collection. */
export function mongoImports(): DynamicModule[] {
  return [
    MongooseModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!config.mongodbUri) throw new Error('MONGODB_URI is not set');
        return mongooseOptions(config.mongodbUri);
      },
    }),
    MongooseModule.forFeature([...APPLICATION_MODELS]),
  ];
}

export const mongoStoreProvider: FactoryProvider<DocumentStore> = {
  provide: DocumentStore,
  inject: [getConnectionToken(), ...APPLICATION_MODELS.map((model) => getModelToken(model.name))],
  useFactory: (connection: Connection, ...models: Model<StoredDocument>[]) => new MongoDocumentStore(connection, models),
};
