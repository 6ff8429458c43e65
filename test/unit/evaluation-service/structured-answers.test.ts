import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { SchemaViolation } from '../../../src/infrastructure/llm';
import { gradeSchema, questionsSchema } from '../../../src/evaluation/structured-answers';

const rubric = [
  { criterion: 'Names the process', maxPoints: 2 },
  { criterion: 'Explains the cause', maxPoints: 3 },
];

function violations(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SchemaViolation, String(error));
    return error.messages;
  }
  assert.fail('expected a SchemaViolation');
}

const grade = (overrides: Record<string, unknown> = {}) => ({
  score: 3.5,
  feedback: ' Good start. ',
  strengths: ['names evaporation'],
  improvements: ['explain why'],
  criteria: [
    { criterion: 'Names the process', score: 2, comment: 'yes' },
    { criterion: 'Explains the cause', score: 1.5, comment: 'partly' },
  ],
  ...overrides,
});

describe('gradeSchema', () => {
  it('should accept a grade whose criteria add up to the score and take names from the rubric', () => {
    const parsed = gradeSchema(5, rubric).parse(
      grade({
        criteria: [
          { criterion: 'whatever', score: 2, comment: 'yes' },
          { criterion: 'x', score: 1.5, comment: '' },
        ],
      }),
    );
    assert.equal(parsed.score, 3.5);
    assert.equal(parsed.feedback, 'Good start.');
    assert.deepEqual(
      parsed.criteria.map((c) => c.criterion),
      ['Names the process', 'Explains the cause'],
    );
  });

  it('should reject criteria that do not add up to the score', () => {
    const messages = violations(() => gradeSchema(5, rubric).parse(grade({ score: 4 })));
    assert.ok(
      messages.some((m) => /add up to 3.5, not to score 4/.test(m)),
      messages.join('\n'),
    );
  });

  it('should tolerate a hundredth of rounding in the sum', () => {
    const parsed = gradeSchema(5, rubric).parse(grade({ score: 3.51 }));
    assert.equal(parsed.score, 3.51);
  });

  it('should reject a score outside 0–max_score and a criterion above its points', () => {
    assert.ok(
      violations(() => gradeSchema(5, rubric).parse(grade({ score: 6 }))).some((m) => /score must be a number from 0 to 5/.test(m)),
    );
    assert.ok(violations(() => gradeSchema(10, []).parse(grade({ score: -1, criteria: [] }))).some((m) => /from 0 to 10/.test(m)));
    const over = grade({
      score: 4.5,
      criteria: [
        { criterion: 'a', score: 3, comment: '' },
        { criterion: 'b', score: 1.5, comment: '' },
      ],
    });
    assert.ok(violations(() => gradeSchema(5, rubric).parse(over)).some((m) => /criteria\[0\].*from 0 to 2/.test(m)));
  });

  it('should reject one criterion per rubric entry too few, or any criterion without a rubric', () => {
    assert.ok(
      violations(() => gradeSchema(5, rubric).parse(grade({ criteria: [{ criterion: 'a', score: 3.5, comment: '' }] }))).some((m) =>
        /exactly 2 entries/.test(m),
      ),
    );
    assert.ok(violations(() => gradeSchema(10, []).parse(grade())).some((m) => /exactly 0 entries/.test(m)));
  });

  it('should list every missing or mistyped field', () => {
    const messages = violations(() => gradeSchema(10, []).parse({ score: '7', feedback: '', strengths: 'good', criteria: [] }));
    assert.equal(messages.length, 4, messages.join('\n'));
    assert.throws(() => gradeSchema(10, []).parse([1, 2]), SchemaViolation);
    assert.throws(() => gradeSchema(10, []).parse(null), SchemaViolation);
  });

  it('should accept a grade without a rubric and an empty criteria list', () => {
    const parsed = gradeSchema(10, []).parse(grade({ score: 10, criteria: [] }));
    assert.equal(parsed.score, 10);
    assert.deepEqual(parsed.criteria, []);
  });
});

