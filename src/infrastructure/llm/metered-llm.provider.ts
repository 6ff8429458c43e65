import { LlmProvider } from './llm-provider';
import type { LlmProviderName, LlmRequest, LlmResult, LlmStreamEvent, TokenUsage } from './llm.types';
import { isLlmAbort } from './retry-policy';
import { estimateMessagesTokens, estimateTokens, usageOf } from './token-estimate';

/** One model call, as recorded for usage accounting and metrics. */
export interface LlmCallRecord {
  provider: LlmProviderName;
  model: string;
  task: string;
  userId?: string;
  streamed: boolean;
  outcome: 'ok' | 'error' | 'aborted';
  /** Reported by the service when it answered; estimated for failed or cancelled streams. */
  usage: TokenUsage;
  durationMs: number;
}

export interface LlmCallRecorder {
  record(call: LlmCallRecord): void | Promise<void>;
}

/**
 * Wraps any provider and records every call (per user, per call) with its token usage, duration
 * and outcome. Structured calls record each of their attempts. A recorder failure never fails the
 * answer; it goes to `onRecordError`.
 */
export class MeteredLlmProvider extends LlmProvider {
  readonly name: LlmProviderName;
  readonly model: string;

  constructor(
    private readonly inner: LlmProvider,
    private readonly recorder: LlmCallRecorder,
    private readonly onRecordError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    this.name = inner.name;
    this.model = inner.model;
  }

  async complete(request: LlmRequest): Promise<LlmResult> {
    const started = this.now();
    try {
      const result = await this.inner.complete(request);
      this.save(request, false, 'ok', result.model, result.usage, started);
      return result;
    } catch (error) {
      this.save(request, false, isLlmAbort(error) ? 'aborted' : 'error', this.model, usageOf(0, 0), started);
      throw error;
    }
  }

  async *stream(request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
    const started = this.now();
    let text = '';
    let finished = false;
    let failure: unknown;
    try {
      for await (const event of this.inner.stream(request)) {
        if (event.type === 'delta') text += event.text;
        else {
          finished = true;
          this.save(request, true, 'ok', event.result.model, event.result.usage, started);
        }
        yield event;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (!finished) {
        // A stream cut short was still paid for: count what was sent and what came back.
        const usage = usageOf(text ? estimateMessagesTokens(request.messages) : 0, estimateTokens(text));
        const outcome = failure === undefined || isLlmAbort(failure) ? 'aborted' : 'error';
        this.save(request, true, outcome, this.model, usage, started);
      }
    }
  }

  private save(
    request: LlmRequest,
    streamed: boolean,
    outcome: LlmCallRecord['outcome'],
    model: string,
    usage: TokenUsage,
    started: number,
  ): void {
    const record: LlmCallRecord = {
      provider: this.inner.name,
      model,
      task: request.task.kind,
      userId: request.userId,
      streamed,
      outcome,
      usage,
      durationMs: Math.round(this.now() - started),
    };
    try {
      void Promise.resolve(this.recorder.record(record)).catch(this.onRecordError);
    } catch (error) {
      this.onRecordError(error);
    }
  }
}
