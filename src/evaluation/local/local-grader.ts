import { foldText, splitSentences, stem } from '../../common/text';
import { coversQuestion } from '../../infrastructure/llm/local-tutor-answer';
import { expandAcronyms } from './acronyms';
import { isNonAnswer, separateGraderDirectives } from './grader-directives';
import { growthRatesIn } from './growth-rates';
import { criterionComment, FormJudgement, GradingBasis, PointOutcome, writeFeedback } from './grading-feedback';
import {
  alignKeyPoint,
  Clause,
  clausesOf,
  contrastSubjects,
  deniesOpposite,
  KeyPoint,
  pointCoverage,
  questionStemsOf,
  statesBothSides,
  TermWeighting,
  toClause,
  toKeyPoint,
} from './key-points';
import { contentTokens, isGenericStem, oppositePairs, TermIndex, tokenize } from './text-features';

export interface RubricCriterion {
  criterion: string;
  maxPoints: number;
  description?: string;
}

export interface GradeInput {
  question: string;
  studentAnswer: string;
  referenceAnswer?: string;
  rubric?: RubricCriterion[];
  maxScore: number;
  passages?: { index: number; text: string }[];
  language: 'fr' | 'en';
}

export interface CriterionGrade {
  criterion: string;
  score: number;
  maxPoints: number;
  comment: string;
}

export interface LocalGrade {
  score: number;
  feedback: string;
  strengths: string[];
  improvements: string[];
  criteria: CriterionGrade[];
}

/** Measurements behind a grade, for benchmarks and for callers that want more than the score. */
export interface GradeSignals {
  /** Share of the expected content credited, 0–1, before rounding. */
  fraction: number;
  /** Share of the expected key points (by weight) the answer contradicts, 0–1. */
  contradiction: number;
  basis: GradingBasis;
  graderDirectives: number;
  /** Content evidence before the on-topic credit: the lexical match with the expected points, 0–1. */
  evidence: number;
  /** Whether the answer engages the subject without contradicting or only echoing the question. */
  onTopic: boolean;
  keywordList: boolean;
}

/**
 * Raw content scores between these two are spread over 0–100 %, on a slightly concave curve; below
 * is nothing, above is full. A lexical comparison never sees every paraphrase, so an answer that a
 * teacher gives full marks typically shows about half of the reference's weighted words: the
 * values were fitted on the shipped grading set (bench/data/grading), not on the benchmark data.
 */
const RAW_FLOOR = 0.04;
/** With no basis to judge correctness, a substantive answer gets half marks (documented in OpenAPI). */
export const NO_BASIS_FRACTION = 0.5;
const RAW_FULL = 0.5;
const CURVE = 0.8;
/** See `calibrate`: content fractions above LIFT_FROM are lifted on a curve of this exponent. */
const LIFT_FROM = 0.35;
const LIFT_CURVE = 0.5;
/**
 * The teacher's scale. Teachers of real courses are lenient: an answer that engages with the
 * question's subject earns a good part of the marks even where a lexical comparison sees little of
 * the reference (a paraphrase, a partly right idea), and most of them where it sees much. Such an
 * answer's content evidence e (0–1) becomes ON_TOPIC_BASE + (1 - ON_TOPIC_BASE) * e^ON_TOPIC_CURVE.
 * An attempt the comparison does not see on the subject (it shares no word with the question or the
 * reference, or uses the opposite of one of the reference's words) is not shown wrong by that: a
 * right answer in other words looks the same to a lexical comparison (on SemEval-2013 train a
 * quarter of such answers are labelled correct), so it earns at least UNVERIFIED_BASE, unless the
 * course passages given show it is about something else (see `outsideCourse`). Answers that only
 * repeat the question keep e. A contradicted answer keeps the credit for what it states right
 * besides, scaled by the share of the expected points it does not contradict, and at least
 * CONTRADICTED_FLOOR: lenient teachers give a wrong place or cause 1–2 of 5, and the lexical
 * contradiction signal is wrong about one time in two on SemEval train.
 *
 * Fitted with `npm run bench:grading` on the training parts only (SemEval-2013 train on the lenient
 * scale, the train questions of bench/data/grading/lenient-set.json), over a grid of the four values
 * (base 0.4–0.6, curve 0.8–1.7, the two floors 0–0.4), minimising the sum of the two RMSEs less the
 * sum of the two r: base 0.4 on the 0.7 curve with no floors (before) gave r 0.332 / 0.640 and RMSE
 * 1.77 / 1.11; base 0.55 on the 1.2 curve r 0.330 / 0.659 and RMSE 1.53 / 1.01 with both floors at
 * 0.2. Floors of 0.3–0.4 scored the training parts a little better still (RMSE 1.44 / 0.98 at 0.3),
 * but they are held at a fifth of the marks: without course passages, an answer about something
 * else entirely ("pizza is made with cheese") looks the same to the comparison, and a
 * contradiction must stay well below a partly right answer. The shipped set's strict teacher loses
 * (RMSE 1.73 → 1.85): it gives wrong and unrelated answers 0.
 */
