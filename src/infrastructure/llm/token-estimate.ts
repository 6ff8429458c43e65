import type { ChatMessage, TokenUsage } from './llm.types';

/**
 * Rough token count for text whose real count is unknown (local provider, servers that do not
 * report usage, aborted streams). About four characters per token for English and French prose
 * with GPT-style tokenizers; good enough for quotas and statistics, not for context packing.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Chat formats add a few tokens of framing per message. */
const TOKENS_PER_MESSAGE = 4;

export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + TOKENS_PER_MESSAGE + estimateTokens(m.content), 0);
}

export function usageOf(promptTokens: number, completionTokens: number): TokenUsage {
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return usageOf(a.promptTokens + b.promptTokens, a.completionTokens + b.completionTokens);
}
