import { describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { applyPatch, BankQuestionFields, BankQuestionPatch, checkBankQuestion } from '../../../src/evaluation/bank-question-rules';

const mcq: BankQuestionPatch = {
  type: 'mcq',
  question: 'What does range(3) produce?',
  choices: ['0, 1, 2', '1, 2, 3', '0, 1, 2, 3', '3'],
  answer: '0, 1, 2',
  difficulty: 'easy',
};

function fieldsOf(result: ReturnType<typeof checkBankQuestion>): string[] {
  return 'errors' in result ? result.errors.map((e) => e.field) : [];
}

describe('checkBankQuestion', () => {
  it('should accept each type with its key, spelling an mcq answer as its choice and true/false in lowercase', () => {
    const ok = checkBankQuestion({ ...mcq, answer: ' 0, 1, 2 ' });
    assert.ok('question' in ok);
    assert.equal(ok.question.answer, '0, 1, 2');
    const tf = checkBankQuestion({ type: 'true_false', question: 'range(3) includes 3.', answer: 'FALSE', difficulty: 'medium' });
    assert.ok('question' in tf);
    assert.equal(tf.question.answer, 'false');
    const rubricOnly = checkBankQuestion({
      type: 'short_answer',
      question: 'Define an argument.',
      rubric: [{ criterion: 'The value passed', maxPoints: 5 }],
      difficulty: 'hard',
    });
    assert.ok('question' in rubricOnly);
    assert.equal(rubricOnly.question.referenceAnswer, null);
  });

  it('should refuse an mcq without 4 distinct choices or with an answer outside them', () => {
    expect(fieldsOf(checkBankQuestion({ ...mcq, choices: ['a', 'b', 'c'], answer: 'a' }))).toEqual(['choices']);
    expect(fieldsOf(checkBankQuestion({ ...mcq, choices: ['a', 'b', 'c', ' A'], answer: 'a' }))).toEqual(['choices']);
    expect(fieldsOf(checkBankQuestion({ ...mcq, answer: '4' }))).toEqual(['answer']);
    expect(fieldsOf(checkBankQuestion({ ...mcq, answer: null }))).toEqual(['answer']);
    expect(fieldsOf(checkBankQuestion({ ...mcq, referenceAnswer: '0, 1, 2' }))).toEqual(['reference_answer']);
  });

  it('should refuse a true/false answer other than "true" or "false", and choices on it', () => {
    expect(fieldsOf(checkBankQuestion({ type: 'true_false', question: 'q', answer: 'yes', difficulty: 'easy' }))).toEqual(['answer']);
    expect(
      fieldsOf(checkBankQuestion({ type: 'true_false', question: 'q', answer: 'true', choices: mcq.choices, difficulty: 'easy' })),
    ).toEqual(['choices']);
  });

  it('should refuse a short answer with neither reference nor rubric, or with an answer or a rubric worth nothing', () => {
    expect(fieldsOf(checkBankQuestion({ type: 'short_answer', question: 'q', difficulty: 'easy' }))).toEqual(['reference_answer']);
    expect(
      fieldsOf(checkBankQuestion({ type: 'short_answer', question: 'q', answer: 'x', referenceAnswer: 'x', difficulty: 'easy' })),
    ).toEqual(['answer']);
    expect(
      fieldsOf(checkBankQuestion({ type: 'short_answer', question: 'q', rubric: [{ criterion: 'c', maxPoints: 0 }], difficulty: 'easy' })),
    ).toEqual(['rubric']);
  });
});

describe('applyPatch', () => {
  const current: BankQuestionFields = {
    type: 'mcq',
    question: 'What does range(3) produce?',
    choices: ['0, 1, 2', '1, 2, 3', '0, 1, 2, 3', '3'],
    answer: '0, 1, 2',
    referenceAnswer: null,
    rubric: null,
    explanation: 'It stops before 3.',
    difficulty: 'easy',
  };

  it('should keep what the change leaves out and clear what it sets to null', () => {
    const patched = applyPatch(current, { difficulty: 'hard', explanation: null });
    expect(patched).toMatchObject({ ...current, difficulty: 'hard', explanation: '' });
    assert.ok('question' in checkBankQuestion(patched));
  });

  it("should take a new type's key from the change alone", () => {
    const retyped = applyPatch(current, { type: 'true_false', answer: 'true' });
    expect(retyped).toMatchObject({ type: 'true_false', choices: null, answer: 'true', question: current.question });
    assert.ok('question' in checkBankQuestion(retyped));
    expect(fieldsOf(checkBankQuestion(applyPatch(current, { type: 'true_false' })))).toEqual(['answer']);
  });
});