const mcq = {
  type: 'mcq',
  question: 'Which gas do plants release?',
  choices: ['Oxygen', 'Nitrogen', 'Helium', 'Argon'],
  answer: 'Oxygen',
  explanation: 'Photosynthesis releases oxygen.',
  sources: [1],
};
const trueFalse = {
  type: 'true_false',
  question: 'Plants release oxygen.',
  answer: 'TRUE',
  explanation: 'Oxygen is a by-product.',
  sources: [2],
};
const short = {
  type: 'short_answer',
  question: 'Name the green pigment.',
  answer: 'Chlorophyll',
  explanation: 'Chlorophyll is green.',
  sources: [1, 2],
};

describe('questionsSchema', () => {
  it('should accept well-formed questions, normalising true/false answers', () => {
    const parsed = questionsSchema(['mcq', 'true_false', 'short_answer'], 2, 5).parse({ questions: [mcq, trueFalse, short], warnings: [] });
    assert.equal(parsed.questions.length, 3);
    assert.equal(parsed.questions[1]!.answer, 'true');
    assert.equal(parsed.questions[1]!.choices, undefined);
    assert.deepEqual(parsed.questions[2]!.sources, [1, 2]);
  });

  it('should reject an MCQ whose answer is not among its choices, or whose choices repeat', () => {
    const schema = questionsSchema(['mcq'], 2, 5);
    assert.ok(
      violations(() => schema.parse({ questions: [{ ...mcq, answer: 'Carbon dioxide' }], warnings: [] })).some((m) =>
        /answer must be one of its choices/.test(m),
      ),
    );
    assert.ok(
      violations(() => schema.parse({ questions: [{ ...mcq, choices: ['Oxygen', 'oxygen', 'Helium', 'Argon'] }], warnings: [] })).some(
        (m) => /four distinct/.test(m),
      ),
    );
    assert.ok(
      violations(() => schema.parse({ questions: [{ ...mcq, choices: ['Oxygen', 'Helium', 'Argon'] }], warnings: [] })).some((m) =>
        /four distinct/.test(m),
      ),
    );
  });

  it('should reject a true/false answer other than true or false', () => {
    assert.ok(
      violations(() => questionsSchema(['true_false'], 2, 5).parse({ questions: [{ ...trueFalse, answer: 'yes' }], warnings: [] })).some(
        (m) => /"true" or "false"/.test(m),
      ),
    );
  });

  it('should reject a type that was not asked for and a question citing no valid passage', () => {
    const schema = questionsSchema(['true_false'], 2, 5);
    assert.ok(violations(() => schema.parse({ questions: [short], warnings: [] })).some((m) => /type must be one of true_false/.test(m)));
    assert.ok(
      violations(() => schema.parse({ questions: [{ ...trueFalse, sources: [3, 0] }], warnings: [] })).some((m) =>
        /cite at least one passage number from 1 to 2/.test(m),
      ),
    );
  });

  it('should reject a question without an explanation', () => {
    const messages = violations(() =>
      questionsSchema(['short_answer'], 2, 5).parse({
        questions: [
          { ...short, explanation: ' ' },
          { ...short, question: 'b?', explanation: undefined },
        ],
        warnings: [],
      }),
    );
    assert.deepEqual(messages, [
      'questions[0].explanation must be a non-empty string',
      'questions[1].explanation must be a non-empty string',
    ]);
  });

  it('should keep only the count asked for and default missing warnings to none', () => {
    const parsed = questionsSchema(['short_answer'], 2, 2).parse({
      questions: [short, { ...short, question: 'b?' }, { ...short, question: 'c?' }],
    });
    assert.equal(parsed.questions.length, 2);
    assert.deepEqual(parsed.warnings, []);
    assert.throws(() => questionsSchema(['mcq'], 2, 2).parse({ items: [] }), SchemaViolation);
  });
});
