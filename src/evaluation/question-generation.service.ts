import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newRandomId } from '../common/ids';
import { detectLanguage } from '../common/text';
import { ModuleAccessService } from '../courses/module-access.service';
import { ChunksRepository } from '../index/chunks.repository';
import { toPassage } from '../index/index.service';
import { Passage, passageSnapshot } from '../index/passage';
import { SearchService } from '../index/search.service';
import { LlmProvider } from '../infrastructure/llm';
import { coversQuestion } from '../infrastructure/llm/local-tutor-answer';
import { Difficulty, QuestionType, QUESTION_TYPES } from '../infrastructure/persistence/schemas/question.schema';
import { ResourcesRepository } from '../content/resources.repository';
import { UsersRepository } from '../users/users.repository';
import { buildQuestionMessages, QuestionPromptInput } from './evaluation-prompts';
import { QuestionsRepository, StoredQuestion } from './questions.repository';
import { questionsSchema } from './structured-answers';

export interface GenerateRequest {
  moduleId?: string;
  topic?: string;
  count?: number;
  types?: QuestionType[];
  difficulty?: Difficulty;
  language?: 'fr' | 'en';
  /** Into the bank of `moduleId`, by one of its managers; otherwise the caller's own practice questions. */
  bank?: boolean;
}

/** Passages a module offers the generator (its chunks in document order), or a topic retrieves. */
const MODULE_PASSAGES = 60;
const TOPIC_PASSAGES = 12;

const NO_MATERIAL = {
  en: {
    module: 'The module has no indexed material to write questions from.',
    topic: 'The course material does not cover this topic, so no questions were written.',
  },
  fr: {
    module: "Le module n'a aucun support indexé à partir duquel écrire des questions.",
    topic: "Le support de cours ne traite pas ce sujet : aucune question n'a donc été écrite.",
  },
} as const;

export type GenerateQuestionsTask = { kind: 'generate_questions'; input: QuestionPromptInput; passages: Passage[] };

@Injectable()
export class QuestionGenerationService {
  constructor(
    private readonly questions: QuestionsRepository,
    private readonly chunks: ChunksRepository,
    private readonly resources: ResourcesRepository,
    private readonly search: SearchService,
    private readonly access: ModuleAccessService,
    private readonly audit: AuditService,
    private readonly users: UsersRepository,
    private readonly llm: LlmProvider,
    private readonly clock: Clock,
  ) {}

  async generate(principal: Principal, request: GenerateRequest): Promise<{ questions: StoredQuestion[]; warnings: string[] }> {
    if (!request.moduleId && !request.topic) {
      throw ApiError.validation(
        [{ field: 'module_id', message: 'give module_id or topic (or both)' }],
        'Say what the questions should be about: a module_id or a topic.',
      );
    }
    if (request.bank) {
      if (!request.moduleId) {
        throw ApiError.validation([{ field: 'module_id', message: "is required with bank: the questions go into that module's bank" }]);
      }
      await this.access.findManaged(principal, request.moduleId);
    } else if (request.moduleId) await this.access.findVisible(principal, request.moduleId);
    const passages = await this.passagesFor(principal, request);
    const count = request.count ?? 5;
    const language =
      request.language ??
      (await this.users.findById(principal.userId))?.locale ??
      detectLanguage(
        request.topic ??
          passages
            .map((p) => p.text)
            .join(' ')
            .slice(0, 2000),
      );
    if (passages.length === 0) {
      return { questions: [], warnings: [NO_MATERIAL[language][request.moduleId ? 'module' : 'topic']] };
    }
    const types = request.types && request.types.length > 0 ? [...new Set(request.types)] : [...QUESTION_TYPES];
    const input: QuestionPromptInput = {
      count,
      types,
      difficulty: request.difficulty ?? 'medium',
      language,
      ...(request.topic ? { topic: request.topic } : {}),
      passages: passages.map((p, i) => ({ index: i + 1, title: p.title, text: p.text })),
    };
    const task: GenerateQuestionsTask = { kind: 'generate_questions', input, passages };
    const { value } = await this.llm.completeStructured(
      { task, messages: buildQuestionMessages(input), userId: principal.userId },
      questionsSchema(types, passages.length, count),
    );

    // The same question twice is one question: duplicates are dropped and said so.
    const seen = new Set<string>();
    const unique = value.questions.filter((q) => {
      // Letters of any script count (\W would blank out "é" and merge different French questions).
      const key = q.question
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const warnings = [...value.warnings];
    if (unique.length < count && warnings.length === 0) {
      warnings.push(
        language === 'fr'
          ? `Le support ne permet que ${unique.length} question(s) distincte(s) sur ${count} demandées.`
          : `The material supports only ${unique.length} distinct question(s) of the ${count} asked for.`,
      );
    }

    const now = this.clock.now();
    const stored: StoredQuestion[] = [];
    for (const q of unique) {
      const cited = q.sources.map((n) => passages[n - 1]!).filter(Boolean);
      stored.push(
        await this.questions.create({
          id: newRandomId(),
          createdBy: principal.userId,
          moduleId:
            request.moduleId ?? (cited.length > 0 && cited.every((p) => p.moduleId === cited[0]!.moduleId) ? cited[0]!.moduleId : null),
          origin: request.bank ? 'generated' : 'practice',
          type: q.type,
          question: q.question,
          ...(q.choices ? { choices: q.choices } : {}),
          answer: q.answer,
          referenceAnswer: null,
          rubric: [],
          explanation: q.explanation,
          difficulty: input.difficulty,
          language,
          sources: cited.map(passageSnapshot),
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
    if (request.bank && stored.length > 0) {
      await this.audit.record(
        principal,
        'question.generate',
        { type: 'module', id: request.moduleId },
        { question_ids: stored.map((q) => q.id), count: stored.length },
      );
    }
    return { questions: stored, warnings };
  }

  /** A topic is looked up only in the material the caller can see. */
  private async passagesFor(principal: Principal, request: GenerateRequest): Promise<Passage[]> {
    if (request.topic) {
      // The tutor's relevance floor: passages that do not cover the topic would give questions on something else.
      const topic = request.topic;
      const found = await this.search.search(principal, topic, { moduleId: request.moduleId, k: TOPIC_PASSAGES });
      return found.filter((p) => coversQuestion(topic, [{ index: 1, title: p.title, text: p.text, localSimilarity: p.localSimilarity }]));
    }
    // Without a topic, generate() has made sure there is a module.
    const chunks = request.moduleId ? await this.chunks.page(undefined, MODULE_PASSAGES, { moduleId: request.moduleId }) : [];
    const titles = new Map((await this.resources.findByIds([...new Set(chunks.map((c) => c.resourceId))])).map((r) => [r.id, r.title]));
    return chunks.map((c) => toPassage(c, titles.get(c.resourceId) ?? '', 1));
  }
}