export const ON_TOPIC_BASE = 0.55;
const ON_TOPIC_CURVE = 1.2;
export const UNVERIFIED_BASE = 0.2;
export const CONTRADICTED_FLOOR = 0.2;

/**
 * Comparison cost grows with both lengths; beyond these the rest is not read (and the feedback
 * says so for the answer). Real short answers and references are far shorter.
 */
const MAX_ANSWER_WORDS = 1500;
const MAX_REFERENCE_WORDS = 600;

/** The sentences of a text that fit in a word budget (at least the first one, cut if need be). */
function leadingWords(text: string, budget: number): string {
  if (text.split(/\s+/).length <= budget) return text;
  const kept: string[] = [];
  let used = 0;
  for (const sentence of splitSentences(text)) {
    const n = sentence.split(/\s+/).length;
    if (used + n > budget) {
      if (kept.length === 0) kept.push(sentence.split(/\s+/).slice(0, budget).join(' '));
      break;
    }
    kept.push(sentence);
    used += n;
  }
  return kept.join(' ');
}

export function gradeAnswer(input: GradeInput): LocalGrade {
  return assessAnswer(input).grade;
}

export function assessAnswer(input: GradeInput): { grade: LocalGrade; signals: GradeSignals } {
  const maxScore = Math.max(0, input.maxScore);
  const language = input.language;
  const separated = separateGraderDirectives(input.studentAnswer ?? '');
  const directives = separated.directives;
  const given = leadingWords(separated.answer, MAX_ANSWER_WORDS);
  const truncated = given.length < separated.answer.trim().length;
  const weighting: TermWeighting = {
    questionStems: questionStemsOf(input.question),
    questionNumbers: numbersIn(input.question, new Set()),
    questionText: input.question,
  };
  const givenReference = leadingWords(input.referenceAnswer?.trim() ?? '', MAX_REFERENCE_WORDS);
  // "FIFO" in one and "first in, first out" in the other say the same.
  const answer = expandAcronyms(given, givenReference);
  const reference = expandAcronyms(givenReference, given);
  const rubric = (input.rubric ?? []).filter((c) => c.maxPoints > 0);

  const subjects = reference ? contrastSubjects(reference, input.question, weighting.questionStems) : new Set<string>();
  const view = answerView(answer, subjects);
  // Computed once for the whole answer: every key point and rubric criterion reads it.
  view.outsideCourse = outsideCourse(view, input.passages ?? [], weighting);
  const empty = view.terms.length === 0 || isNonAnswer(given);

  const referencePoints = reference
    ? clausesOf(reference, subjects)
        .map((c) => toKeyPoint(c, weighting))
        .filter((p) => p.totalWeight > 0)
    : [];
  const descriptionPoints = rubric.map((c) => criterionPoints(c, weighting));
  const overall = overallAssessment(input, referencePoints, descriptionPoints.flat(), view, weighting, empty);

  // "stroma chloroplast ATP NADPH glucose": terms without a statement show recall, not understanding.
  const keywordList = !empty && isKeywordList(given);
  if (keywordList) overall.fraction = Math.min(overall.fraction, KEYWORD_LIST_CAP);

  let criteria: CriterionGrade[] = [];
  let score: number;
  const step = scoreStep(maxScore);
  if (rubric.length > 0) {
    criteria = gradeCriteria(rubric, descriptionPoints, referencePoints, overall, view, weighting, maxScore, step, language, empty);
    score = tidy(criteria.reduce((sum, c) => sum + c.score, 0));
  } else {
    score = empty ? 0 : Math.min(maxScore, tidy(Math.round((overall.fraction * maxScore) / step) * step));
  }

  const fraction = maxScore > 0 ? score / maxScore : 0;
  const written = writeFeedback({
    language,
    fraction,
    basis: overall.basis,
    points: overall.outcomes,
    empty,
    directives,
    padding: overall.paddingExample,
    echoOnly: overall.echoOnly,
    keywordList,
    truncatedAt: truncated ? MAX_ANSWER_WORDS : undefined,
  });
  return {
    grade: { score, ...written, criteria },
    signals: {
      fraction: empty ? 0 : overall.fraction,
      contradiction: overall.contradiction,
      basis: overall.basis,
      graderDirectives: directives.length,
      evidence: empty ? 0 : overall.evidence,
      onTopic: !empty && overall.onTopic,
      keywordList,
    },
  };
}

