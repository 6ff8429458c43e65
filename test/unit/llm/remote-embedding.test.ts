import { afterAll, beforeAll, beforeEach, describe, it, expect } from '@jest/globals';
import assert from 'node:assert/strict';
import { Document } from '@llamaindex/core/schema';
import { ApiError } from '../../../src/common/errors/api-error';
import { createRemoteEmbedding } from '../../../src/infrastructure/llm/llm-provider.factory';
import { RemoteEmbedding } from '../../../src/infrastructure/llm/remote-embedding';
import { FakeAzureOpenAI, hashVector, startFakeAzureOpenAI } from '../../support/fake-azure-openai';

const DEPLOYMENT = 'embed-small';

describe('remote embeddings', () => {
  let fake: FakeAzureOpenAI;

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI({ apiKey: 'k', dimensions: 6 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  function azureEmbedding(batchSize: number, maxRetries = 2): RemoteEmbedding {
    return createRemoteEmbedding(
      {
        provider: 'azure-openai',
        azure: { endpoint: fake.url, apiKey: 'k', apiVersion: '2024-10-21', embeddingDeployment: DEPLOYMENT },
        timeoutMs: 2_000,
        maxRetries,
        batchSize,
      },
      { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
    );
  }

  it('should send N texts in ceil(N / batch) requests and keep their order', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `passage number ${i}`);
    const embedding = azureEmbedding(4);
    const vectors = await embedding.getTextEmbeddingsBatch(texts);
    assert.equal(fake.requests.length, 3);
    expect(fake.requests.map((r) => r.body.input.length)).toEqual([4, 4, 2]);
    assert.equal(fake.requests[0].path, `/openai/deployments/${DEPLOYMENT}/embeddings`);
    assert.equal(fake.requests[0].query['api-version'], '2024-10-21');
    assert.equal(fake.requests[0].headers['api-key'], 'k');
    expect(vectors).toEqual(texts.map((t) => hashVector(t, 6)));
    assert.equal(embedding.dimensions, 6);
  });

  it('should put vectors back in input order when the service lists them out of order', async () => {
    const answer = (vectors: number[][]) => ({
      type: 'raw' as const,
      status: 200,
      body: {
        object: 'list',
        model: 'm',
        data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })).reverse(),
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    });
    fake.enqueue(
      'embeddings',
      answer([
        [1, 0],
        [0, 1],
        [1, 1],
      ]),
    );
    const vectors = await azureEmbedding(8).embedTexts(['a', 'b', 'c']);
    expect(vectors).toEqual([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
  });

  it('should retry a throttled batch after its Retry-After and embed LlamaIndex nodes', async () => {
    fake.enqueue('embeddings', { type: 'error', status: 429, retryAfterMs: 100 });
    const nodes = [new Document({ text: 'Photosynthesis uses light.' }), new Document({ text: 'Cells divide.' })];
    const embedded = await azureEmbedding(16)(nodes);
    assert.equal(fake.requests.length, 2);
    assert.ok(fake.requests[1].receivedAt - fake.requests[0].receivedAt >= 90);
    expect(embedded.map((n) => n.embedding)).toEqual([hashVector('Photosynthesis uses light.', 6), hashVector('Cells divide.', 6)]);
  });

  it('should answer llm_unavailable when a batch keeps failing', async () => {
    fake.setDefault('embeddings', () => ({ type: 'error', status: 502 }));
    await assert.rejects(azureEmbedding(16, 1).embedTexts(['x']), (e) => e instanceof ApiError && e.code === 'llm_unavailable');
    assert.equal(fake.requests.length, 2);
  });

  it('should refuse vectors whose length differs from the configured dimensions', async () => {
    const embedding = createRemoteEmbedding({
      provider: 'openai-compatible',
      openai: { baseUrl: fake.openaiBaseUrl, apiKey: 'k', embeddingModel: 'nomic-embed-text' },
      timeoutMs: 2_000,
      maxRetries: 3,
      dimensions: 768,
    });
    await assert.rejects(embedding.getTextEmbedding('hello'), (e) => e instanceof ApiError && e.code === 'llm_unavailable');
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0].path, '/v1/embeddings');
    assert.equal(fake.requests[0].body.model, 'nomic-embed-text');
    assert.equal(fake.requests[0].body.dimensions, undefined);
  });
});
