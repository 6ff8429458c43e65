import type { ContentFilterResultsForChoiceOutput } from '@azure/openai/types';
import type OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ApiError } from '../../common/errors/api-error';
import { answerRefusal, promptRefusal } from './content-filter';
import { LlmProvider } from './llm-provider';
import type { LlmRequest, LlmResult, LlmStreamEvent, TokenUsage } from './llm.types';
import { RetryPolicy, RetryRun, StreamInterruptedError } from './retry-policy';
import { estimateMessagesTokens, estimateTokens, usageOf } from './token-estimate';

export interface OpenAIChatProviderOptions {
  name: 'azure-openai' | 'openai-compatible';
  /** An AzureOpenAI or OpenAI client, created with maxRetries 0: retries are ours. */
  client: OpenAI;
  /** The Azure deployment name, or the model name on an OpenAI-compatible server. */
  model: string;
  retry: RetryPolicy;
  /** Newer Azure models refuse `max_tokens`; older OpenAI-compatible servers only know it. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/** Chat completions over the OpenAI protocol, for Azure OpenAI and OpenAI-compatible servers alike. */
export class OpenAIChatProvider extends LlmProvider {
  readonly name: 'azure-openai' | 'openai-compatible';
  private readonly client: OpenAI;
  readonly model: string;
  private readonly retry: RetryPolicy;
  private readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';

  constructor(options: OpenAIChatProviderOptions) {
    super();
    this.name = options.name;
    this.client = options.client;
    this.model = options.model;
    this.retry = options.retry;
    this.maxTokensField = options.maxTokensField ?? 'max_tokens';
  }

  async complete(request: LlmRequest): Promise<LlmResult> {
    const run = new RetryRun(this.retry, request.signal, `${this.name} chat completion`);
    for (;;) {
      const attempt = run.beginAttempt();
      try {
        const completion = await this.client.chat.completions.create(this.body(request), {
          signal: attempt.signal,
          maxRetries: 0,
        });
        return this.toResult(completion, request);
      } catch (error) {
        const refused = error instanceof ApiError ? error : promptRefusal(error);
        if (refused) throw refused;
        await run.afterFailure(error, attempt);
      } finally {
        attempt.dispose();
      }
    }
  }

  /**
   * Deltas are passed on as the SSE chunks arrive. A stream that fails before its first delta is
   * retried like any call; once text has reached the caller a retry would repeat it, so a later
   * failure ends the stream with `llm_unavailable` (or the abort error).
   */
  async *stream(request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
    const run = new RetryRun(this.retry, request.signal, `${this.name} chat stream`);
    for (;;) {
      const attempt = run.beginAttempt();
      let emitted = '';
      try {
        const chunks = await this.client.chat.completions.create(
          { ...this.body(request), stream: true, stream_options: { include_usage: true } },
          { signal: attempt.signal, maxRetries: 0 },
        );
        let model = this.model;
        let usage: TokenUsage | undefined;
        let finishReason: string | undefined;
        let filterResults: ContentFilterResultsForChoiceOutput | undefined;
        attempt.touch();
        for await (const chunk of chunks) {
          attempt.touch();
          if (chunk.model) model = chunk.model;
          if (chunk.usage) usage = toUsage(chunk.usage);
          // Azure opens with a chunk that has no choices (content-filter results); the usage chunk has none either.
          const choice = chunk.choices?.[0];
          if (choice?.finish_reason) finishReason = choice.finish_reason;
          if (choice?.content_filter_results) filterResults = choice.content_filter_results;
          const delta = choice?.delta?.content;
          if (delta) {
            emitted += delta;
            attempt.pause();
            yield { type: 'delta', text: delta };
            attempt.touch();
          }
        }
        if (!finishReason) throw new StreamInterruptedError();
        // Even after some text: the filter stopped the answer, and what came before it is no answer.
        if (finishReason === 'content_filter') throw answerRefusal(filterResults);
        const result: LlmResult = {
          text: emitted,
          model,
          usage: usage ?? usageOf(estimateMessagesTokens(request.messages), estimateTokens(emitted)),
          finishReason,
        };
        yield { type: 'done', result };
        return;
      } catch (error) {
        const refused = error instanceof ApiError ? error : promptRefusal(error);
        if (refused) throw refused;
        if (emitted) throw run.finalError(error, attempt);
        await run.afterFailure(error, attempt);
      } finally {
        attempt.dispose();
      }
    }
  }

  private body(request: LlmRequest): ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(request.maxTokens !== undefined ? { [this.maxTokensField]: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.responseFormat === 'json' ? { response_format: { type: 'json_object' as const } } : {}),
    };
  }

  private toResult(completion: ChatCompletion, request: LlmRequest): LlmResult {
    const choice = completion.choices[0];
    const text = choice?.message?.content ?? '';
    const finishReason = choice?.finish_reason ?? undefined;
    if (finishReason === 'content_filter') throw answerRefusal(choice?.content_filter_results);
    return {
      text,
      model: completion.model || this.model,
      usage: completion.usage ? toUsage(completion.usage) : usageOf(estimateMessagesTokens(request.messages), estimateTokens(text)),
      finishReason,
    };
  }
}

function toUsage(usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number }): TokenUsage {
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: usage.total_tokens ?? prompt + completion };
}
