import { SchemaViolation, StructuredSchema } from '../infrastructure/llm';
import { QuestionType } from '../infrastructure/persistence/schemas/question.schema';

export interface RubricItem {
  criterion: string;
  maxPoints: number;
  description?: string;
}

/** What a grader (model or local) must answer: checked before anything is stored. */
export interface GradeAnswer {
  score: number;
  feedback: string;
  strengths: string[];
  improvements: string[];
  criteria: { criterion: string; score: number; comment: string }[];
}

const EPSILON = 0.011;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A string field of a model's answer, trimmed; anything else counts as empty. */
const textOf = (v: unknown): string =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * The grade's schema for one request: the score within bounds, one entry per rubric criterion in
 * rubric order, each within its points, adding up to the score. A model answer breaking any of these
 * gets one repair attempt, then the request fails rather than storing a wrong grade.
 */
export function gradeSchema(maxScore: number, rubric: RubricItem[]): StructuredSchema<GradeAnswer> {
  return {
    name: 'grade',
    jsonSchema: {
      type: 'object',
      required: ['score', 'feedback', 'strengths', 'improvements', 'criteria'],
      properties: {
        score: { type: 'number', minimum: 0, maximum: maxScore },
        feedback: { type: 'string' },
        strengths: { type: 'array', items: { type: 'string' } },
        improvements: { type: 'array', items: { type: 'string' } },
        criteria: {
          type: 'array',
          description:
            rubric.length > 0
              ? `Exactly one entry per rubric criterion, in order: ${rubric.map((r) => r.criterion).join('; ')}. Scores add up to "score".`
              : 'Empty when there is no rubric.',
          items: {
            type: 'object',
            required: ['criterion', 'score', 'comment'],
            properties: { criterion: { type: 'string' }, score: { type: 'number' }, comment: { type: 'string' } },
          },
        },
      },
    },
    parse(value: unknown): GradeAnswer {
      const problems: string[] = [];
      if (!isObject(value)) throw new SchemaViolation(['the answer must be a JSON object']);
      const { score, feedback, strengths, improvements, criteria } = value;
      if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > maxScore + 1e-9)
        problems.push(`score must be a number from 0 to ${maxScore}`);
      if (typeof feedback !== 'string' || feedback.trim() === '') problems.push('feedback must be a non-empty string');
      if (!strings(strengths)) problems.push('strengths must be an array of strings');
      if (!strings(improvements)) problems.push('improvements must be an array of strings');
      const list = Array.isArray(criteria) ? criteria : null;
      if (!list) problems.push('criteria must be an array');
      else if (list.length !== rubric.length)
        problems.push(`criteria must have exactly ${rubric.length} entries, one per rubric criterion`);
      else {
        list.forEach((entry, i) => {
          const expected = rubric[i]!;
          if (!isObject(entry) || typeof entry.score !== 'number' || entry.score < 0 || entry.score > expected.maxPoints + 1e-9) {
            problems.push(`criteria[${i}] ("${expected.criterion}") needs a score from 0 to ${expected.maxPoints}`);
          }
          if (isObject(entry) && typeof entry.comment !== 'string') problems.push(`criteria[${i}].comment must be a string`);
        });
        const total = list.reduce((sum: number, e) => sum + (isObject(e) && typeof e.score === 'number' ? e.score : 0), 0);
        if (rubric.length > 0 && typeof score === 'number' && Math.abs(total - score) > EPSILON)
          problems.push(`the criteria scores add up to ${total}, not to score ${score}`);
      }
      if (problems.length > 0) throw new SchemaViolation(problems);
      return {
        score: score as number,
        feedback: (feedback as string).trim(),
        strengths: strengths as string[],
        improvements: improvements as string[],
        criteria: (list ?? []).map((e, i) => ({
          criterion: rubric[i]!.criterion,
          score: (e as { score: number }).score,
          comment: textOf((e as { comment?: unknown }).comment),
        })),
      };
    },
  };
}

