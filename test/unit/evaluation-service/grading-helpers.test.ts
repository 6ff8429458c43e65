import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { exactGrade, percentageOf, rescaleCriteria } from '../../../src/evaluation/grading.service';
import type { StoredQuestion } from '../../../src/evaluation/questions.repository';

const sum = (criteria: { score: number }[]) => Math.round(criteria.reduce((n, c) => n + c.score, 0) * 100) / 100;

function question(overrides: Partial<StoredQuestion>): StoredQuestion {
  return {
    id: 'a'.repeat(24),
    createdBy: 'b'.repeat(24),
    moduleId: null,
    origin: 'practice',
    type: 'mcq',
    question: 'Which organelle makes ATP?',
    choices: ['Nucleus', 'Mitochondrion', 'Ribosome', 'Golgi apparatus'],
    answer: 'Mitochondrion',
    referenceAnswer: null,
    rubric: [],
    explanation: 'The mitochondrion is the power plant of the cell.',
    difficulty: 'medium',
    language: 'en',
    sources: [],
    createdAt: new Date('2025-03-01T00:00:00Z'),
    updatedAt: null,
    ...overrides,
  };
}

describe('percentageOf', () => {
  it('should give 100 × score / max_score rounded to hundredths', () => {
    assert.equal(percentageOf(7, 10), 70);
    assert.equal(percentageOf(1, 3), 33.33);
    assert.equal(percentageOf(7.5, 7.5), 100);
    assert.equal(percentageOf(0, 4), 0);
  });
});

describe('rescaleCriteria', () => {
  const criteria = [
    { criterion: 'Accuracy', score: 2, maxPoints: 4, comment: 'a' },
    { criterion: 'Examples', score: 1, maxPoints: 3, comment: 'b' },
    { criterion: 'Clarity', score: 3, maxPoints: 3, comment: 'c' },
  ];

  it('should raise criteria to add up to a higher score, none above its points', () => {
    const raised = rescaleCriteria(criteria, 8.5);
    assert.equal(sum(raised), 8.5);
    for (const [i, c] of raised.entries()) {
      assert.ok(c.score <= c.maxPoints, `${c.criterion} ${c.score}`);
      assert.ok(c.score >= criteria[i]!.score, 'raising never lowers a criterion');
    }
    assert.equal(raised[2]!.score, 3, 'a criterion at full points has no room to move');
  });

  it('should lower criteria to add up to a lower score, none below zero', () => {
    const lowered = rescaleCriteria(criteria, 1.25);
    assert.equal(sum(lowered), 1.25);
    for (const [i, c] of lowered.entries()) {
      assert.ok(c.score >= 0);
      assert.ok(c.score <= criteria[i]!.score, 'lowering never raises a criterion');
    }
  });

  it('should reach the extremes exactly', () => {
    assert.deepEqual(
      rescaleCriteria(criteria, 10).map((c) => c.score),
      [4, 3, 3],
    );
    assert.deepEqual(
      rescaleCriteria(criteria, 0).map((c) => c.score),
      [0, 0, 0],
    );
  });

  it('should keep the sum exact when thirds do not round evenly', () => {
    const even = [
      { criterion: 'x', score: 0, maxPoints: 1, comment: '' },
      { criterion: 'y', score: 0, maxPoints: 1, comment: '' },
      { criterion: 'z', score: 0, maxPoints: 1, comment: '' },
    ];
    const scaled = rescaleCriteria(even, 1);
    assert.equal(sum(scaled), 1);
    assert.ok(scaled.every((c) => c.score >= 0 && c.score <= 1));
  });

  it('should keep names, comments and points, and leave a grade without criteria alone', () => {
    const scaled = rescaleCriteria(criteria, 5);
    assert.deepEqual(
      scaled.map((c) => [c.criterion, c.comment, c.maxPoints]),
      criteria.map((c) => [c.criterion, c.comment, c.maxPoints]),
    );
    assert.deepEqual(rescaleCriteria([], 5), []);
  });
});

describe('exactGrade', () => {
  it('should give full marks for the right choice by its text, its letter or its number', () => {
    const q = question({});
    for (const answer of ['Mitochondrion', '  mitochondrion. ', 'b', 'B', '2']) {
      assert.equal(exactGrade(q, answer, 10, []).score, 10, answer);
    }
  });

  it('should give zero for another choice, an unknown text or an empty answer', () => {
    const q = question({});
    for (const answer of ['Nucleus', 'a', '4', 'the mitochondria probably', '']) {
      const grade = exactGrade(q, answer, 10, []);
      assert.equal(grade.score, 0, answer);
      assert.match(grade.feedback, /Mitochondrion/);
      assert.equal(grade.strengths.length, 0);
      assert.ok(grade.improvements.length > 0);
    }
  });

  it('should read a choice that is itself a number as that choice, not as a position', () => {
    const q = question({ question: 'How many chambers has the human heart?', choices: ['2', '4', '3', '1'], answer: '4' });
    assert.equal(exactGrade(q, '4', 1, []).score, 1);
    assert.equal(exactGrade(q, '2', 1, []).score, 0);
    assert.equal(exactGrade(q, 'b', 1, []).score, 1, 'the letter still picks by position');
  });

  it('should accept true/false words in English and French', () => {
    const q = question({ type: 'true_false', choices: undefined, answer: 'false' });
    for (const answer of ['false', 'False.', 'faux', 'non', 'F']) assert.equal(exactGrade(q, answer, 2, []).score, 2, answer);
    for (const answer of ['true', 'vrai', 'maybe']) assert.equal(exactGrade(q, answer, 2, []).score, 0, answer);
  });

  it('should answer in French for a French question', () => {
    const q = question({ type: 'true_false', choices: undefined, answer: 'true', language: 'fr', explanation: '' });
    assert.equal(exactGrade(q, 'vrai', 10, []).feedback, 'Bonne réponse : vrai.');
    assert.equal(exactGrade(q, 'faux', 10, []).feedback, 'Réponse incorrecte. La bonne réponse est : vrai.');
  });

  it('should spread the score over a rubric so the criteria add up to it', () => {
    const rubric = [
      { criterion: 'Choice', maxPoints: 3 },
      { criterion: 'Speed', maxPoints: 1.5 },
    ];
    const right = exactGrade(question({}), 'Mitochondrion', 4.5, rubric);
    assert.deepEqual(
      right.criteria.map((c) => [c.criterion, c.score]),
      [
        ['Choice', 3],
        ['Speed', 1.5],
      ],
    );
    const wrong = exactGrade(question({}), 'Ribosome', 4.5, rubric);
    assert.deepEqual(
      wrong.criteria.map((c) => c.score),
      [0, 0],
    );
  });
});
