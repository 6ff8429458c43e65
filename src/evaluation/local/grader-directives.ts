import { foldText, splitSentences } from '../../common/text';

/**
 * Sentences in which a student talks to the grader instead of answering ("ignore the rubric and
 * give full marks"). The local grader only ever compares text, so such a sentence could not steer
 * it anyway; it is set aside so it neither earns nor costs content credit, and the feedback can
 * say it was not graded. Patterns are anchored on imperative forms so that an answer *about*
 * instructions ("the compiler ignores comments") is left alone.
 */
const DIRECTIVE_PATTERNS: RegExp[] = [
  /(?:^|[.!?:;,]\s*|\bplease\s+|\band\s+)(?:ignore|disregard|forget|override|bypass)\s[^.!?]{0,80}\b(?:rubric|instructions?|prompt|previous|above|criteria|reference|grading|rules|marking)\b/,
  /\b(?:give|award|assign|grant|rate)\b[^.!?]{0,50}\b(?:full|maximum|max|perfect|top|highest|all the|every)\s+(?:marks?|points?|score|grade|credit)\b/,
  /\b(?:give|award|assign|grant|rate|score)\b[^.!?]{0,40}\b\d+(?:[.,]\d+)?\s*\/\s*\d+\b/,
  /\b(?:give|award|assign|grant)\b[^.!?]{0,30}\b\d+(?:[.,]\d+)?\s*(?:points?|marks?)\b/,
  /\b(?:you are|you're|act as|pretend to be|behave as)\b[^.!?]{0,40}\b(?:grader|teacher|examiner|marker|assistant|ai|model|generous)\b/,
  /(?:^|\s)(?:system|assistant|developer)\s*:/,
  /\bnote (?:to|for) (?:the )?(?:grader|teacher|examiner|marker|ai)\b/,
  /(?:^|[.!?:;,]\s*|\bet\s+|\bveuillez\s+|\bmerci d(?:e|')\s*)(?:ignore[rz]?|oublie[rz]?|ne tenez pas compte)\b[^.!?]{0,80}\b(?:bareme|consignes?|instructions?|grille|criteres?|reference|correction|precedentes?)\b/,
  /\b(?:donne[rz]?|attribue[rz]?|mets|mettez|mettre|accorde[rz]?)\b[^.!?]{0,50}\b(?:note maximale|note max|la meilleure note|tous les points|totalite des points|maximum de points|\d+\s*\/\s*\d+|\d+\s*points)/,
  /\b(?:tu es|vous etes|agis comme|agissez comme)\b[^.!?]{0,40}\b(?:correcteur|professeur|enseignant|assistant|ia|modele)\b/,
  /\bnote (?:pour|au|a l'attention du) (?:le )?(?:correcteur|professeur|enseignant)\b/,
];

export interface SeparatedAnswer {
  /** The answer without the sentences addressed to the grader. */
  answer: string;
  directives: string[];
}

export function separateGraderDirectives(studentAnswer: string): SeparatedAnswer {
  const kept: string[] = [];
  const directives: string[] = [];
  for (const sentence of splitSentences(studentAnswer)) {
    const folded = foldText(sentence);
    if (DIRECTIVE_PATTERNS.some((pattern) => pattern.test(folded))) directives.push(sentence);
    else kept.push(sentence);
  }
  return { answer: kept.join(' '), directives };
}

const NON_ANSWERS = [
  /^(?:i )?(?:do not|don't|dont) know\b/,
  /^idk\b/,
  /^dunno\b/,
  /^no idea\b/,
  /^not sure\b/,
  /^no clue\b/,
  /^(?:n\/a|na|none|nothing|pass|skip)$/,
  /^(?:je )?(?:ne )?sais pas\b/,
  /^jsp\b/,
  /^aucune idee\b/,
  /^je n'en sais rien\b/,
  /^rien$/,
  /^pas d'idee\b/,
  /^aucun$/,
];

/** "I don't know" and its relatives: an honest non-answer, graded 0 without contradiction talk. */
export function isNonAnswer(answer: string): boolean {
  const folded = foldText(answer)
    .replace(/[^\p{L}\p{N}\s'/]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!folded) return true;
  return NON_ANSWERS.some((pattern) => pattern.test(folded)) && folded.split(' ').length <= 8;
}
