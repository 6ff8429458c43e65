import type { Language } from '../../common/text';

/** Everything the feedback writer needs to know about one key point of the expected answer. */
export interface PointOutcome {
  text: string;
  coverage: number;
  contradicted: boolean;
  /** The student's words that clash with it, when contradicted. */
  studentText?: string;
  /** Content words of the point the answer used / left out, in surface form. */
  usedWords: string[];
  missingWords: string[];
}

export type GradingBasis = 'reference' | 'rubric' | 'passages' | 'question';

export interface FeedbackInput {
  language: Language;
  fraction: number;
  basis: GradingBasis;
  points: PointOutcome[];
  empty: boolean;
  directives: string[];
  /** An example of text that does not address the question, when the answer carries a lot of it. */
  padding?: string;
  echoOnly: boolean;
  /** The answer lists terms without stating anything about them (its score is capped). */
  keywordList?: boolean;
  /** Set when only the first words of a very long answer were read. */
  truncatedAt?: number;
}

export interface WrittenFeedback {
  feedback: string;
  strengths: string[];
  improvements: string[];
}

/** Share of a point's weighted words an answer must state for the point to count as covered. */
const COVERED = 0.55;
const PARTLY = 0.25;

/** Words that tie a clause to the one before it; a quoted point reads better without them. */
const LEADING_CONNECTIVE = /^(?:and|but|so|which|because|while|whereas|then|or|et|mais|donc|car|puis|ou|alors)\s+/i;

export function quote(text: string, language: Language, maxWords = 12): string {
  const trimmed = text
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:.(-]+|[\s,;:.)-]+$/g, '')
    .trim()
    .replace(LEADING_CONNECTIVE, '');
  const wordsOf = trimmed.split(' ');
  const short = wordsOf.length > maxWords ? `${wordsOf.slice(0, maxWords).join(' ')}…` : trimmed;
  return language === 'fr' ? `« ${short} »` : `“${short}”`;
}

function list(items: string[], language: Language): string {
  if (items.length <= 1) return items.join('');
  const last = items[items.length - 1];
  return `${items.slice(0, -1).join(', ')} ${language === 'fr' ? 'et' : 'and'} ${last}`;
}

