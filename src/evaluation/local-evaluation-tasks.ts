import { LocalLlmProvider, LlmTask } from '../infrastructure/llm';
import { GenerateQuestionsTask } from './question-generation.service';
import { GradeTask } from './grading.service';
import { generateQuestions, gradeAnswer } from './local';
import { GradeAnswer, QuestionsAnswer } from './structured-answers';

/**
 * Teaches the local provider to grade and to write questions, with the real algorithms of
 * ./local. Their answers are the same JSON a remote model must give, checked by the same schemas.
 */
export function registerLocalEvaluationTasks(local: LocalLlmProvider): void {
  if (!local.supports('grade')) local.registerTask('grade', (task: LlmTask) => JSON.stringify(localGrade(task as GradeTask)));
  if (!local.supports('generate_questions'))
    local.registerTask('generate_questions', (task: LlmTask) => JSON.stringify(localQuestions(task as GenerateQuestionsTask)));
}

function localGrade({ input }: GradeTask): GradeAnswer {
  const grade = gradeAnswer({
    question: input.question,
    studentAnswer: input.studentAnswer,
    ...(input.referenceAnswer ? { referenceAnswer: input.referenceAnswer } : {}),
    ...(input.rubric.length > 0 ? { rubric: input.rubric } : {}),
    maxScore: input.maxScore,
    passages: input.passages.map((p) => ({ index: p.index, text: p.text })),
    language: input.language,
  });
  return {
    score: grade.score,
    feedback: grade.feedback,
    strengths: grade.strengths,
    improvements: grade.improvements,
    criteria: grade.criteria.map((c) => ({ criterion: c.criterion, score: c.score, comment: c.comment })),
  };
}

function localQuestions({ input, passages }: GenerateQuestionsTask): QuestionsAnswer {
  const generated = generateQuestions({
    passages: passages.map((p) => ({ chunkId: p.chunkId, resourceId: p.resourceId, moduleId: p.moduleId, title: p.title, text: p.text })),
    count: input.count,
    types: input.types,
    difficulty: input.difficulty,
    language: input.language,
  });
  const indexOf = new Map(passages.map((p, i) => [p.chunkId, i + 1]));
  return {
    questions: generated.questions.map((q) => ({
      type: q.type,
      question: q.question,
      ...(q.choices ? { choices: q.choices } : {}),
      answer: q.answer,
      explanation: q.explanation,
      sources: q.sourceChunkIds.map((id) => indexOf.get(id)).filter((n): n is number => n !== undefined),
    })),
    warnings: generated.warnings,
  };
}
