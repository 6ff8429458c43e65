import { FieldError } from '../common/errors/api-error';
import { DIFFICULTIES, Difficulty, QUESTION_TYPES, QuestionType } from '../infrastructure/persistence/schemas/question.schema';
import { RubricItem } from './structured-answers';

/** A bank question as its manager writes it: the key fields each type takes (API.md, Evaluation). */
export interface BankQuestionFields {
  type: QuestionType;
  question: string;
  choices: string[] | null;
  answer: string | null;
  referenceAnswer: string | null;
  rubric: RubricItem[] | null;
  explanation: string;
  difficulty: Difficulty;
}

/** A change to one: undefined keeps a field, null clears it. */
export type BankQuestionPatch = { [K in keyof BankQuestionFields]?: BankQuestionFields[K] | null };

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The question after a change. A new type starts its key afresh from the change alone: a multiple
 * choice question's choices mean nothing to a true/false one.
 */
export function applyPatch(current: BankQuestionFields, patch: BankQuestionPatch): BankQuestionPatch {
  const retyped = patch.type !== undefined && patch.type !== current.type;
  const keep = <K extends keyof BankQuestionFields>(field: K, keyField: boolean): BankQuestionFields[K] | null | undefined =>
    patch[field] !== undefined ? patch[field] : retyped && keyField ? null : current[field];
  return {
    type: keep('type', false),
    question: keep('question', false),
    choices: keep('choices', true),
    answer: keep('answer', true),
    referenceAnswer: keep('referenceAnswer', true),
    rubric: keep('rubric', true),
    explanation: keep('explanation', false) ?? '',
    difficulty: keep('difficulty', false),
  };
}

/**
 * Checks the fields a question of its type needs and refuses the ones it cannot have; on success
 * the question in the form it is stored (an mcq answer spelled as its choice, true/false lowercase).
 */
export function checkBankQuestion(fields: BankQuestionPatch): { question: BankQuestionFields } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const refuse = (field: string, message: string) => errors.push({ field, message });
  const { type, question, difficulty } = fields;
  if (!type || !QUESTION_TYPES.includes(type)) refuse('type', `must be one of ${QUESTION_TYPES.join(', ')}`);
  if (typeof question !== 'string' || question.trim() === '') refuse('question', 'is required');
  if (!difficulty || !DIFFICULTIES.includes(difficulty)) refuse('difficulty', `must be one of ${DIFFICULTIES.join(', ')}`);
  const choices = fields.choices ?? null;
  let answer = fields.answer ?? null;
  const referenceAnswer = fields.referenceAnswer ?? null;
  const rubric = fields.rubric && fields.rubric.length > 0 ? fields.rubric : null;

  if (type === 'mcq') {
    if (!choices || choices.length !== 4) refuse('choices', 'a multiple-choice question needs exactly 4 choices');
    else if (new Set(choices.map((c) => c.trim().toLowerCase())).size !== 4) refuse('choices', 'the 4 choices must be distinct');
    if (answer === null) refuse('answer', 'a multiple-choice question needs its answer, one of its choices');
    else if (choices) {
      const chosen = choices.find((c) => sameText(c, answer!));
      if (!chosen) refuse('answer', 'must be one of the choices');
      else answer = chosen;
    }
  } else if (type === 'true_false') {
    if (answer === null || !['true', 'false'].includes(answer.trim().toLowerCase())) refuse('answer', 'must be "true" or "false"');
    else answer = answer.trim().toLowerCase();
  } else if (type === 'short_answer') {
    if (answer !== null) refuse('answer', 'a short-answer question takes reference_answer and/or rubric, not answer');
    if (!referenceAnswer && !rubric) refuse('reference_answer', 'a short-answer question needs reference_answer, rubric, or both');
    if (rubric && rubric.reduce((sum, r) => sum + r.maxPoints, 0) <= 0) refuse('rubric', "the rubric's points must add up to more than 0");
  }
  if (type !== 'mcq' && choices !== null) refuse('choices', 'only a multiple-choice question has choices');
  if (type !== 'short_answer') {
    if (referenceAnswer !== null) refuse('reference_answer', 'only a short-answer question has a reference answer');
    if (rubric !== null) refuse('rubric', 'only a short-answer question has a rubric');
  }
  if (errors.length > 0) return { errors };
  return {
    question: {
      type: type!,
      question: question!.trim(),
      choices: type === 'mcq' ? choices!.map((c) => c.trim()) : null,
      answer: type === 'short_answer' ? null : answer!.trim(),
      referenceAnswer: type === 'short_answer' ? referenceAnswer : null,
      rubric: type === 'short_answer' ? rubric : null,
      explanation: fields.explanation ?? '',
      difficulty: difficulty!,
    },
  };
}
