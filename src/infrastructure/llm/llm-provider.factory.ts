import type OpenAI from 'openai';
import type { LlmProvider } from './llm-provider';
import { LocalLlmProvider } from './local-llm.provider';
import {
  AzureConnection,
  OpenAICompatibleConnection,
  TokenProvider,
  createAzureClient,
  createOpenAICompatibleClient,
} from './openai-clients';
import { OpenAIChatProvider } from './openai-chat.provider';
import { RemoteEmbedding } from './remote-embedding';
import { RetryPolicy, retryPolicyFrom } from './retry-policy';

export type LlmProviderKind = 'local' | 'azure-openai' | 'openai-compatible';

export interface LlmProviderConfig {
  provider: LlmProviderKind;
  azure?: AzureConnection & { chatDeployment: string };
  openai?: OpenAICompatibleConnection & { chatModel: string };
  /** Per attempt; for streams, the longest silence between chunks. */
  timeoutMs: number;
  maxRetries: number;
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

export interface RemoteEmbeddingConfig {
  provider: 'azure-openai' | 'openai-compatible';
  azure?: AzureConnection & { embeddingDeployment: string };
  openai?: OpenAICompatibleConnection & { embeddingModel: string };
  timeoutMs: number;
  maxRetries: number;
  batchSize?: number;
  dimensions?: number;
  requestDimensions?: boolean;
}

export interface ProviderDeps {
  /** Entra ID token source used when Azure has no API key; defaults to DefaultAzureCredential. */
  azureTokenProvider?: TokenProvider;
  /** Finer retry settings (backoff, Retry-After cap, deadline) than configuration exposes. */
  retry?: Partial<RetryPolicy>;
}

export function createLlmProvider(config: LlmProviderConfig, deps: ProviderDeps = {}): LlmProvider {
  if (config.provider === 'local') return new LocalLlmProvider();
  const retry = retryPolicyFrom(config.timeoutMs, config.maxRetries, deps.retry);
  const { client, model } = remoteClient(config.provider, config.azure?.chatDeployment, config.openai?.chatModel, config, retry, deps);
  return new OpenAIChatProvider({ name: config.provider, client, model, retry, maxTokensField: config.maxTokensField });
}

export function createRemoteEmbedding(config: RemoteEmbeddingConfig, deps: ProviderDeps = {}): RemoteEmbedding {
  const retry = retryPolicyFrom(config.timeoutMs, config.maxRetries, deps.retry);
  const { client, model } = remoteClient(
    config.provider,
    config.azure?.embeddingDeployment,
    config.openai?.embeddingModel,
    config,
    retry,
    deps,
  );
  return new RemoteEmbedding({
    name: config.provider,
    client,
    model,
    retry,
    batchSize: config.batchSize,
    dimensions: config.dimensions,
    requestDimensions: config.requestDimensions,
  });
}

function remoteClient(
  provider: 'azure-openai' | 'openai-compatible',
  deployment: string | undefined,
  modelName: string | undefined,
  config: { azure?: AzureConnection; openai?: OpenAICompatibleConnection },
  retry: RetryPolicy,
  deps: ProviderDeps,
): { client: OpenAI; model: string } {
  // The SDK's own timer is a backstop behind ours, so a timeout is always ours to classify.
  const clientOptions = { timeoutMs: retry.attemptTimeoutMs + 5_000, tokenProvider: deps.azureTokenProvider };
  if (provider === 'azure-openai') {
    if (!config.azure || !deployment) throw new Error('Azure OpenAI needs an endpoint, an API version and a deployment name.');
    return { client: createAzureClient(config.azure, clientOptions), model: deployment };
  }
  if (!config.openai || !modelName) throw new Error('The OpenAI-compatible provider needs a base URL and a model name.');
  return { client: createOpenAICompatibleClient(config.openai, clientOptions), model: modelName };
}