const NO_NUMBERS: ReadonlySet<string> = new Set();

/** Numbers a text states (years, counts, values), without those the question itself gives. */
function numbersIn(text: string, exclude: ReadonlySet<string>): Set<string> {
  return new Set([...text.matchAll(/\d+(?:[.,]\d+)?/g)].map((m) => m[0].replace(',', '.')).filter((n) => !exclude.has(n)));
}

/**
 * A wrong number is a contradiction ("1815" for "1789", "1, 2, 3, 4, 5" for "0, 1, 2, 3, 4"): the
 * point states numbers, the answer leaves one of them out and states one the expected answer never does.
 */
function numbersContradict(
  point: string,
  answerText: string,
  answer: Set<string>,
  expected: Set<string>,
  exclude: ReadonlySet<string>,
): boolean {
  const own = numbersIn(point, exclude);
  if (own.size === 0 || answer.size === 0) return false;
  // Two enumerations of values ("0, 1, 2, 3 and 4") must list the same values.
  const expectedList = numberList(point);
  const answerList = numberList(answerText);
  if (expectedList.length >= 3 && answerList.length >= 3) {
    return expectedList.join(' ') !== [...new Set(answerList)].sort().join(' ');
  }
  const missing = [...own].some((n) => !answer.has(n));
  const foreign = [...answer].some((n) => !expected.has(n));
  return missing && foreign;
}

/** A question asking where something is or happens. */
const ASKS_WHERE = /(?<!\p{L})(?:where|o[uù])(?!\p{L})/iu;
/** A place named after its preposition, up to the end of the phrase ("in the stroma of the chloroplast"). */
const PLACE_PHRASE =
  /\b(?:in|at|inside|within|on|dans|au|aux|sur)\s+([^,;.:!?()]+?)(?=\s+(?:and|et|which|where|qui|o[uù]|to|from|using|with|by|pour|avec|par)(?!\p{L})|[,;.:!?()]|$)/giu;

function placeStems(text: string): Set<string> {
  const stems = new Set<string>();
  // "In 1789" is a time, not a place: a place is named in words.
  for (const match of text.matchAll(PLACE_PHRASE)) {
    for (const token of contentTokens(match[1]!)) if (/\p{L}/u.test(token.stem)) stems.add(token.stem);
  }
  return stems;
}

/**
 * A wrong place is a contradiction, as a wrong number is ("in the mitochondria" for "in the stroma
 * of the chloroplast"): the question asks where, the point names a place, and the answer names
 * another one, none of whose words the expected answer uses, without naming the point's place.
 */
function placeContradicts(point: string, answerText: string, questionText: string, expectedStems: ReadonlySet<string>): boolean {
  if (!ASKS_WHERE.test(questionText)) return false;
  const own = placeStems(point);
  const answered = placeStems(answerText);
  if (own.size === 0 || answered.size === 0) return false;
  if ([...answered].some((s) => expectedStems.has(s))) return false;
  const answerStems = new Set(contentTokens(answerText).map((t) => t.stem));
  return ![...own].some((s) => answerStems.has(s));
}

/** The longest enumeration of numbers in a text ("1, 2, 3 and 4"), as sorted distinct values. */
function numberList(text: string): string[] {
  let best: string[] = [];
  for (const match of text.matchAll(/\d+(?:\.\d+)?(?:\s*(?:,|and|et|or|ou)\s*\d+(?:\.\d+)?)+/g)) {
    const values = [...new Set(match[0].match(/\d+(?:\.\d+)?/g) ?? [])].sort();
    if (values.length > best.length) best = values;
  }
  return best;
}

/** The most a bare list of terms can earn, as a share of the marks. */
const KEYWORD_LIST_CAP = 0.5;

/** Five or more words and almost no function word: a list of terms rather than statements. */
function isKeywordList(answer: string): boolean {
  const tokens = tokenize(answer);
  if (tokens.length < 5) return false;
  return tokens.filter((t) => !t.content).length / tokens.length < 0.12;
}

// --- The answer -----------------------------------------------------------------------------------

interface AnswerView {
  /** Course passages were given and the answer shares no word with those about the question. */
  outsideCourse?: boolean;
  text: string;
  clauses: Clause[];
  index: TermIndex;
  terms: ReturnType<typeof contentTokens>;
  wordCount: number;
}

