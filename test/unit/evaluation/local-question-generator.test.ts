import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { foldText } from '../../../src/common/text';
import {
  GeneratedQuestion,
  generateQuestions,
  GenerateQuestionsInput,
  SourcePassage,
} from '../../../src/evaluation/local/local-question-generator';

const texts = [
  'A variable is a name that refers to a value stored in memory. You create a variable with an assignment statement that uses a single equals sign. The assignment statement evaluates the expression on the right before it binds the variable name.',
  'An integer is a whole number such as 42, while a float is a number with a decimal point such as 3.5. A string is a sequence of characters written between quotes. The type function returns the type of any value.',
  'A list is an ordered collection of items that can change after it is created. Each item of a list is reached through its index, and the first index is zero. The append method adds one item at the end of a list.',
  'A dictionary maps each key to a value, so a value is found through its key rather than its position. Reading a missing key from a dictionary raises a KeyError. The get method returns a default value when the key is missing.',
  'A loop repeats a block of statements. A for loop visits every item of a sequence in order, while a while loop repeats as long as its condition stays true. A break statement leaves the loop at once.',
  'A function is a named block of code that runs when it is called. The parameters of a function receive the arguments given in the call. A return statement ends the function and sends a value back to the caller.',
];

const passages: SourcePassage[] = texts.map((text, i) => ({
  chunkId: `chunk-${i}`,
  resourceId: `resource-${Math.floor(i / 2)}`,
  moduleId: 'module-python',
  title: `Lesson ${i + 1}`,
  text,
}));

function input(overrides: Partial<GenerateQuestionsInput> = {}): GenerateQuestionsInput {
  return { passages, count: 6, types: ['mcq', 'short_answer', 'true_false'], difficulty: 'medium', language: 'en', ...overrides };
}

const normalize = (text: string) =>
  foldText(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

function quoted(question: string): string {
  const match = /“(.+)”$/.exec(question) ?? /«\s*(.+?)\s*»$/.exec(question);
  assert.ok(match, `question quotes its sentence: ${question}`);
  return match[1];
}

/** The check a reader would make: does the cited passage really back the expected answer? */
function assertSupported(q: GeneratedQuestion) {
  assert.ok(q.sourceChunkIds.length > 0, 'cites at least one passage');
  const cited = q.sourceChunkIds.map((id) => passages.find((p) => p.chunkId === id));
  assert.ok(cited.every(Boolean), `cites known passages: ${q.sourceChunkIds.join(', ')}`);
  const text = normalize(cited.map((p) => p!.text).join(' '));
  const statement = quoted(q.question);
  if (q.type === 'true_false') {
    if (q.answer === 'true') assert.ok(text.includes(normalize(statement)), `true statement is in the text: ${statement}`);
    else assert.ok(!text.includes(normalize(statement)), `false statement is not in the text: ${statement}`);
  } else {
    assert.ok(text.includes(normalize(statement.replace('_____', q.answer))), `filled sentence is in the text: ${statement} / ${q.answer}`);
  }
}

describe('local question generator', () => {
  it('should return exactly the requested number of questions when the material suffices', () => {
    for (const count of [1, 3, 6, 9]) {
      const result = generateQuestions(input({ count }));
      assert.equal(result.questions.length, count);
      assert.deepEqual(result.warnings, []);
    }
  });

  it('should return fewer questions with a warning saying why when the material is thin', () => {
    const thin = [{ ...passages[0], text: 'A variable is a name that refers to a value stored in memory.' }];
    const result = generateQuestions(input({ passages: thin, count: 10 }));
    assert.ok(result.questions.length < 10);
    assert.ok(
      result.warnings.some((w) => /Only \d+ of the 10 requested/.test(w)),
      result.warnings.join(' | '),
    );
    const none = generateQuestions(input({ passages: [], count: 3 }));
    assert.equal(none.questions.length, 0);
    assert.equal(none.warnings.length, 1);
  });

  it('should offer four distinct choices including the answer in every multiple-choice question', () => {
    const result = generateQuestions(input({ types: ['mcq'], count: 6 }));
    assert.equal(result.questions.length, 6);
    for (const q of result.questions) {
      assert.equal(q.type, 'mcq');
      const choices = q.choices ?? [];
      assert.equal(choices.length, 4);
      assert.equal(new Set(choices.map((c) => c.toLowerCase())).size, 4);
      assert.ok(choices.includes(q.answer));
      assert.match(q.question, /_____/);
    }
  });

  it('should answer true/false questions with "true" or "false" and make both kinds', () => {
    const result = generateQuestions(input({ types: ['true_false'], count: 8 }));
    assert.equal(result.questions.length, 8);
    assert.ok(result.questions.every((q) => q.answer === 'true' || q.answer === 'false'));
    assert.ok(result.questions.some((q) => q.answer === 'true'));
    assert.ok(result.questions.some((q) => q.answer === 'false'));
  });

  it('should never repeat a question', () => {
    for (const difficulty of ['easy', 'medium', 'hard'] as const) {
      const result = generateQuestions(input({ count: 12, difficulty }));
      const keys = result.questions.map((q) => normalize(q.question));
      assert.equal(new Set(keys).size, keys.length);
    }
  });

  it('should give the same questions for the same input', () => {
    assert.deepEqual(generateQuestions(input({ count: 8 })), generateQuestions(input({ count: 8 })));
  });

  it('should cite passages that support each answer', () => {
    for (const difficulty of ['easy', 'medium', 'hard'] as const) {
      for (const q of generateQuestions(input({ count: 10, difficulty })).questions) assertSupported(q);
    }
  });

  it('should word questions in the requested language and keep the course sentence as written', () => {
    const result = generateQuestions(input({ language: 'fr', count: 6 }));
    assert.equal(result.questions.length, 6);
    for (const q of result.questions) {
      assert.match(q.question, /^(Complétez la phrase|Quel terme complète la phrase|Vrai ou faux)/);
      assertSupported(q);
    }
  });

  it('should label every question with the requested difficulty and only the requested types', () => {
    const result = generateQuestions(input({ types: ['short_answer', 'true_false'], difficulty: 'hard', count: 5 }));
    assert.ok(result.questions.every((q) => q.difficulty === 'hard'));
    assert.ok(result.questions.every((q) => q.type === 'short_answer' || q.type === 'true_false'));
    assert.ok(result.questions.every((q) => q.explanation.length > 0));
  });
});
