/** Shapes shared by every language-model provider: what a caller asks for and what comes back. */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** A retrieved passage offered to the model as evidence; `index` is its 1-based citation number. */
export interface GroundingPassage {
  index: number;
  title: string;
  text: string;
  location?: { page?: number; heading?: string };
  /** Query similarity under the local embedding (see Passage.localSimilarity), a second relevance signal. */
  localSimilarity?: number;
}

export type AnswerLanguage = 'fr' | 'en';

export interface TutorAnswerTask {
  kind: 'tutor_answer';
  question: string;
  /** Recent turns, oldest first, without the current question. */
  history: ChatMessage[];
  /** Summary of the turns older than `history`, when the conversation has been compacted. */
  summary?: string;
  passages: GroundingPassage[];
  language: AnswerLanguage;
  /** Modules where the learner's graded answers are weakest, weakest first (titles). */
  learnerFocus?: string[];
}

export interface SummarizeConversationTask {
  kind: 'summarize_conversation';
  previousSummary?: string;
  /** The turns to fold into the summary, oldest first. */
  turns: ChatMessage[];
  language: AnswerLanguage;
}

/** Tasks other modules register with the local provider (grading, question generation, ...). */
export interface OtherTask {
  kind: string;
  [key: string]: unknown;
}

/**
 * What the caller wants, in structured form. Remote providers only send `messages` (built from
 * the task by the prompt builders); the local provider reads `task` and runs an algorithm for it.
 */
export type LlmTask = TutorAnswerTask | SummarizeConversationTask | OtherTask;

export interface LlmRequest {
  task: LlmTask;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Aborts the call (and its HTTP request) when the client goes away. */
  signal?: AbortSignal;
  responseFormat?: 'text' | 'json';
  /** Who the call is made for, so usage can be recorded per user (see MeteredLlmProvider). */
  userId?: string;
}

export interface LlmResult {
  text: string;
  /** The model that answered, as the server names it; `local` for the local provider. */
  model: string;
  usage: TokenUsage;
  finishReason?: string;
}

export type LlmStreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: LlmResult };

/** A JSON answer's expected shape: the schema shown to the model and the check applied to its answer. */
export interface StructuredSchema<T> {
  name: string;
  jsonSchema: Record<string, unknown>;
  /** Returns the typed value or throws SchemaViolation listing what is wrong. */
  parse(value: unknown): T;
}

export interface StructuredResult<T> {
  value: T;
  /** The last call's result, with the usage of every attempt added up. */
  result: LlmResult;
  attempts: number;
}

export type LlmProviderName = 'azure-openai' | 'openai-compatible' | 'local';
