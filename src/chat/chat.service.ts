import { Inject, Injectable, Logger } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newId } from '../common/ids';
import { detectLanguage } from '../common/text';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ModuleAccessService } from '../courses/module-access.service';
import { SearchService } from '../index/search.service';
import { Passage, passageSnapshot } from '../index/passage';
import {
  AnswerLanguage,
  buildSummaryMessages,
  buildTutorMessages,
  LlmProvider,
  LlmResult,
  llmUnavailable,
  TutorAnswerTask,
} from '../infrastructure/llm';
import { SourceSnapshot } from '../infrastructure/persistence/schemas/message.schema';
import { UsersRepository } from '../users/users.repository';
import { HISTORY_LOOKBACK, retrievalQuery, selectWindow, titleFrom } from './chat-memory';
import { CitationRenumbering, renumberCitations } from './citations';
import { Conversation, ConversationsRepository } from './conversations.repository';
import { LearnerProfile } from './learner-profile';
import { Message, MessagesRepository } from './messages.repository';

/** Passages given to the model for each answer. */
const PASSAGES_PER_ANSWER = 5;

export interface ChatInput {
  message: string;
  conversationId?: string;
  moduleId?: string;
}

/** Everything an answer needs, prepared (and the user's message stored) before the model is called. */
export interface PreparedTurn {
  conversation: Conversation;
  userMessage: Message;
  assistantSeq: number;
  passages: Passage[];
  task: TutorAnswerTask;
}

export interface ChatAnswer {
  conversation: Conversation;
  message: Message;
  passages: Passage[];
}