function answerView(text: string, subjects: Set<string>): AnswerView {
  const tokens = tokenize(text);
  return {
    text,
    clauses: clausesOf(text, subjects),
    index: new TermIndex(tokens),
    terms: tokens.filter((t) => t.content),
    wordCount: text.split(/\s+/).filter(Boolean).length,
  };
}

/**
 * Whether the answer is shown to be about something else by the course: passages about the question
 * were given (they share a word with it), and the answer uses none of their words. A right answer in
 * other words than the reference's ("backwards and forwards" for "in both directions") usually
 * finds them in the course that taught it; the French Revolution in a photosynthesis module does not.
 */
function outsideCourse(view: AnswerView, passages: { text: string }[], weighting: TermWeighting): boolean {
  const about = passages.filter((p) => contentTokens(p.text).some((t) => weighting.questionStems.has(t.stem)));
  if (about.length === 0) return false;
  const course = new TermIndex(tokenize(about.map((p) => p.text).join('\n')));
  return !view.terms.some((t) => /\p{L}/u.test(t.stem) && !isGenericStem(t.stem) && course.match(t) >= COURSE_MATCH);
}

/** How closely an answer's word must match a course word to count as the course's vocabulary. */
const COURSE_MATCH = 0.85;

// --- Content against key points ---------------------------------------------------------------

interface ContentAssessment {
  fraction: number;
  evidence: number;
  onTopic: boolean;
  outcomes: PointOutcome[];
  contradiction: number;
  echoOnly: boolean;
  paddingExample?: string;
  basis: GradingBasis;
}

function assessContent(
  points: KeyPoint[],
  view: AnswerView,
  weighting: TermWeighting,
  basis: GradingBasis,
  mode: 'all' | 'best-two',
  relevance: number[] = [],
): ContentAssessment {
  const outcomes: PointOutcome[] = [];
  const credits: { weight: number; credit: number; contradicted: boolean }[] = [];
  const termCredit = new Map<string, { weight: number; got: number }>();

  const answerNumbers = numbersIn(view.text, weighting.questionNumbers ?? NO_NUMBERS);
  const expectedNumbers = numbersIn(points.map((p) => p.text).join(' '), weighting.questionNumbers ?? NO_NUMBERS);
  const questionRates = growthRatesIn(weighting.questionText ?? '');
  const expectedStems = new Set(points.flatMap((p) => contentTokens(p.text).map((t) => t.stem)));
  const answerRates = without(growthRatesIn(view.text), questionRates);
  let statesRate = false;
  let statesThroughOpposites = false;
  for (const point of points) {
    const throughOpposites = statedThroughOpposites(point, view.clauses, weighting);
    for (const s of throughOpposites) if (!weighting.questionStems.has(s)) statesThroughOpposites = true;
    const lexical = pointCoverage(point, view.index, throughOpposites);
    const { matched } = lexical;
    let coverage = lexical.coverage;
    const alignment = alignKeyPoint(point, view.clauses, weighting, points, view.index);
    // A running time is one value: the expected one stated any way ("n squared" for "O(n^2)") is
    // the point's substance, another one ("O(n log n)" for "O(log n)") is a wrong value.
    const pointRates = without(growthRatesIn(point.text), questionRates);
    const rateStated = pointRates.size > 0 && [...answerRates].some((r) => pointRates.has(r));
    const rateWrong = pointRates.size > 0 && answerRates.size > 0 && !rateStated;
    if (rateStated) {
      statesRate = true;
      coverage = Math.max(coverage, RATE_COVERAGE);
    }
    const contradicted =
      alignment.contradiction ||
      rateWrong ||
      numbersContradict(point.text, view.text, answerNumbers, expectedNumbers, weighting.questionNumbers ?? NO_NUMBERS) ||
      placeContradicts(point.text, view.text, weighting.questionText ?? '', expectedStems);
    credits.push({ weight: Math.sqrt(point.totalWeight), credit: contradicted ? 0 : coverage, contradicted });
    point.terms.forEach((term, i) => {
      const entry = termCredit.get(term.stem) ?? { weight: point.weights[i], got: 0 };
      if (!contradicted && matched[i]) entry.got = entry.weight;
      termCredit.set(term.stem, entry);
    });
    outcomes.push({
      text: point.text,
      coverage: contradicted ? 0 : coverage,
      contradicted,
      studentText: alignment.clause?.text,
      usedWords: point.terms.filter((t, i) => matched[i] && !weighting.questionStems.has(t.stem)).map((t) => surfaceOf(t.word, point.text)),
      missingWords: point.terms.filter((t, i) => !matched[i] && point.weights[i] >= 1).map((t) => surfaceOf(t.word, point.text)),
    });
  }

  const totalWeight = credits.reduce((s, c) => s + c.weight, 0) || 1;
  let pointScore: number;
  if (mode === 'best-two') {
    // Course passages hold more than any answer should say: the answer is judged on the two
    // passage sentences it states best, each counted by how much its passage is about the question.
    const ranked = credits
      .map((c, i) => c.credit * (relevance[i] ?? 1))
      .sort((a, b) => b - a)
      .slice(0, 2);
    pointScore = ranked.reduce((a, b) => a + b, 0) / Math.max(1, Math.min(2, credits.length));
  } else {
    pointScore = credits.reduce((s, c) => s + c.weight * c.credit, 0) / totalWeight;
  }
  let termWeightSum = 0;
  let termGot = 0;
  for (const { weight, got } of termCredit.values()) {
    termWeightSum += weight;
    termGot += got;
  }
  const termScore = termWeightSum > 0 ? termGot / termWeightSum : 0;
  let raw = mode === 'all' ? 0.6 * pointScore + 0.4 * termScore : pointScore;

  const contradiction = credits.filter((c) => c.contradicted).reduce((s, c) => s + c.weight, 0) / totalWeight;
  // What the answer states right besides its contradiction (contradicted points count nothing).
  let uncontradicted = raw;
  if (contradiction > 0) raw = Math.max(0, raw * (1 - contradiction) - 0.1 - 0.3 * contradiction);

  // An answer that only repeats the question's own words has shown nothing, unless the expected
  // answer itself says nothing more ("the terminals are connected" to a question about the connection).
  const novelMatch = statesThroughOpposites || view.terms.some((t) => !weighting.questionStems.has(t.stem) && pointsMention(points, t));
  const expectsNovel = points.some((p) => p.terms.some((t) => !weighting.questionStems.has(t.stem)));
  if (!novelMatch && expectsNovel) {
    raw = Math.min(raw, 0.08);
    uncontradicted = Math.min(uncontradicted, 0.08);
  }
  const echoOnly = view.terms.length > 0 && view.terms.every((t) => weighting.questionStems.has(t.stem));

  const padding = paddingOf(points, view, weighting);
  raw *= padding.factor;

  const onTopic =
    contradiction === 0 && !echoOnly && (statesRate || engagesSubject(points, view, weighting)) && !opposesPoint(points, view, weighting);
  const evidence = calibrate(raw);
  return {
    fraction:
      contradiction > 0
        ? Math.max(CONTRADICTED_FLOOR, (1 - contradiction) * calibrate(uncontradicted * padding.factor))
        : teacherScale(evidence, onTopic ? 'on-topic' : echoOnly || view.outsideCourse ? 'unrelated' : 'unverified'),
    evidence,
    onTopic,
    outcomes,
    contradiction,
    echoOnly,
    paddingExample: padding.example,
    basis,
  };
}

