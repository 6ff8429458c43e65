import OpenAI, { AzureOpenAI } from 'openai';

/** Entra ID scope of Azure OpenAI (Cognitive Services) for bearer tokens. */
export const AZURE_COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

export type TokenProvider = () => Promise<string>;

export interface AzureConnection {
  /** The resource endpoint, e.g. https://my-resource.openai.azure.com/ */
  endpoint: string;
  /** When absent, requests carry an Entra ID bearer token instead of `api-key`. */
  apiKey?: string;
  apiVersion: string;
}

export interface OpenAICompatibleConnection {
  /** Base URL including the version prefix, e.g. http://localhost:11434/v1 for Ollama. */
  baseUrl: string;
  apiKey?: string;
}

export interface ClientOptions {
  /** Upper bound given to the SDK; our own per-attempt timer is meant to fire first. */
  timeoutMs: number;
  /** Replaces the DefaultAzureCredential token provider (tests, or a managed identity chosen by the caller). */
  tokenProvider?: TokenProvider;
}

/**
 * Entra ID tokens through DefaultAzureCredential (environment, workload identity, managed
 * identity, Azure CLI, ...). @azure/identity is loaded on first use so deployments with an API
 * key, or with the local provider, never pay for it.
 */
export function defaultEntraTokenProvider(scope = AZURE_COGNITIVE_SERVICES_SCOPE): TokenProvider {
  let provider: Promise<TokenProvider> | undefined;
  return async () => {
    provider ??= import('@azure/identity').then(({ DefaultAzureCredential, getBearerTokenProvider }) =>
      getBearerTokenProvider(new DefaultAzureCredential(), scope),
    );
    return (await provider)();
  };
}

/**
 * One Azure client per resource. No `deployment` option: the SDK then builds
 * `/openai/deployments/{model}/...` from each request's `model`, so chat and embeddings
 * deployments can share the client.
 */
export function createAzureClient(connection: AzureConnection, options: ClientOptions): AzureOpenAI {
  const common = {
    // An explicit baseURL keeps OPENAI_BASE_URL (meant for the OpenAI-compatible provider) out of Azure calls.
    baseURL: `${connection.endpoint.replace(/\/+$/, '')}/openai`,
    apiVersion: connection.apiVersion,
    maxRetries: 0,
    timeout: options.timeoutMs,
  };
  if (connection.apiKey) return new AzureOpenAI({ ...common, apiKey: connection.apiKey });
  return new AzureOpenAI({
    ...common,
    azureADTokenProvider: options.tokenProvider ?? defaultEntraTokenProvider(),
    // null, not undefined: undefined would make the SDK fall back to AZURE_OPENAI_API_KEY and
    // then refuse the token provider as a second credential.
    apiKey: null as unknown as undefined,
  });
}

export function createOpenAICompatibleClient(connection: OpenAICompatibleConnection, options: ClientOptions): OpenAI {
  return new OpenAI({
    baseURL: connection.baseUrl,
    // Local servers (Ollama, vLLM, LM Studio) usually need no key, but the SDK insists on one; a
    // null Authorization header then keeps the stand-in value off the wire.
    apiKey: connection.apiKey || 'no-key',
    defaultHeaders: connection.apiKey ? undefined : { Authorization: null },
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
}
