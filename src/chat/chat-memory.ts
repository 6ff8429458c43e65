import { clipText, terms } from '../common/text';
import { ChatMessage, estimateTokens } from '../infrastructure/llm';
import { POINTING_BACK, topicTerms } from '../infrastructure/llm/local-tutor-answer';
import { Message } from './messages.repository';

/** Tokens of recent turns given to the model verbatim; older turns live on in the summary. */
export const HISTORY_TOKEN_BUDGET = 1_500;
/** How many recent messages are read to fill the budget. */
export const HISTORY_LOOKBACK = 24;

export interface MemoryWindow {
  /** Recent turns within the budget, oldest first. */
  history: ChatMessage[];
  /** Sequence number of the oldest message in `history` (or of the current one when empty). */
  windowStart: number;
}

/** The newest turns that fit the token budget, never splitting a message. */
export function selectWindow(recent: Message[], currentSeq: number, budget = HISTORY_TOKEN_BUDGET): MemoryWindow {
  const picked: Message[] = [];
  let used = 0;
  for (let i = recent.length - 1; i >= 0; i--) {
    const cost = estimateTokens(recent[i].content);
    if (used + cost > budget) break;
    used += cost;
    picked.unshift(recent[i]);
  }
  return { history: picked.map((m) => ({ role: m.role, content: m.content })), windowStart: picked[0]?.seq ?? currentSeq };
}

/** Below this many content words a message leans on the previous turn ("and why?", "et ensuite ?"). */
const FOLLOW_UP_TERMS = 4;

/**
 * What to search the course for. A short follow-up is searched together with the learner's previous
 * question, so "and why?" after "what does range(5) produce?" still finds the passage about range.
 */
export function retrievalQuery(message: string, history: ChatMessage[]): string {
  // "Why does the second one need the first?" points back at the previous answer: its ordinals count for nothing.
  if (terms(message).filter((term) => !POINTING_BACK.has(term)).length >= FOLLOW_UP_TERMS) return message;
  const questions = [...history].reverse().filter((m) => m.role === 'user');
  // After "an example?", "explain again" still means the question before it: the latest one that names a topic.
  const previous = questions.find((m) => topicTerms(m.content).length > 0) ?? questions[0];
  return previous ? `${previous.content}\n${message}` : message;
}

/** A title from the first message: its first line, cut at a word boundary. */
export function titleFrom(message: string, max = 60): string {
  const line = message.trim().split('\n')[0].replace(/\s+/g, ' ');
  if (line.length <= max) return line;
  const cut = clipText(line, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}