/** The share of a key point credited for stating its running time in other words than the reference's. */
const RATE_COVERAGE = 0.8;

function without(set: Set<string>, remove: Set<string>): Set<string> {
  return new Set([...set].filter((x) => !remove.has(x)));
}

/** The word as the text writes it ("désigne"), from its folded form ("designe"). */
function surfaceOf(folded: string, text: string): string {
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (foldText(match[0]) === folded) return match[0].toLowerCase() === match[0] ? match[0] : match[0].toLowerCase();
  }
  return folded;
}

function pointsMention(points: KeyPoint[], token: { word: string; stem: string; content: boolean }): boolean {
  return points.some((p) => p.index.match(token) >= 0.5);
}

/**
 * Whether the answer uses a word (not a bare number) of the question or of the expected answer:
 * it writes about the subject asked, right or not.
 */
function engagesSubject(points: KeyPoint[], view: AnswerView, weighting: TermWeighting): boolean {
  return view.terms.some((t) => /\p{L}/u.test(t.stem) && (weighting.questionStems.has(t.stem) || pointsMention(points, t)));
}

/**
 * Whether a clause of the answer uses the opposite of a word of the expected answer ("changes" for
 * "stays constant"). Too weak a sign to call a contradiction, it withholds the on-topic credit. Two
 * opposites in one clause turn the whole statement round and say the same ("the longer the string,
 * the lower the pitch" for "the shorter the string, the higher the pitch"), so only an odd number of
 * the clause's opposite words counts.
 */
function opposesPoint(points: KeyPoint[], view: AnswerView, weighting: TermWeighting): boolean {
  return points.some((point) =>
    view.clauses.some((clause) => {
      const flipped = oppositePairs(point.stems, clause.stems, point.words, clause.words).filter(
        ([a, b]) =>
          !(weighting.questionStems.has(a) && weighting.questionStems.has(b)) &&
          !statesBothSides(point, clause, a) &&
          !deniesOpposite(point, clause, a, b),
      );
      return new Set(flipped.map(([, b]) => b)).size % 2 === 1;
    }),
  );
}

