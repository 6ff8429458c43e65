import type { BaseEmbedding } from '@llamaindex/core/embeddings';
import { AppConfig } from '../config/app-config';
import { remoteProviders } from '../infrastructure/llm/remote-providers';
import { LocalHashingEmbedding } from './engine';

/** DI token of the embedding model (a LlamaIndex BaseEmbedding) chosen by configuration. */
export const EMBEDDING_MODEL = Symbol('EMBEDDING_MODEL');

export function createEmbeddingModel(config: AppConfig): BaseEmbedding {
  const { models } = config;
  switch (models.embeddingProvider) {
    case 'local':
      return new LocalHashingEmbedding();
    case 'azure-openai':
      return remoteProviders().createRemoteEmbedding({
        provider: 'azure-openai',
        azure: {
          endpoint: models.azure.endpoint,
          apiKey: models.azure.apiKey,
          apiVersion: models.azure.apiVersion,
          embeddingDeployment: models.azure.embeddingDeployment,
        },
        timeoutMs: models.timeoutMs,
        maxRetries: models.maxRetries,
      });
    case 'openai-compatible':
      return remoteProviders().createRemoteEmbedding({
        provider: 'openai-compatible',
        openai: { baseUrl: models.openai.baseUrl, apiKey: models.openai.apiKey, embeddingModel: models.openai.embeddingModel },
        timeoutMs: models.timeoutMs,
        maxRetries: models.maxRetries,
      });
  }
}
