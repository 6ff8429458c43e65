import { LlmProvider } from './llm-provider';
import type { LlmRequest, LlmResult, LlmStreamEvent, LlmTask, SummarizeConversationTask, TutorAnswerTask } from './llm.types';
import { composeTutorAnswer } from './local-tutor-answer';
import { summarizeConversation } from './local-conversation-summary';
import { LlmAbortedError } from './retry-policy';
import { estimateMessagesTokens, estimateTokens, usageOf } from './token-estimate';

/** Produces the answer text for one kind of task; registered by the module that owns the task. */
export type LocalTaskHandler = (task: LlmTask, request: LlmRequest) => string | Promise<string>;

export const LOCAL_MODEL_NAME = 'local';

/**
 * The provider used when no model service is configured: real algorithms per task (extractive,
 * grounded, deterministic), labelled `local`. Tutor answers and conversation summaries are built
 * in; grading and question generation are registered by their modules through `registerTask`.
 */
export class LocalLlmProvider extends LlmProvider {
  readonly name = 'local' as const;
  readonly model = LOCAL_MODEL_NAME;
  private readonly handlers = new Map<string, LocalTaskHandler>([
    ['tutor_answer', (task) => composeTutorAnswer(task as TutorAnswerTask).text],
    ['summarize_conversation', (task) => summarizeConversation(task as SummarizeConversationTask)],
  ]);

  /** Adds the algorithm for a task kind. Registering a kind twice is a wiring mistake and throws. */
  registerTask(kind: string, handler: LocalTaskHandler): void {
    if (this.handlers.has(kind)) throw new Error(`The local model already has a handler for "${kind}".`);
    this.handlers.set(kind, handler);
  }

  supports(kind: string): boolean {
    return this.handlers.has(kind);
  }

  async complete(request: LlmRequest): Promise<LlmResult> {
    if (request.signal?.aborted) throw new LlmAbortedError();
    const handler = this.handlers.get(request.task.kind);
    // Not llm_unavailable: a missing handler is a bug in this deployment, not a provider outage.
    if (!handler) throw new Error(`The local model has no handler for the task "${request.task.kind}".`);
    const text = await handler(request.task, request);
    if (request.signal?.aborted) throw new LlmAbortedError();
    const promptTokens =
      request.messages.length > 0 ? estimateMessagesTokens(request.messages) : estimateTokens(JSON.stringify(request.task));
    return { text, model: LOCAL_MODEL_NAME, usage: usageOf(promptTokens, estimateTokens(text)), finishReason: 'stop' };
  }

  /** The same answer as `complete`, delivered word by word (with its spacing) so clients stream alike. */
  async *stream(request: LlmRequest): AsyncGenerator<LlmStreamEvent> {
    const result = await this.complete(request);
    for (const piece of result.text.match(/\S+\s*|\s+/g) ?? []) {
      if (request.signal?.aborted) throw new LlmAbortedError();
      yield { type: 'delta', text: piece };
    }
    yield { type: 'done', result };
  }
}