/**
 * Words of a point the answer states through their opposite: by denying it ("does not change" for
 * "stays constant", "not the same" for "different"), or with the whole statement turned round
 * ("cold air falls" for "hot air rises": an even number of opposites in one clause).
 */
function statedThroughOpposites(point: KeyPoint, clauses: Clause[], weighting: TermWeighting): Set<string> {
  const stated = new Set<string>();
  for (const clause of clauses) {
    const turned: [string, string][] = [];
    for (const [a, b] of oppositePairs(point.stems, clause.stems, point.words, clause.words)) {
      if (weighting.questionStems.has(a) && weighting.questionStems.has(b)) continue;
      if (deniesOpposite(point, clause, a, b)) stated.add(a);
      else turned.push([a, b]);
    }
    const flips = new Set(turned.map(([, b]) => b)).size;
    if (flips >= 2 && flips % 2 === 0) for (const [a] of turned) stated.add(a);
  }
  return stated;
}

/**
 * Light penalty for long stretches unrelated to the expected answer: a short off-topic aside costs
 * nothing, an answer that is mostly padding loses up to 15 %.
 */
function paddingOf(points: KeyPoint[], view: AnswerView, weighting: TermWeighting): { factor: number; example?: string } {
  const stems = new Map(view.terms.map((t) => [t.stem, t]));
  const expectedTerms = new Set(points.flatMap((p) => p.terms.map((t) => t.stem))).size;
  if (stems.size < 10 || stems.size <= 2 * expectedTerms) return { factor: 1 };
  let relevant = 0;
  for (const token of stems.values()) {
    if (weighting.questionStems.has(token.stem) || pointsMention(points, token)) relevant++;
  }
  const precision = relevant / stems.size;
  if (precision >= 0.5) return { factor: 1 };
  let example: string | undefined;
  let worst = Infinity;
  for (const sentence of splitSentences(view.text)) {
    const terms = contentTokens(sentence);
    if (terms.length < 3) continue;
    const share = terms.filter((t) => weighting.questionStems.has(t.stem) || pointsMention(points, t)).length / terms.length;
    if (share < worst) {
      worst = share;
      example = sentence;
    }
  }
  return { factor: 0.85 + 0.3 * precision, example: worst < 0.3 ? example : undefined };
}

/**
 * From the content evidence to the share of the marks a lenient teacher gives (see ON_TOPIC_BASE):
 * on the subject, an attempt the comparison cannot check, or an answer shown to be about something
 * else (the question repeated, or words the course passages about the question never use).
 */
function teacherScale(evidence: number, kind: 'on-topic' | 'unverified' | 'unrelated'): number {
  if (kind === 'on-topic') return ON_TOPIC_BASE + (1 - ON_TOPIC_BASE) * evidence ** ON_TOPIC_CURVE;
  if (kind === 'unverified') return Math.max(UNVERIFIED_BASE, evidence);
  return evidence;
}

function calibrate(raw: number): number {
  const base = Math.min(1, Math.max(0, (raw - RAW_FLOOR) / (RAW_FULL - RAW_FLOOR))) ** CURVE;
  if (base <= LIFT_FROM) return base;
  // Above the partial range, teachers credit what a lexical match sees only in part (paraphrases):
  // the upper range is lifted on a concave curve, while wrong and partial answers keep their score.
  return LIFT_FROM + (1 - LIFT_FROM) * ((base - LIFT_FROM) / (1 - LIFT_FROM)) ** LIFT_CURVE;
}

// --- Which basis the grade rests on -----------------------------------------------------------

function overallAssessment(
  input: GradeInput,
  referencePoints: KeyPoint[],
  descriptionPoints: KeyPoint[],
  view: AnswerView,
  weighting: TermWeighting,
  empty: boolean,
): ContentAssessment {
  if (referencePoints.length > 0) return assessContent(referencePoints, view, weighting, 'reference', 'all');
  if (descriptionPoints.length > 0) return assessContent(descriptionPoints, view, weighting, 'rubric', 'all');
  // Passages that do not cover the question (the tutor's relevance floor) are no basis either.
  const passage = coversQuestion(
    input.question,
    (input.passages ?? []).map((p, i) => ({ index: i + 1, title: '', text: p.text })),
  )
    ? passageKeyPoints(input, weighting)
    : { points: [], relevance: [] };
  if (passage.points.length > 0) return assessContent(passage.points, view, weighting, 'passages', 'best-two', passage.relevance);
  return questionOnly(input.question, view, weighting, empty);
}

