export { assessAnswer, gradeAnswer, scoreStep } from './local-grader';
export type { CriterionGrade, GradeInput, GradeSignals, LocalGrade, RubricCriterion } from './local-grader';
export { generateQuestions } from './local-question-generator';
export type {
  Difficulty,
  GeneratedQuestion,
  GeneratedQuestions,
  GenerateQuestionsInput,
  QuestionType,
  SourcePassage,
} from './local-question-generator';
