import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { ApiError } from '../common/errors/api-error';
import { newRandomId } from '../common/ids';
import { detectLanguage } from '../common/text';
import { ModuleAccessService } from '../courses/module-access.service';
import { applyPatch, BankQuestionFields, BankQuestionPatch, checkBankQuestion } from './bank-question-rules';
import { isBankQuestion, QuestionsRepository, StoredQuestion } from './questions.repository';
import { ReviewCardsRepository } from './review-cards.repository';

/** A module's question bank: read by whoever sees the module, written by whoever manages it (API.md). */
@Injectable()
export class QuestionBankService {
  constructor(
    private readonly questions: QuestionsRepository,
    private readonly cards: ReviewCardsRepository,
    private readonly access: ModuleAccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(principal: Principal, moduleId: string, afterId: string | undefined, limit: number): Promise<StoredQuestion[]> {
    await this.access.findVisible(principal, moduleId);
    return this.questions.listBank(moduleId, afterId, limit);
  }

  async create(principal: Principal, moduleId: string, input: BankQuestionPatch): Promise<StoredQuestion> {
    await this.access.findManaged(principal, moduleId);
    const fields = checked({ ...input, difficulty: input.difficulty ?? 'medium', explanation: input.explanation ?? '' });
    const now = this.clock.now();
    const question = await this.questions.create({
      // Random like generated questions: a question id is what an answer is graded by.
      id: newRandomId(),
      createdBy: principal.userId,
      moduleId,
      origin: 'authored',
      ...stored(fields),
      sources: [],
      createdAt: now,
      updatedAt: now,
    });
    await this.audit.record(
      principal,
      'question.create',
      { type: 'question', id: question.id },
      { module_id: moduleId, type: question.type },
    );
    return question;
  }

  async update(principal: Principal, id: string, patch: BankQuestionPatch): Promise<StoredQuestion> {
    const current = await this.managedQuestion(principal, id);
    // Named as on the wire, like every audit detail.
    const changed = Object.keys(patch)
      .filter((k) => patch[k as keyof BankQuestionPatch] !== undefined)
      .map((k) => (k === 'referenceAnswer' ? 'reference_answer' : k));
    if (changed.length === 0) return current;
    const next = stored(checked(applyPatch(editable(current), patch)));
    const updated = await this.questions.update(id, next, next.choices === undefined ? ['choices'] : [], this.clock.now());
    if (!updated) throw ApiError.notFound('question');
    // Field names only: the key itself stays out of the log, as it stays out of students' reach.
    await this.audit.record(principal, 'question.update', { type: 'question', id }, { module_id: current.moduleId, fields: changed });
    return updated;
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const current = await this.managedQuestion(principal, id);
    if (!(await this.questions.deleteBankQuestion(id))) throw ApiError.notFound('question');
    // The question first, then its cards: an answer graded meanwhile writes its card and then looks
    // the question up again (ReviewService.recordAnswer), so no card outlives the question.
    const cards = await this.cards.deleteForQuestion(id);
    await this.audit.record(principal, 'question.delete', { type: 'question', id }, { module_id: current.moduleId, review_cards: cards });
  }

  /** A bank question of a module the caller manages: a practice question, or one whose module they cannot see, is 404. */
  private async managedQuestion(principal: Principal, id: string): Promise<StoredQuestion & { moduleId: string }> {
    const question = await this.questions.findById(id);
    if (!question || !isBankQuestion(question) || question.moduleId === null) throw ApiError.notFound('question');
    await this.access.findManaged(principal, question.moduleId);
    return question as StoredQuestion & { moduleId: string };
  }
}

function checked(fields: BankQuestionPatch): BankQuestionFields {
  const result = checkBankQuestion(fields);
  if ('errors' in result) throw ApiError.validation(result.errors);
  return result.question;
}

function editable(question: StoredQuestion): BankQuestionFields {
  return {
    type: question.type,
    question: question.question,
    choices: question.choices ?? null,
    answer: question.type === 'short_answer' ? null : question.answer,
    referenceAnswer: question.type === 'short_answer' ? (question.referenceAnswer ?? (question.answer || null)) : null,
    rubric: question.rubric.length > 0 ? question.rubric : null,
    explanation: question.explanation,
    difficulty: question.difficulty,
  };
}

/** The stored form: a short answer keeps its reference in `answer` too, as generated ones do. */
function stored(fields: BankQuestionFields) {
  const text = [fields.question, ...(fields.choices ?? []), fields.referenceAnswer ?? ''].join(' ');
  return {
    type: fields.type,
    question: fields.question,
    ...(fields.choices ? { choices: fields.choices } : {}),
    answer: fields.answer ?? fields.referenceAnswer ?? '',
    referenceAnswer: fields.referenceAnswer,
    rubric: fields.rubric ?? [],
    explanation: fields.explanation,
    difficulty: fields.difficulty,
    language: detectLanguage(text),
  };
}