const TEXT = {
  en: {
    empty: 'No answer was given, so nothing could be credited.',
    levels: [
      'The answer does not state the expected points.',
      'The answer misses most of the expected points.',
      'A partial answer.',
      'A good answer with some gaps.',
      'A strong answer that covers the expected points.',
    ],
    covers: (x: string) => `It covers ${x}.`,
    partly: (x: string) => `It touches on ${x} without stating it fully.`,
    missing: (x: string) => `It is missing ${x}.`,
    contradicts: (ref: string, stu: string) => `It contradicts the expected answer: it says ${stu} where the expected answer says ${ref}.`,
    echo: 'It mostly repeats the words of the question.',
    keywordList: 'It lists terms without stating how they answer the question, so it cannot earn more than half marks.',
    improveKeywordList: 'Write full sentences that say what the terms do and how they relate.',
    directives: 'Text addressed to the grader was not graded.',
    truncated: (n: number) => `Only the first ${n} words of the answer were graded.`,
    basis: {
      reference: '',
      rubric: '',
      passages:
        'No reference answer or rubric was given: the answer was compared with the course passages, a weaker basis than a reference answer.',
      question:
        'No basis to judge this answer: no reference answer, no rubric with descriptions and no course passage covering the question was given, so its correctness could not be checked. The score is set at half marks for a substantive answer and says nothing about whether it is right; give a reference answer, a rubric or a module to grade it.',
    },
    strengthPoint: (x: string) => `States correctly that ${x}.`,
    strengthTerms: (x: string) => `Uses the precise terms ${x}.`,
    improveMissing: (x: string, words: string) => `Add the point ${x}${words ? ` (key words: ${words})` : ''}.`,
    improvePartly: (x: string, words: string) => `Complete ${x}${words ? `: say ${words}` : ''}.`,
    improveContradiction: (stu: string, ref: string) => `Revisit ${stu}: it contradicts ${ref}.`,
    improvePadding: (x: string) => `Leave out what does not address the question, such as ${x}.`,
    improveDirectives: 'Answer the question itself; instructions to the grader earn nothing.',
    improveEmpty: 'Write an answer that addresses the question, even a partial one.',
    improveEcho: 'Go beyond restating the question: say what, how or why.',
  },
  fr: {
    empty: "Aucune réponse n'a été donnée : rien n'a pu être crédité.",
    levels: [
      "La réponse n'énonce pas les points attendus.",
      'La réponse manque la plupart des points attendus.',
      'Une réponse partielle.',
      'Une bonne réponse, avec quelques manques.',
      'Une réponse solide qui couvre les points attendus.',
    ],
    covers: (x: string) => `Elle couvre ${x}.`,
    partly: (x: string) => `Elle aborde ${x} sans l'énoncer complètement.`,
    missing: (x: string) => `Il manque ${x}.`,
    contradicts: (ref: string, stu: string) =>
      `Elle contredit la réponse attendue : elle dit ${stu} alors que la réponse attendue dit ${ref}.`,
    echo: 'Elle reprend surtout les mots de la question.',
    keywordList:
      'Elle énumère des termes sans dire en quoi ils répondent à la question : elle ne peut donc pas obtenir plus de la moitié des points.',
    improveKeywordList: 'Rédiger des phrases qui disent ce que font ces termes et comment ils sont liés.',
    directives: "Le texte adressé au correcteur n'a pas été noté.",
    truncated: (n: number) => `Seuls les ${n} premiers mots de la réponse ont été notés.`,
    basis: {
      reference: '',
      rubric: '',
      passages:
        "Sans réponse de référence ni barème, la réponse a été comparée aux passages du cours, une base moins sûre qu'une réponse de référence.",
      question:
        "Aucune base pour juger cette réponse : ni réponse de référence, ni barème décrit, ni passage du cours traitant la question n'a été fourni, son exactitude n'a donc pas pu être vérifiée. La note est fixée à la moitié des points pour une réponse substantielle et ne dit rien de sa justesse ; fournissez une réponse de référence, un barème ou un module pour la noter.",
    },
    strengthPoint: (x: string) => `Énonce correctement ${x}.`,
    strengthTerms: (x: string) => `Emploie les termes précis ${x}.`,
    improveMissing: (x: string, words: string) => `Ajouter le point ${x}${words ? ` (mots clés : ${words})` : ''}.`,
    improvePartly: (x: string, words: string) => `Compléter ${x}${words ? ` : préciser ${words}` : ''}.`,
    improveContradiction: (stu: string, ref: string) => `Revoir ${stu} : cela contredit ${ref}.`,
    improvePadding: (x: string) => `Retirer ce qui ne répond pas à la question, par exemple ${x}.`,
    improveDirectives: 'Répondre à la question elle-même ; les consignes adressées au correcteur ne rapportent rien.',
    improveEmpty: 'Rédiger une réponse à la question, même partielle.',
    improveEcho: 'Aller au-delà de la reformulation de la question : dire quoi, comment ou pourquoi.',
  },
} as const;

export function writeFeedback(input: FeedbackInput): WrittenFeedback {
  const t = TEXT[input.language];
  const q = (text: string, max?: number) => quote(text, input.language, max);
  const sentences: string[] = [];
  const strengths: string[] = [];
  const improvements: string[] = [];

  if (input.empty) {
    sentences.push(t.empty);
    if (input.directives.length > 0) sentences.push(t.directives);
    if (t.basis[input.basis]) sentences.push(t.basis[input.basis]);
    improvements.push(input.directives.length > 0 ? t.improveDirectives : t.improveEmpty);
    return { feedback: sentences.join(' '), strengths, improvements };
  }

  const level = input.fraction >= 0.85 ? 4 : input.fraction >= 0.6 ? 3 : input.fraction >= 0.3 ? 2 : input.fraction > 0 ? 1 : 0;
  // Without a basis there are no expected points to judge against: the feedback leads with that.
  if (input.basis !== 'question') sentences.push(t.levels[level]);

  const contradicted = input.points.filter((p) => p.contradicted);
  const covered = input.points.filter((p) => !p.contradicted && p.coverage >= COVERED);
  const partly =
    input.basis === 'passages' ? [] : input.points.filter((p) => !p.contradicted && p.coverage >= PARTLY && p.coverage < COVERED);
  const missing = input.points.filter((p) => !p.contradicted && p.coverage < PARTLY);

  if (covered.length > 0)
    sentences.push(
      t.covers(
        list(
          covered.slice(0, 3).map((p) => q(p.text, 10)),
          input.language,
        ),
      ),
    );
  if (partly.length > 0)
    sentences.push(
      t.partly(
        list(
          partly.slice(0, 2).map((p) => q(p.text, 10)),
          input.language,
        ),
      ),
    );
  for (const point of contradicted.slice(0, 2)) {
    sentences.push(t.contradicts(q(point.text, 12), q(point.studentText ?? '', 12)));
  }
  // Course passages say more than any answer should: from them, only the closest miss is named.
  const missingShown = input.basis === 'passages' ? missing.slice(0, 1) : missing.slice(0, 3);
  if (missingShown.length > 0)
    sentences.push(
      t.missing(
        list(
          missingShown.map((p) => q(p.text, 10)),
          input.language,
        ),
      ),
    );
  if (input.echoOnly) sentences.push(t.echo);
  if (input.keywordList) {
    sentences.push(t.keywordList);
    improvements.push(t.improveKeywordList);
  }
  if (input.directives.length > 0) sentences.push(t.directives);
  if (input.truncatedAt) sentences.push(t.truncated(input.truncatedAt));
  if (t.basis[input.basis]) sentences.push(t.basis[input.basis]);

  for (const point of covered.slice(0, 3)) strengths.push(t.strengthPoint(q(point.text, 12)));
  const usedTerms = [...new Set(covered.concat(partly).flatMap((p) => p.usedWords))].slice(0, 4);
  if (usedTerms.length >= 2)
    strengths.push(
      t.strengthTerms(
        list(
          usedTerms.map((w) => q(w)),
          input.language,
        ),
      ),
    );

  for (const point of contradicted.slice(0, 2)) {
    improvements.push(t.improveContradiction(q(point.studentText ?? '', 12), q(point.text, 12)));
  }
  for (const point of missingShown) {
    improvements.push(t.improveMissing(q(point.text, 12), point.missingWords.slice(0, 3).join(', ')));
  }
  for (const point of partly.slice(0, 2)) {
    improvements.push(t.improvePartly(q(point.text, 12), list(point.missingWords.slice(0, 3), input.language)));
  }
  if (input.echoOnly) improvements.push(t.improveEcho);
  if (input.padding) improvements.push(t.improvePadding(q(input.padding, 10)));
  if (input.directives.length > 0) improvements.push(t.improveDirectives);

  return { feedback: sentences.join(' '), strengths, improvements };
}