@Injectable()
export class ChatService {
  private readonly logger = new Logger('Chat');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conversations: ConversationsRepository,
    private readonly messages: MessagesRepository,
    private readonly users: UsersRepository,
    private readonly search: SearchService,
    private readonly access: ModuleAccessService,
    private readonly llm: LlmProvider,
    private readonly learners: LearnerProfile,
    private readonly clock: Clock,
  ) {}

  /**
   * Finds or starts the conversation, stores the user's message (so a model failure loses
   * nothing), then gathers memory and course passages for the answer. The per-user quota is
   * counted before, by the routes' throttler (PerUserLimited).
   */
  async prepare(principal: Principal, input: ChatInput): Promise<PreparedTurn> {
    const now = this.clock.now();
    let conversation = input.conversationId ? await this.owned(principal, input.conversationId) : await this.start(principal, input, now);
    const moduleId = input.moduleId ?? conversation.moduleId ?? undefined;
    // Checked before anything is stored: a module the user no longer sees (they left its course)
    // ends the conversation's use of it with a 404, not with a question stored and never answered.
    if (moduleId && input.conversationId) await this.access.findVisible(principal, moduleId);

    // Two numbers at once: the question and the answer it will get, in that order. Only the question
    // is counted now; the answer is counted when it is stored, as the model may fail to give one.
    const userSeq = await this.conversations.reserveSeq(conversation.id, 2, now, 1);
    const userMessage = await this.messages.create({
      id: newId(),
      conversationId: conversation.id,
      userId: principal.userId,
      seq: userSeq,
      role: 'user',
      content: input.message,
      sources: [],
      status: 'complete',
      model: null,
      createdAt: now,
    });

    const language = await this.languageFor(principal.userId, input.message);
    const recent = (await this.messages.recent(conversation.id, userSeq, HISTORY_LOOKBACK)).filter(
      (m) => m.seq >= conversation.summarizedBefore,
    );
    const window = selectWindow(recent, userSeq);
    conversation = await this.foldOlderTurns(principal, conversation, window.windowStart, language);

    const passages = await this.search.search(principal, retrievalQuery(input.message, window.history), {
      moduleId,
      k: PASSAGES_PER_ANSWER,
    });
    const focus = await this.learners.weakestModules(principal);
    const task: TutorAnswerTask = {
      kind: 'tutor_answer',
      question: input.message,
      history: window.history,
      ...(conversation.summary ? { summary: conversation.summary } : {}),
      passages: passages.map((p, i) => ({
        index: i + 1,
        title: p.title,
        text: p.text,
        location: p.location,
        ...(p.localSimilarity !== undefined ? { localSimilarity: p.localSimilarity } : {}),
      })),
      language,
      ...(focus.length > 0 ? { learnerFocus: focus } : {}),
    };
    return { conversation, userMessage, assistantSeq: userSeq + 1, passages, task };
  }

  /** The whole answer in one call. */
  async answer(principal: Principal, turn: PreparedTurn, signal?: AbortSignal): Promise<ChatAnswer> {
    const result = await this.llm.complete({ task: turn.task, messages: buildTutorMessages(turn.task), signal, userId: principal.userId });
    const { text, cited } = renumberCitations(answerText(result), turn.passages.length);
    return this.storeAnswer(principal, turn, text, cited, result, 'complete');
  }

  /** Streams the answer's deltas to `onDelta`; what was produced is stored even if the client leaves. */
  async streamAnswer(principal: Principal, turn: PreparedTurn, onDelta: (text: string) => void, signal: AbortSignal): Promise<ChatAnswer> {
    let produced = '';
    const citations = new CitationRenumbering(turn.passages.length);
    const emit = (text: string) => {
      if (text === '') return;
      produced += text;
      onDelta(text);
    };
    try {
      for await (const event of this.llm.stream({
        task: turn.task,
        messages: buildTutorMessages(turn.task),
        signal,
        userId: principal.userId,
      })) {
        if (event.type === 'delta') {
          emit(citations.push(event.text));
        } else {
          answerText(event.result);
          emit(citations.end());
          return await this.storeAnswer(principal, turn, produced, citations.cited, event.result, 'complete');
        }
      }
      throw new Error('the model stream ended without a final result');
    } catch (error) {
      // The client went away: keep what was said so far, marked as interrupted (if anything was).
      if (signal.aborted && produced.trim() !== '')
        return this.storeAnswer(principal, turn, produced + citations.end(), citations.cited, { model: this.llm.model }, 'interrupted');
      throw error;
    }
  }

  async getConversation(principal: Principal, id: string): Promise<{ conversation: Conversation; messages: Message[] }> {
    const conversation = await this.owned(principal, id);
    return { conversation, messages: await this.messages.forConversation(id) };
  }

  listConversations(principal: Principal, beforeId: string | undefined, limit: number): Promise<Conversation[]> {
    return this.conversations.list({ userId: principal.userId, beforeId, limit });
  }

  async rename(principal: Principal, id: string, title: string): Promise<Conversation> {
    await this.owned(principal, id);
    const updated = await this.conversations.update(id, { title, updatedAt: this.clock.now() });
    if (!updated) throw ApiError.notFound('conversation');
    return updated;
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.owned(principal, id);
    // Of deletions at once, only the one whose delete removed the conversation answers 204.
    if (!(await this.conversations.delete(id))) throw ApiError.notFound('conversation');
    await this.messages.deleteForConversation(id);
  }

  // ---- internals ---------------------------------------------------------------------------------

  private async storeAnswer(
    principal: Principal,
    turn: PreparedTurn,
    text: string,
    cited: number[],
    result: Pick<LlmResult, 'model'>,
    status: 'complete' | 'interrupted',
  ): Promise<ChatAnswer> {
    const now = this.clock.now();
    // Only the passages the answer cites are its sources, in the order of its markers.
    const sources = cited.map((n) => turn.passages[n - 1]);
    const message = await this.messages.create({
      id: newId(),
      conversationId: turn.conversation.id,
      userId: principal.userId,
      seq: turn.assistantSeq,
      role: 'assistant',
      content: text,
      sources: sources.map(snapshot),
      status,
      model: result.model,
      createdAt: now,
    });
    const conversation = (await this.conversations.addMessage(turn.conversation.id, now)) ?? turn.conversation;
    return { conversation, message, passages: sources };
  }

  /** Another user's conversation answers exactly like a missing one (API.md). */
  private async owned(principal: Principal, id: string): Promise<Conversation> {
    const conversation = await this.conversations.findById(id);
    if (!conversation || conversation.userId !== principal.userId) throw ApiError.notFound('conversation');
    return conversation;
  }

  private async start(principal: Principal, input: ChatInput, now: Date): Promise<Conversation> {
    if (input.moduleId) await this.access.findVisible(principal, input.moduleId);
    return this.conversations.create({
      id: newId(),
      userId: principal.userId,
      moduleId: input.moduleId ?? null,
      title: titleFrom(input.message),
      summary: null,
      summarizedBefore: 0,
      nextSeq: 0,
      messageCount: 0,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** The user's chosen language, else the language of the message. */
  private async languageFor(userId: string, message: string): Promise<AnswerLanguage> {
    const user = await this.users.findById(userId);
    return user?.locale ?? detectLanguage(message);
  }

  /**
   * Turns that fell out of the window are folded into the running summary, so long conversations
   * neither overflow the model's context nor forget their beginning. A failure keeps the old summary.
   */
  private async foldOlderTurns(
    principal: Principal,
    conversation: Conversation,
    windowStart: number,
    language: AnswerLanguage,
  ): Promise<Conversation> {
    if (windowStart <= conversation.summarizedBefore) return conversation;
    const older = await this.messages.range(conversation.id, conversation.summarizedBefore, windowStart);
    if (older.length === 0) return conversation;
    const task = {
      kind: 'summarize_conversation' as const,
      ...(conversation.summary ? { previousSummary: conversation.summary } : {}),
      turns: older.map((m) => ({ role: m.role, content: m.content })),
      language,
    };
    try {
      const result = await this.llm.complete({ task, messages: buildSummaryMessages(task), userId: principal.userId });
      return (
        (await this.conversations.update(conversation.id, { summary: result.text.trim(), summarizedBefore: windowStart })) ?? conversation
      );
    } catch (error) {
      this.logger.warn(
        `Summarising conversation ${conversation.id} failed; keeping the previous summary (${error instanceof Error ? error.message : String(error)}).`,
      );
      return conversation;
    }
  }
}

/**
 * A model can finish without a word (token limit spent on reasoning, a filter): that is no answer,
 * so the client gets llm_unavailable rather than an empty message or a storage failure.
 */
function answerText(result: LlmResult): string {
  if (result.text.trim() === '')
    throw llmUnavailable(`the model returned an empty answer (finish reason: ${result.finishReason ?? 'unknown'})`);
  return result.text;
}

function snapshot(passage: Passage): SourceSnapshot {
  return passageSnapshot(passage);
}
