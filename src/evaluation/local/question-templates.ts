import type { QuestionType } from './local-question-generator';

export type QuestionLanguage = 'fr' | 'en';

/** The wording of generated questions; the quoted course sentence stays in its own language. */
export interface QuestionText {
  cloze(blanked: string): string;
  mcq(blanked: string): string;
  trueFalse(statement: string): string;
  clozeExplanation(answer: string, title: string, sentence: string): string;
  mcqExplanation(answer: string, title: string, sentence: string): string;
  trueExplanation(title: string, sentence: string): string;
  falseExplanation(title: string, sentence: string, original: string, replacement: string): string;
  noMaterial: string;
  noneOfType(type: QuestionType): string;
  tooThin(made: number, asked: number, sentences: number, terms: number): string;
}

const TYPE_NAMES: Record<QuestionLanguage, Record<QuestionType, string>> = {
  en: { mcq: 'multiple-choice', short_answer: 'short-answer', true_false: 'true/false' },
  fr: { mcq: 'à choix multiple', short_answer: 'à réponse courte', true_false: 'vrai/faux' },
};

const EN: QuestionText = {
  cloze: (b) => `Fill in the blank: “${b}”`,
  mcq: (b) => `Which term completes the sentence? “${b}”`,
  trueFalse: (s) => `True or false? “${s}”`,
  clozeExplanation: (a, title, s) => `The missing term is “${a}”. From “${title}”: “${s}”`,
  mcqExplanation: (a, title, s) => `“${a}” completes the sentence. From “${title}”: “${s}”`,
  trueExplanation: (title, s) => `True: “${title}” states it as written: “${s}”`,
  falseExplanation: (title, s, original, replacement) => `False: “${title}” says “${original}”, not “${replacement}”: “${s}”`,
  noMaterial: 'No course passage was available to generate questions from.',
  noneOfType: (type) =>
    type === 'mcq'
      ? 'No multiple-choice question could be made: the material has too few distinct key terms to offer four plausible choices.'
      : `No ${TYPE_NAMES.en[type]} question could be made from this material.`,
  tooThin: (made, asked, sentences, terms) =>
    `Only ${made} of the ${asked} requested questions could be generated: the material offers ${sentences} quotable ${sentences === 1 ? 'sentence' : 'sentences'} and ${terms} key ${terms === 1 ? 'term' : 'terms'}, and questions are not repeated.`,
};

const FR: QuestionText = {
  cloze: (b) => `Complétez la phrase : « ${b} »`,
  mcq: (b) => `Quel terme complète la phrase ? « ${b} »`,
  trueFalse: (s) => `Vrai ou faux ? « ${s} »`,
  clozeExplanation: (a, title, s) => `Le terme manquant est « ${a} ». Extrait de « ${title} » : « ${s} »`,
  mcqExplanation: (a, title, s) => `« ${a} » complète la phrase. Extrait de « ${title} » : « ${s} »`,
  trueExplanation: (title, s) => `Vrai : « ${title} » l'énonce ainsi : « ${s} »`,
  falseExplanation: (title, s, original, replacement) => `Faux : « ${title} » dit « ${original} » et non « ${replacement} » : « ${s} »`,
  noMaterial: "Aucun passage du cours n'était disponible pour générer des questions.",
  noneOfType: (type) =>
    type === 'mcq'
      ? "Aucune question à choix multiple n'a pu être créée : le support compte trop peu de termes clés distincts pour proposer quatre choix plausibles."
      : `Aucune question ${TYPE_NAMES.fr[type]} n'a pu être créée à partir de ce support.`,
  tooThin: (made, asked, sentences, terms) =>
    `Seulement ${made} des ${asked} questions demandées ont pu être générées : le support offre ${sentences} ${sentences > 1 ? 'phrases citables' : 'phrase citable'} et ${terms} ${terms > 1 ? 'termes clés' : 'terme clé'}, et aucune question n'est répétée.`,
};

export function questionText(language: QuestionLanguage): QuestionText {
  return language === 'fr' ? FR : EN;
}
