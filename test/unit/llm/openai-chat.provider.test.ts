import { afterAll, beforeAll, beforeEach, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/common/errors/api-error';
import {
  LlmAbortedError,
  LlmProvider,
  LlmRequest,
  LlmStreamEvent,
  SchemaViolation,
  StructuredSchema,
} from '../../../src/infrastructure/llm';
import { ProviderDeps, createLlmProvider } from '../../../src/infrastructure/llm/llm-provider.factory';
import { FakeAzureOpenAI, startFakeAzureOpenAI } from '../../support/fake-azure-openai';

const API_KEY = 'test-key';
const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'tutor-gpt4o';
const FAST_BACKOFF: ProviderDeps = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

function azure(
  fake: FakeAzureOpenAI,
  options: { timeoutMs?: number; maxRetries?: number } = {},
  deps: ProviderDeps = FAST_BACKOFF,
): LlmProvider {
  return createLlmProvider(
    {
      provider: 'azure-openai',
      azure: { endpoint: fake.url, apiKey: API_KEY, apiVersion: API_VERSION, chatDeployment: DEPLOYMENT },
      timeoutMs: options.timeoutMs ?? 5_000,
      maxRetries: options.maxRetries ?? 2,
    },
    deps,
  );
}

function request(question = 'What is photosynthesis?', extra: Partial<LlmRequest> = {}): LlmRequest {
  return {
    task: { kind: 'tutor_answer', question, history: [], passages: [], language: 'en' },
    messages: [
      { role: 'system', content: 'You are a tutor.' },
      { role: 'user', content: question },
    ],
    ...extra,
  };
}

async function collect(stream: AsyncIterable<LlmStreamEvent>): Promise<LlmStreamEvent[]> {
  const events: LlmStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

function isContentFiltered(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'content_filtered' && error.status === 422;
}

function isUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'llm_unavailable' && error.status === 503;
}

describe('Azure OpenAI and OpenAI-compatible chat providers', () => {
  let fake: FakeAzureOpenAI;

  beforeAll(async () => {
    fake = await startFakeAzureOpenAI({ apiKey: API_KEY, bearerToken: 'entra-token-123' });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('should call the deployment path with the api-version query and the api-key header', async () => {
    fake.enqueue('chat', { type: 'chat', text: 'Photosynthesis turns light into chemical energy [1].' });
    const result = await azure(fake).complete(request());
    assert.equal(result.text, 'Photosynthesis turns light into chemical energy [1].');
    const [sent] = fake.requests;
    assert.equal(sent.path, `/openai/deployments/${DEPLOYMENT}/chat/completions`);
    assert.equal(sent.query['api-version'], API_VERSION);
    assert.equal(sent.headers['api-key'], API_KEY);
    assert.equal(sent.headers.authorization, undefined);
    assert.deepEqual(sent.body.messages.at(-1), { role: 'user', content: 'What is photosynthesis?' });
  });

  it('should authenticate with an Entra ID bearer token when no API key is configured', async () => {
    let calls = 0;
    const provider = createLlmProvider(
      {
        provider: 'azure-openai',
        azure: { endpoint: fake.url, apiVersion: API_VERSION, chatDeployment: DEPLOYMENT },
        timeoutMs: 5_000,
        maxRetries: 0,
      },
      { azureTokenProvider: async () => (calls++, 'entra-token-123') },
    );
    const result = await provider.complete(request());
    assert.match(result.text, /^Fake answer to: What is photosynthesis\?/);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer entra-token-123');
    assert.equal(fake.requests[0].headers['api-key'], undefined);
    assert.equal(calls, 1);
  });

  it('should answer llm_unavailable without calling the service when no Entra token can be had', async () => {
    const provider = createLlmProvider(
      {
        provider: 'azure-openai',
        azure: { endpoint: fake.url, apiVersion: API_VERSION, chatDeployment: DEPLOYMENT },
        timeoutMs: 5_000,
        maxRetries: 2,
      },
      { azureTokenProvider: () => Promise.reject(new Error('CredentialUnavailableError')) },
    );
    await assert.rejects(provider.complete(request()), isUnavailable);
    assert.equal(fake.requests.length, 0);
  });

  it('should report the usage and model the service returned', async () => {
    fake.enqueue('chat', {
      type: 'chat',
      text: '{"answer":"yes"}',
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 },
    });
    const result = await azure(fake).complete(request('Answer in JSON', { responseFormat: 'json', maxTokens: 50 }));
    assert.deepEqual(result.usage, { promptTokens: 120, completionTokens: 7, totalTokens: 127 });
    assert.equal(result.model, 'gpt-4o-2024-08-06');
    assert.equal(result.finishReason, 'stop');
    assert.deepEqual(fake.requests[0].body.response_format, { type: 'json_object' });
    assert.equal(fake.requests[0].body.max_tokens, 50);
  });

  it('should stream deltas whose concatenation is the final text, with usage from the usage chunk', async () => {
    const chunks = ['Photo', 'synthesis ', 'uses ', 'light [1].'];
    fake.enqueue('chat', { type: 'stream', chunks, usage: { prompt_tokens: 42, completion_tokens: 9, total_tokens: 51 } });
    const events = await collect(azure(fake).stream(request()));
    const deltas = events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text);
    const done = events.at(-1);
    assert.deepEqual(deltas, chunks);
    assert.equal(done?.type, 'done');
    assert.ok(done?.type === 'done');
    assert.equal(done.result.text, chunks.join(''));
    assert.deepEqual(done.result.usage, { promptTokens: 42, completionTokens: 9, totalTokens: 51 });
    assert.deepEqual(fake.requests[0].body.stream_options, { include_usage: true });
  });

  it('should honour Retry-After on a 429 and then succeed', async () => {
    fake.enqueue('chat', { type: 'error', status: 429, retryAfter: '1', message: 'Rate limit is exceeded.' });
    fake.enqueue('chat', { type: 'chat', text: 'Recovered.' });
    const started = Date.now();
    const result = await azure(fake).complete(request());
    const waited = fake.requests[1].receivedAt - fake.requests[0].receivedAt;
    assert.equal(result.text, 'Recovered.');
    assert.equal(fake.requests.length, 2);
    assert.ok(waited >= 950, `waited only ${waited} ms`);
    assert.ok(Date.now() - started < 3_000);
  });

  it('should honour retry-after-ms on a 503', async () => {
    fake.enqueue('chat', { type: 'error', status: 503, retryAfterMs: 150 });
    fake.enqueue('chat', { type: 'chat', text: 'Back.' });
    const result = await azure(fake).complete(request());
    assert.equal(result.text, 'Back.');
    assert.ok(fake.requests[1].receivedAt - fake.requests[0].receivedAt >= 140);
  });

  it('should give up with llm_unavailable after the configured retries of a 500', async () => {
    fake.setDefault('chat', () => ({ type: 'error', status: 500 }));
    await assert.rejects(azure(fake, { maxRetries: 2 }).complete(request()), isUnavailable);
    assert.equal(fake.requests.length, 3);
  });

  it('should not retry a request the service refuses as invalid', async () => {
    fake.setDefault('chat', () => ({ type: 'error', status: 400, message: 'Bad request' }));
    await assert.rejects(azure(fake, { maxRetries: 3 }).complete(request()), isUnavailable);
    assert.equal(fake.requests.length, 1);
  });

  describe("Azure's content filter", () => {
    it('should answer content_filtered at once, with one request, when the prompt is refused', async () => {
      fake.setDefault('chat', () => ({ type: 'prompt-filtered', categories: ['violence', 'jailbreak'] }));
      await assert.rejects(azure(fake, { maxRetries: 3 }).complete(request()), (error: unknown) => {
        assert.ok(isContentFiltered(error));
        // The categories are kept for the log, not shown to the client.
        assert.match(String((error as Error).cause), /violence, jailbreak/);
        assert.doesNotMatch((error as Error).message, /violence/);
        return true;
      });
      assert.equal(fake.requests.length, 1);
    });

    it('should answer content_filtered when a streamed prompt is refused', async () => {
      fake.setDefault('chat', () => ({ type: 'prompt-filtered' }));
      await assert.rejects(collect(azure(fake, { maxRetries: 3 }).stream(request())), isContentFiltered);
      assert.equal(fake.requests.length, 1);
    });

    it('should answer content_filtered when the answer is withheld, even after part of it', async () => {
      fake.setDefault('chat', () => ({ type: 'chat', text: 'Partial', finishReason: 'content_filter' }));
      await assert.rejects(azure(fake, { maxRetries: 3 }).complete(request()), isContentFiltered);
      assert.equal(fake.requests.length, 1);
    });

    it('should answer content_filtered when a streamed answer stops on the filter', async () => {
      fake.setDefault('chat', () => ({ type: 'stream', chunks: ['It ', 'begins'], finishReason: 'content_filter' }));
      const deltas: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const event of azure(fake, { maxRetries: 3 }).stream(request())) if (event.type === 'delta') deltas.push(event.text);
        })(),
        isContentFiltered,
      );
      assert.deepEqual(deltas, ['It ', 'begins']);
      assert.equal(fake.requests.length, 1);
    });
  });

  it('should time out a hanging service quickly and answer llm_unavailable', async () => {
    fake.setDefault('chat', () => ({ type: 'hang' }));
    const started = Date.now();
    await assert.rejects(azure(fake, { timeoutMs: 200, maxRetries: 1 }).complete(request()), isUnavailable);
    const elapsed = Date.now() - started;
    assert.equal(fake.requests.length, 2);
    assert.ok(elapsed >= 400 && elapsed < 2_000, `took ${elapsed} ms`);
    assert.deepEqual(await Promise.all(fake.requests.map((r) => r.ended)), ['client-closed', 'client-closed']);
  });

  it('should close the HTTP request when the caller aborts mid-stream, without retrying', async () => {
    fake.enqueue('chat', { type: 'stream', chunks: ['One ', 'two ', 'three'], hangAfter: 2 });
    const controller = new AbortController();
    const deltas: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of azure(fake).stream(request('Count', { signal: controller.signal }))) {
          if (event.type === 'delta') deltas.push(event.text);
          if (deltas.length === 2) controller.abort();
        }
      })(),
      (error) => error instanceof LlmAbortedError,
    );
    assert.deepEqual(deltas, ['One ', 'two ']);
    assert.equal(await fake.requests[0].ended, 'client-closed');
    assert.equal(fake.requests.length, 1);
  });

  it('should close the HTTP request when the consumer stops reading the stream', async () => {
    fake.enqueue('chat', { type: 'stream', chunks: ['a ', 'b ', 'c '], hangAfter: 2 });
    for await (const event of azure(fake).stream(request())) {
      if (event.type === 'delta') break;
    }
    assert.equal(await fake.requests[0].ended, 'client-closed');
  });

  it('should retry a stream that fails before its first delta', async () => {
    fake.enqueue('chat', { type: 'stream', chunks: ['lost'], dropAfter: 0 });
    fake.enqueue('chat', { type: 'stream', chunks: ['Second ', 'try.'] });
    const events = await collect(azure(fake).stream(request()));
    const done = events.at(-1);
    assert.ok(done?.type === 'done');
    assert.equal(done.result.text, 'Second try.');
    assert.equal(fake.requests.length, 2);
  });

  it('should end a stream that breaks after text was sent with llm_unavailable, without repeating text', async () => {
    fake.enqueue('chat', { type: 'stream', chunks: ['Half ', 'an ', 'answer'], dropAfter: 2 });
    const deltas: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const event of azure(fake).stream(request())) if (event.type === 'delta') deltas.push(event.text);
      })(),
      isUnavailable,
    );
    assert.deepEqual(deltas, ['Half ', 'an ']);
    assert.equal(fake.requests.length, 1);
  });

  it('should time out a stream that goes silent after its first chunks', async () => {
    fake.enqueue('chat', { type: 'stream', chunks: ['Start ', 'then silence'], hangAfter: 1 });
    const started = Date.now();
    await assert.rejects(collect(azure(fake, { timeoutMs: 200 }).stream(request())), isUnavailable);
    assert.ok(Date.now() - started < 2_000);
  });

  it('should stop waiting for a retry when the caller aborts during the backoff', async () => {
    fake.setDefault('chat', () => ({ type: 'error', status: 429, retryAfter: '10' }));
    const controller = new AbortController();
    // Once the first attempt has reached the server (a fixed delay may come first on a busy machine,
    // leaving that request to arrive during the next test).
    void fake.waitForRequests(1).then(() => setTimeout(() => controller.abort(), 100));
    const started = Date.now();
    await assert.rejects(
      azure(fake, { maxRetries: 3 }).complete(request('x', { signal: controller.signal })),
      (error) => error instanceof LlmAbortedError,
    );
    assert.ok(Date.now() - started < 1_000);
    assert.equal(fake.requests.length, 1);
  });

  it('should fail at once when a Retry-After points past the deadline', async () => {
    fake.setDefault('chat', () => ({ type: 'error', status: 429, retryAfter: '120' }));
    const started = Date.now();
    await assert.rejects(
      azure(fake, { maxRetries: 3 }, { retry: { deadlineMs: 2_000, maxRetryAfterMs: 60_000 } }).complete(request()),
      isUnavailable,
    );
    assert.ok(Date.now() - started < 1_000);
    assert.equal(fake.requests.length, 1);
  });

  it('should call an OpenAI-compatible server under /v1 with the model name and no stand-in key', async () => {
    const open = await startFakeAzureOpenAI();
    try {
      const provider = createLlmProvider({
        provider: 'openai-compatible',
        openai: { baseUrl: open.openaiBaseUrl, chatModel: 'llama3.1:8b' },
        timeoutMs: 5_000,
        maxRetries: 0,
      });
      const events = await collect(provider.stream(request('Hello there')));
      const done = events.at(-1);
      assert.ok(done?.type === 'done');
      assert.equal(done.result.text, 'Fake answer to: Hello there');
      assert.equal(open.requests[0].path, '/v1/chat/completions');
      assert.equal(open.requests[0].body.model, 'llama3.1:8b');
      assert.equal(open.requests[0].headers.authorization, undefined);
      assert.equal(provider.name, 'openai-compatible');
    } finally {
      await open.close();
    }
  });

  describe('structured output', () => {
    interface Verdict {
      score: number;
      feedback: string;
    }
    const verdict: StructuredSchema<Verdict> = {
      name: 'verdict',
      jsonSchema: {
        type: 'object',
        required: ['score', 'feedback'],
        properties: { score: { type: 'number' }, feedback: { type: 'string' } },
      },
      parse(value) {
        const v = value as Partial<Verdict>;
        const problems: string[] = [];
        if (typeof v?.score !== 'number' || v.score < 0 || v.score > 10) problems.push('score must be a number from 0 to 10');
        if (typeof v?.feedback !== 'string') problems.push('feedback must be a string');
        if (problems.length) throw new SchemaViolation(problems);
        return { score: v.score as number, feedback: v.feedback as string };
      },
    };

    it('should repair an invalid answer once, showing the model its errors', async () => {
      fake.enqueue('chat', { type: 'chat', text: '{"score": 14}', usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
      fake.enqueue('chat', {
        type: 'chat',
        text: '```json\n{"score": 7, "feedback": "Good"}\n```',
        usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
      });
      const outcome = await azure(fake).completeStructured(request('Grade this'), verdict);
      assert.deepEqual(outcome.value, { score: 7, feedback: 'Good' });
      assert.equal(outcome.attempts, 2);
      assert.deepEqual(outcome.result.usage, { promptTokens: 40, completionTokens: 13, totalTokens: 53 });
      const repair = fake.requests[1].body.messages;
      assert.equal(repair.at(-2).content, '{"score": 14}');
      assert.match(repair.at(-1).content, /score must be a number from 0 to 10/);
      assert.match(repair.at(-1).content, /feedback must be a string/);
      assert.match(fake.requests[0].body.messages[0].content, /JSON Schema/);
      assert.equal(fake.requests[0].body.messages.filter((m: { role: string }) => m.role === 'system').length, 1);
    });

    it('should answer llm_unavailable when the repaired answer is still invalid', async () => {
      fake.enqueue('chat', { type: 'chat', text: 'not json at all' }, { type: 'chat', text: '{"score": "high"}' });
      await assert.rejects(azure(fake).completeStructured(request('Grade this'), verdict), isUnavailable);
      assert.equal(fake.requests.length, 2);
    });
  });
});