/**
 * Sentences of the course passages stand in for a reference answer, each with the relevance of its
 * passage to the question (passages are usually retrieved for the question, but not all equally).
 */
function passageKeyPoints(input: GradeInput, weighting: TermWeighting): { points: KeyPoint[]; relevance: number[] } {
  const passages = (input.passages ?? []).filter((p) => p.text.trim());
  const hits = passages.map((p) => {
    const stems = new Set(contentTokens(p.text).map((t) => t.stem));
    return [...weighting.questionStems].filter((s) => stems.has(s)).length;
  });
  const best = Math.max(0, ...hits);
  const points: KeyPoint[] = [];
  const relevance: number[] = [];
  passages.forEach((passage, i) => {
    const weight = best > 0 ? hits[i] / best : 1;
    if (weight === 0) return;
    for (const sentence of splitSentences(passage.text)) {
      const point = toKeyPoint(toClause(sentence), weighting);
      if (point.terms.length < 3) continue;
      points.push(point);
      relevance.push(weight);
    }
  });
  return { points: points.slice(0, 40), relevance: relevance.slice(0, 40) };
}

/**
 * With nothing but the question, correctness cannot be checked: the answer earns up to half marks
 * for addressing the question's subject with substance of its own.
 */
function questionOnly(question: string, view: AnswerView, weighting: TermWeighting, empty: boolean): ContentAssessment {
  const ownTerms = new Set(view.terms.filter((t) => !weighting.questionStems.has(t.stem)).map((t) => t.stem)).size;
  // No basis: a right answer ("the Earth's axis is tilted") need not share a word with its
  // question, so the score neither rewards nor punishes what cannot be checked. A substantive
  // answer gets the midpoint (NO_BASIS_FRACTION), a very short one less, an empty or echoing one nothing.
  const substance = Math.min(1, ownTerms / 3);
  const fraction = empty || ownTerms === 0 ? 0 : NO_BASIS_FRACTION * substance;
  return {
    fraction,
    evidence: fraction,
    onTopic: false,
    outcomes: [],
    contradiction: 0,
    echoOnly: !empty && ownTerms === 0,
    basis: 'question',
  };
}

// --- Rubric ---------------------------------------------------------------------------------------

/** Words rubrics use to describe what is asked, which say nothing about the subject itself. */
const RUBRIC_WORDS = new Set(
  `explain explains explained explanation describe describes description mention mentions mentioned state
  states identify identifies give gives provide provides correct correctly accurate accurately answer
  response student learner clear clearly complete completely shows show demonstrates demonstrate
  understanding point points criterion define defines definition least relevant appropriate
  explique expliquer explication decrit decrire mentionne mentionner donne donner identifie identifier
  correct correcte correctement exacte exactement reponse eleve etudiant claire clairement complete
  montre montrer comprehension critere definit definir definition moins pertinent pertinente`
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => stem(w)),
);

const FORM_CRITERION =
  /clar|clear|structur|organi[sz]|spelling|grammar|orthograph|express|style|presentation|redaction|writing|concis|langu|lisib|readab/;

function isFormCriterion(criterion: RubricCriterion): boolean {
  return FORM_CRITERION.test(foldText(criterion.criterion));
}

