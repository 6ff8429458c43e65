import { BaseEmbedding } from '@llamaindex/core/embeddings';
import type OpenAI from 'openai';
import { RetryPolicy, RetryRun, llmUnavailable } from './retry-policy';

export interface RemoteEmbeddingOptions {
  name: 'azure-openai' | 'openai-compatible';
  /** An AzureOpenAI or OpenAI client, created with maxRetries 0. */
  client: OpenAI;
  /** Azure deployment name, or model name on an OpenAI-compatible server. */
  model: string;
  retry: RetryPolicy;
  /** Texts per request. Azure accepts up to 2048 inputs per call; smaller batches fail and retry cheaper. */
  batchSize?: number;
  /** Expected vector length; learned from the first answer when not configured. */
  dimensions?: number;
  /** Send `dimensions` to the service (text-embedding-3 models can shorten their vectors; older models reject the field). */
  requestDimensions?: boolean;
}

export interface EmbedOptions {
  signal?: AbortSignal;
}

/**
 * Embeddings from Azure OpenAI or an OpenAI-compatible server behind LlamaIndex's embedding
 * interface, with batching and the same retry and timeout policy as chat.
 */
export class RemoteEmbedding extends BaseEmbedding {
  readonly providerName: 'azure-openai' | 'openai-compatible';
  readonly modelName: string;
  private readonly client: OpenAI;
  private readonly retry: RetryPolicy;
  private readonly requestDimensions: boolean;
  private knownDimensions: number | undefined;

  constructor(options: RemoteEmbeddingOptions) {
    super();
    this.providerName = options.name;
    this.client = options.client;
    this.modelName = options.model;
    this.retry = options.retry;
    this.embedBatchSize = options.batchSize ?? 64;
    this.knownDimensions = options.dimensions;
    this.requestDimensions = options.requestDimensions ?? false;
    this.embedInfo = { dimensions: options.dimensions };
    // BaseEmbedding declares this as an instance property assigned in its constructor, so it is
    // replaced here rather than overridden as a method.
    this.getTextEmbeddings = (texts: string[]) => this.embedTexts(texts);
  }

  /** Vector length, once configured or seen in an answer. */
  get dimensions(): number | undefined {
    return this.knownDimensions;
  }

  async getTextEmbedding(text: string): Promise<number[]> {
    const [vector] = await this.embedTexts([text]);
    return vector;
  }

  /** Embeds any number of texts, `embedBatchSize` per request, in the order given. */
  async embedTexts(texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.embedBatchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.embedBatchSize), options.signal)));
    }
    return vectors;
  }

  private async embedBatch(batch: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    // The service rejects empty strings; a single space embeds as "nothing" and keeps positions aligned.
    const input = batch.map((text) => (text.trim() === '' ? ' ' : text));
    const run = new RetryRun(this.retry, signal, `${this.providerName} embeddings`);
    for (;;) {
      const attempt = run.beginAttempt();
      try {
        const response = await this.client.embeddings.create(
          {
            model: this.modelName,
            input,
            // Floats rather than the SDK's base64 default: every OpenAI-compatible server speaks them.
            encoding_format: 'float',
            ...(this.requestDimensions && this.knownDimensions ? { dimensions: this.knownDimensions } : {}),
          },
          { signal: attempt.signal, maxRetries: 0 },
        );
        return this.inOrder(response.data, input.length);
      } catch (error) {
        if (error instanceof EmbeddingShapeError) throw llmUnavailable(`${this.providerName} embeddings: ${error.message}`);
        await run.afterFailure(error, attempt);
      } finally {
        attempt.dispose();
      }
    }
  }

  private inOrder(data: ReadonlyArray<{ index: number; embedding: number[] }>, expected: number): number[][] {
    if (data.length !== expected) throw new EmbeddingShapeError(`asked for ${expected} vectors, got ${data.length}`);
    const vectors = new Array<number[]>(expected);
    for (const item of data) {
      if (!Array.isArray(item.embedding) || vectors[item.index] !== undefined || item.index >= expected) {
        throw new EmbeddingShapeError(`unexpected vector at index ${item.index}`);
      }
      if (this.knownDimensions === undefined) {
        this.knownDimensions = item.embedding.length;
        this.embedInfo = { ...this.embedInfo, dimensions: item.embedding.length };
      } else if (item.embedding.length !== this.knownDimensions) {
        throw new EmbeddingShapeError(`expected ${this.knownDimensions} dimensions, got ${item.embedding.length}`);
      }
      vectors[item.index] = item.embedding;
    }
    return vectors;
  }
}

/** The service answered, but not with the vectors asked for (wrong model or dimensions configured). */
class EmbeddingShapeError extends Error {}