export interface QuestionAnswer {
  type: QuestionType;
  question: string;
  choices?: string[];
  answer: string;
  explanation: string;
  /** 1-based numbers of the passages the question comes from. */
  sources: number[];
}

export interface QuestionsAnswer {
  questions: QuestionAnswer[];
  warnings: string[];
}

/** Questions as asked for: the allowed types, MCQs with four distinct choices holding the answer, true/false keyed "true"/"false". */
export function questionsSchema(types: QuestionType[], passageCount: number, maxCount: number): StructuredSchema<QuestionsAnswer> {
  return {
    name: 'questions',
    jsonSchema: {
      type: 'object',
      required: ['questions', 'warnings'],
      properties: {
        questions: {
          type: 'array',
          maxItems: maxCount,
          items: {
            type: 'object',
            required: ['type', 'question', 'answer', 'explanation', 'sources'],
            properties: {
              type: { enum: types },
              question: { type: 'string' },
              choices: {
                type: 'array',
                items: { type: 'string' },
                minItems: 4,
                maxItems: 4,
                description: 'mcq only: four distinct choices, one of them the answer',
              },
              answer: { type: 'string', description: 'mcq: one of the choices; true_false: "true" or "false"' },
              explanation: { type: 'string', description: 'why the answer is right, from the cited passages' },
              sources: { type: 'array', items: { type: 'integer', minimum: 1, maximum: passageCount }, minItems: 1 },
            },
          },
        },
        warnings: { type: 'array', items: { type: 'string' } },
      },
    },
    parse(value: unknown): QuestionsAnswer {
      if (!isObject(value) || !Array.isArray(value.questions))
        throw new SchemaViolation(['the answer must be an object with a "questions" array']);
      const problems: string[] = [];
      const questions = value.questions.slice(0, maxCount).map((q, i): QuestionAnswer => {
        const where = `questions[${i}]`;
        if (!isObject(q)) {
          problems.push(`${where} must be an object`);
          return { type: 'short_answer', question: '', answer: '', explanation: '', sources: [] };
        }
        const type = q.type as QuestionType;
        if (!types.includes(type)) problems.push(`${where}.type must be one of ${types.join(', ')}`);
        if (typeof q.question !== 'string' || !q.question.trim()) problems.push(`${where}.question must be a non-empty string`);
        if (typeof q.answer !== 'string' || !q.answer.trim()) problems.push(`${where}.answer must be a non-empty string`);
        // Stored questions need one (and a learner who got it wrong is owed one).
        if (typeof q.explanation !== 'string' || !q.explanation.trim()) problems.push(`${where}.explanation must be a non-empty string`);
        const sources = Array.isArray(q.sources)
          ? q.sources.filter((n): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= passageCount)
          : [];
        if (sources.length === 0) problems.push(`${where}.sources must cite at least one passage number from 1 to ${passageCount}`);
        if (type === 'mcq') {
          const choices = strings(q.choices) ? q.choices.map((c) => c.trim()) : [];
          if (choices.length !== 4 || new Set(choices.map((c) => c.toLowerCase())).size !== 4)
            problems.push(`${where}.choices must be four distinct strings`);
          if (!choices.includes(String(q.answer).trim())) problems.push(`${where}.answer must be one of its choices`);
        }
        if (type === 'true_false' && !['true', 'false'].includes(String(q.answer).trim().toLowerCase()))
          problems.push(`${where}.answer must be "true" or "false"`);
        return {
          type,
          question: textOf(q.question),
          ...(type === 'mcq' && strings(q.choices) ? { choices: q.choices.map((c) => c.trim()) } : {}),
          answer: type === 'true_false' ? textOf(q.answer).toLowerCase() : textOf(q.answer),
          explanation: textOf(q.explanation),
          sources,
        };
      });
      if (problems.length > 0) throw new SchemaViolation(problems);
      return { questions, warnings: strings(value.warnings) ? value.warnings : [] };
    },
  };
}