/** "Explains that the sun heats the ocean" states the point "the sun heats the ocean". */
const RUBRIC_LEAD =
  /^(?:(?:the )?(?:student|answer|response|l'eleve|l'etudiant|la reponse)\s+)?(?:correctly\s+|clearly\s+)?(?:explains?|states?|mentions?|describes?|identifies?|gives?|provides?|notes?|shows?|recognizes?|recognises?|indicates?|defines?|names?|explique|expliquer|mentionne|mentionner|decrit|decrire|indique|indiquer|donne|donner|identifie|identifier|definit|definir|cite|citer|precise|preciser)(?:\s+(?:that|how|why|what|que|comment|pourquoi)\s+|\s+qu['’]|\s+)/;

function stripRubricLead(text: string): string {
  const match = RUBRIC_LEAD.exec(foldText(text));
  return match ? text.slice(match[0].length) : text;
}

function criterionPoints(criterion: RubricCriterion, weighting: TermWeighting): KeyPoint[] {
  if (isFormCriterion(criterion) || !criterion.description) return [];
  return clausesOf(stripRubricLead(criterion.description.trim()), new Set())
    .map((clause) => {
      const terms = clause.terms.filter((t) => !RUBRIC_WORDS.has(t.stem));
      return toKeyPoint({ ...clause, terms }, weighting);
    })
    .filter((p) => p.terms.length > 0);
}

function criterionIndex(criterion: RubricCriterion): TermIndex {
  const tokens = tokenize(`${criterion.criterion} ${criterion.description ?? ''}`).filter((t) => !RUBRIC_WORDS.has(t.stem));
  return new TermIndex(tokens);
}

function gradeCriteria(
  rubric: RubricCriterion[],
  descriptionPoints: KeyPoint[][],
  referencePoints: KeyPoint[],
  overall: ContentAssessment,
  view: AnswerView,
  weighting: TermWeighting,
  maxScore: number,
  step: number,
  language: 'fr' | 'en',
  empty: boolean,
): CriterionGrade[] {
  // Each reference point goes to the content criterion whose wording it matches best.
  const assigned: KeyPoint[][] = rubric.map(() => []);
  const indexes = rubric.map(criterionIndex);
  for (const point of referencePoints) {
    let best = -1;
    let bestShare = 0.2;
    rubric.forEach((criterion, i) => {
      if (isFormCriterion(criterion) || indexes[i].size === 0) return;
      const share = pointCoverage(point, indexes[i]).coverage;
      if (share > bestShare) {
        bestShare = share;
        best = i;
      }
    });
    // A point no criterion names is left to the criteria judged on the whole answer, if any.
    if (best >= 0) assigned[best].push(point);
  }
  const openCriteria = rubric.map((c, i) => !isFormCriterion(c) && descriptionPoints[i].length === 0 && assigned[i].length === 0);

  const totalPoints = rubric.reduce((s, c) => s + c.maxPoints, 0);
  const scale = totalPoints > 0 ? Math.min(1, maxScore / totalPoints) : 0;
  const grades = rubric.map((criterion, i) => {
    const form = isFormCriterion(criterion);
    let fraction: number;
    let outcomes: PointOutcome[];
    let judgement: FormJudgement | undefined;
    if (empty) {
      fraction = 0;
      outcomes = [];
    } else if (form) {
      judgement = { form: formQuality(view, referencePoints), content: overall.fraction };
      fraction = judgement.form * Math.min(1, judgement.content / 0.5);
      outcomes = [];
    } else if (openCriteria[i]) {
      // A criterion named only ("Accuracy", "Completeness") is judged on the whole expected answer.
      fraction = overall.fraction;
      outcomes = overall.outcomes;
    } else {
      const points = [...descriptionPoints[i], ...assigned[i]];
      const assessed = assessContent(points, view, weighting, overall.basis, 'all');
      fraction = assessed.fraction;
      outcomes = assessed.outcomes;
    }
    const comment = empty
      ? language === 'fr'
        ? 'Pas de réponse.'
        : 'No answer.'
      : criterionComment(language, fraction, outcomes, judgement);
    return { criterion, fraction, comment };
  });

  const result = grades.map(({ criterion, fraction, comment }) => {
    const cap = criterion.maxPoints * scale;
    let score = fraction >= 0.999 ? cap : Math.round((fraction * cap) / step) * step;
    if (score > cap) score = Math.floor(cap / step) * step;
    return { criterion: criterion.criterion, score: tidy(Math.max(0, score)), maxPoints: criterion.maxPoints, comment };
  });
  // Rounding must never lift the total past the maximum.
  let total = tidy(result.reduce((s, c) => s + c.score, 0));
  while (total > maxScore + 1e-9) {
    const largest = result.reduce((a, b) => (b.score > a.score ? b : a));
    largest.score = tidy(Math.max(0, largest.score - step));
    total = tidy(result.reduce((s, c) => s + c.score, 0));
  }
  return result;
}

/** Whether an answer is long and formed enough for its form to be judged; content is judged apart. */
function formQuality(view: AnswerView, referencePoints: KeyPoint[]): number {
  const expectedWords = Math.max(8, Math.min(40, referencePoints.reduce((s, p) => s + p.text.split(/\s+/).length, 0) * 0.5));
  const length = Math.min(1, view.wordCount / expectedWords);
  const sentences = splitSentences(view.text).filter((s) => s.split(/\s+/).length >= 4);
  const formed = sentences.length > 0 ? 1 : 0.5;
  return view.wordCount < 3 ? 0.3 * length : (0.3 + 0.7 * length) * formed;
}

// --- Numbers --------------------------------------------------------------------------------------

/** The rounding step for a scale: a tenth on small scales, coarser on large ones (1/40 of it). */
export function scoreStep(maxScore: number): number {
  const steps = [5, 2, 1, 0.5, 0.25, 0.1];
  return steps.find((s) => s <= maxScore / 40) ?? 0.1;
}

function tidy(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