/** A one-line comment for a rubric criterion. */
/**
 * How a form criterion (clarity, structure) was judged: `form` is the quality of the writing alone,
 * `content` the share of the expected content, which caps it (a clear answer about something else
 * is not clear about the question).
 */
export interface FormJudgement {
  form: number;
  content: number;
}

export function criterionComment(language: Language, fraction: number, points: PointOutcome[], formJudgement?: FormJudgement): string {
  const q = (text: string) => quote(text, language, 8);
  const seen = new Set<string>();
  points = points.filter((p) => {
    const key = p.text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const covered = points.filter((p) => !p.contradicted && p.coverage >= COVERED).map((p) => q(p.text));
  const missing = points.filter((p) => !p.contradicted && p.coverage < COVERED).map((p) => q(p.text));
  const contradicted = points.filter((p) => p.contradicted).map((p) => q(p.text));
  const parts: string[] = [];
  if (language === 'fr') {
    if (formJudgement) {
      const { form, content } = formJudgement;
      parts.push(
        form < 0.35
          ? 'Réponse trop brève pour juger la forme.'
          : content < 0.5
            ? 'Lisible, mais la clarté ne compte que pour un contenu juste : peu du contenu attendu.'
            : form >= 0.7
              ? 'Réponse claire et construite.'
              : 'Forme correcte mais peu développée.',
      );
    }
    if (covered.length) parts.push(`Couvert : ${list(covered.slice(0, 2), 'fr')}.`);
    if (contradicted.length) parts.push(`Contredit : ${list(contradicted.slice(0, 2), 'fr')}.`);
    if (missing.length) parts.push(`Manque : ${list(missing.slice(0, 2), 'fr')}.`);
    if (!parts.length) parts.push(fraction > 0 ? 'Critère en partie satisfait.' : 'Critère non satisfait.');
  } else {
    if (formJudgement) {
      const { form, content } = formJudgement;
      parts.push(
        form < 0.35
          ? 'Too short to judge its form.'
          : content < 0.5
            ? 'Readable, but clarity only counts for correct content, and little of the expected content is there.'
            : form >= 0.7
              ? 'Clear and well-formed answer.'
              : 'Readable but thin.',
      );
    }
    if (covered.length) parts.push(`Covered: ${list(covered.slice(0, 2), 'en')}.`);
    if (contradicted.length) parts.push(`Contradicted: ${list(contradicted.slice(0, 2), 'en')}.`);
    if (missing.length) parts.push(`Missing: ${list(missing.slice(0, 2), 'en')}.`);
    if (!parts.length) parts.push(fraction > 0 ? 'Criterion partly met.' : 'Criterion not met.');
  }
  return parts.join(' ');
}
