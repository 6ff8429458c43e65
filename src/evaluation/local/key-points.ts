import { foldText, splitSentences, stem } from '../../common/text';
import {
  allStems,
  contentTokens,
  deniedStems,
  directionSides,
  isGenericStem,
  negatedStems,
  negationSites,
  oppositePairs,
  splitClauses,
  TermIndex,
  Token,
  tokenize,
} from './text-features';

/** A clause of a text reduced to what comparison needs; used for reference and student alike. */
export interface Clause {
  text: string;
  /** Content tokens, one per stem. */
  terms: Token[];
  index: TermIndex;
  stems: Set<string>;
  words: string[];
  /** Whether the clause denies anything at all. */
  negative: boolean;
  /** Stems the clause only says under a negation. */
  negated: Set<string>;
  /** Stems of all words under a negation, function words included (see `deniedStems`). */
  denied: Set<string>;
  /** The subject this clause speaks about, when the text contrasts several (see `contrastSubjects`). */
  subject?: string;
  direction: ReturnType<typeof directionSides>;
}

/** One idea the answer is expected to state, with weights saying which of its words matter. */
export interface KeyPoint extends Clause {
  weights: number[];
  totalWeight: number;
}

export interface TermWeighting {
  /** Stems of the question: an answer repeating them shows little, so they weigh less. */
  questionStems: Set<string>;
  /** Numbers the question gives ("range(5)"): an answer repeating them states nothing new. */
  questionNumbers?: ReadonlySet<string>;
  /** The question as asked, for values it gives in other forms than words and numbers. */
  questionText?: string;
}

export function termWeight(termStem: string, weighting: TermWeighting): number {
  if (weighting.questionStems.has(termStem)) return 0.35;
  if (isGenericStem(termStem)) return 0.5;
  return 1;
}

function uniqueByStem(tokens: Token[]): Token[] {
  const seen = new Set<string>();
  return tokens.filter((t) => (seen.has(t.stem) ? false : (seen.add(t.stem), true)));
}

export function toClause(text: string): Clause {
  const tokens = tokenize(text);
  const terms = uniqueByStem(tokens.filter((t) => t.content));
  return {
    text,
    terms,
    index: new TermIndex(tokens),
    stems: allStems(text),
    words: tokens.map((t) => t.word),
    negative: negationSites(text).length > 0,
    negated: negatedStems(text),
    denied: deniedStems(text),
    direction: directionSides(text),
  };
}

/** Clauses of a text in order, with each sentence's subject carried to its later clauses. */
export function clausesOf(text: string, subjects: Set<string>): Clause[] {
  const out: Clause[] = [];
  for (const sentence of splitSentences(text)) {
    let subject: string | undefined;
    for (const piece of splitClauses(sentence)) {
      const clause = toClause(piece);
      const opening = subjects.size > 0 ? openingSubject(tokenize(piece), (key) => subjects.has(key)) : undefined;
      if (opening) subject = opening;
      clause.subject = subject;
      out.push(clause);
    }
  }
  return out;
}

export function toKeyPoint(clause: Clause, weighting: TermWeighting): KeyPoint {
  const weights = clause.terms.map((t) => termWeight(t.stem, weighting));
  return { ...clause, weights, totalWeight: weights.reduce((a, b) => a + b, 0) };
}

/**
 * Subjects a question asks to contrast ("the difference between RAM and a hard drive") that each
 * open a clause of the reference. When a student pins a statement on the other subject, that is a
 * contradiction, not a match.
 */
export function contrastSubjects(reference: string, question: string, questionStems: Set<string>): Set<string> {
  if (!CONTRAST_QUESTION.test(foldText(question))) return new Set();
  const subjects = new Set<string>();
  for (const sentence of splitSentences(reference)) {
    for (const piece of splitClauses(sentence)) {
      const subject = openingSubject(tokenize(piece), (key) => questionStems.has(key) || compoundSubjects(question).has(key));
      if (subject && !isGenericStem(subject)) subjects.add(subject);
    }
  }
  return subjects.size >= 2 ? subjects : new Set();
}

/**
 * Subjects a question tells apart by a function word before a shared noun: "a for loop and a while
 * loop" gives "for loop" and "while loop", which the content words alone cannot separate.
 */
function compoundSubjects(question: string): Set<string> {
  const tokens = tokenize(question);
  const before = new Map<string, Set<string>>();
  tokens.forEach((t, i) => {
    if (!t.content || i === 0 || tokens[i - 1].content) return;
    const set = before.get(t.stem) ?? new Set();
    set.add(`${tokens[i - 1].word} ${t.stem}`);
    before.set(t.stem, set);
  });
  const out = new Set<string>();
  for (const keys of before.values()) if (keys.size >= 2) for (const key of keys) out.add(key);
  return out;
}

/** The subject a clause opens with: its first content word, or that word with the one before it. */
function openingSubject(tokens: Token[], known: (key: string) => boolean): string | undefined {
  const i = tokens.findIndex((t) => t.content && !CONNECTIVES.has(t.word));
  if (i < 0) return undefined;
  if (i > 0) {
    const compound = `${tokens[i - 1].word} ${tokens[i].stem}`;
    if (known(compound)) return compound;
  }
  return known(tokens[i].stem) ? tokens[i].stem : undefined;
}

const CONNECTIVES = new Set(['whereas', 'therefore', 'however', 'although', 'tandis', 'alors', 'cependant', 'sinon', 'puis', 'ensuite']);

const CONTRAST_QUESTION =
  /\b(?:difference|differences|differ|differs|compare|comparing|contrast|versus|vs|distinguish|distinguer|compar\w*)\b/;

type Candidate = Comparison & { clause: Clause };

export interface Alignment {
  clause: Clause | null;
  /** Weighted share of the key point found in the aligned clause (opposites and swaps count). */
  coverage: number;
  contradiction: boolean;
  /** Why, for feedback: which kind of clash was found. */
  reason?: 'negation' | 'opposite' | 'subject' | 'direction';
}

interface Comparison {
  /** Whether the two clauses are about the same thing at all. */
  comparable: boolean;
  contradiction: boolean;
  reason?: Alignment['reason'];
  /** Weighted share of the point found in the clause (opposites and a swapped subject count). */
  coverage: number;
  /** Weight of the point's own words (not the question's) found in the clause. */
  novel: number;
  shared: Set<string>;
}

/**
 * Compares one clause with one key point: are they about the same thing, and does the clause
 * assert the point or its opposite? A clash is a flipped negation, a word swapped for its
 * opposite, the statement pinned on the other contrasted subject, or a reversed direction ("from A
 * to B" against "from B to A", "A is greater than B" against "B is greater than A"); two flips
 * cancel ("not the same" agrees with "different", "B is smaller than A" with "A is greater than B").
 */
function compare(point: KeyPoint, clause: Clause, weighting: TermWeighting): Comparison {
  const opposites = oppositePairs(point.stems, clause.stems, point.words, clause.words).filter(
    ([a, b]) =>
      !(point.subject && (a === point.subject || b === point.subject)) &&
      !(clause.subject && (a === clause.subject || b === clause.subject)) &&
      // The question itself set up both ("a cold glass on a warm day"): naming either is no clash.
      !(weighting.questionStems.has(a) && weighting.questionStems.has(b)) &&
      !statesBothSides(point, clause, a),
  );
  const opposed = new Set(opposites.map(([a]) => a));
  let matched = 0;
  // Evidence that both clauses state the same thing: shared words of the point's own (not the
  // question's), counting neither opposites nor the subject, which may be the very difference.
  let novel = 0;
  let novelTotal = 0;
  const shared = new Set<string>();
  point.terms.forEach((term, i) => {
    let m = clause.index.match(term);
    if (m < 0.5) m = 0;
    if (point.weights[i] >= 0.5 && !weighting.questionStems.has(term.stem)) {
      novelTotal += point.weights[i];
      novel += point.weights[i] * m;
      if (m > 0) shared.add(term.stem);
    }
    if (m === 0 && (opposed.has(term.stem) || (point.subject && clause.subject && term.stem === point.subject))) m = 1;
    matched += point.weights[i] * m;
  });
  const coverage = point.totalWeight > 0 ? matched / point.totalWeight : 0;
  const novelShare = novelTotal > 0 ? novel / novelTotal : 0;
  // "Not the same" against "different": the negation is a flip even where the clause names its
  // subject with a pronoun, and the opposite word the other, so the two cancel.
  const negationFlip = negationDiffers(point, clause, weighting) || opposites.some(([a, b]) => deniesOpposite(point, clause, a, b));
  // A negation that governs the point's own words is good evidence that both speak of one thing.
  let comparable = novel >= 0.75 && (coverage >= 0.4 || novelShare >= 0.4 || (negationFlip && (coverage >= 0.25 || novelShare >= 0.25)));
  // A point made only of the question's words ("the terminals are connected") is compared with a
  // clause made of them too ("they are not connected"), not with one that says something else.
  const clauseNovel = clause.terms.filter((t) => !weighting.questionStems.has(t.stem)).length;
  if (novelTotal === 0 && coverage >= 0.5 && clauseNovel <= 1) comparable = true;
  const otherSubject = Boolean(point.subject && clause.subject && point.subject !== clause.subject);
  // A clause about the other contrasted subject only counts when it clearly restates the point.
  const subjectSwap = otherSubject && (novel >= 1.5 || novelShare >= 0.6);
  if (otherSubject && !subjectSwap) comparable = false;
  if (!comparable) return { comparable, contradiction: false, coverage, novel, shared };

  const strong = novel >= 1.5 || novelShare >= 0.5;
  // A denial stated with the opposite word ("not the same size" for "different sizes", "an open
  // path" for "no longer a closed path") agrees: the opposite cancels the negation even where the
  // two share too little to call the opposite alone a clash.
  const oppositeFlip = opposites.length % 2 === 1 && (strong || negationFlip);
  const reversed = directionReversed(point, clause) && strong;
  let flipped = (negationFlip ? 1 : 0) + (oppositeFlip ? 1 : 0) + (subjectSwap ? 1 : 0) + (reversed ? 1 : 0);
  // "Repeat until it becomes false" says "repeat while it stays true": "until" can undo a flip,
  // but is too common ("check each item until it is found") to create one.
  if (flipped % 2 === 1 && hasUntil(point) !== hasUntil(clause)) flipped++;
  const contradiction = flipped % 2 === 1;
  const reason: Alignment['reason'] = !contradiction
    ? undefined
    : negationFlip
      ? 'negation'
      : oppositeFlip
        ? 'opposite'
        : subjectSwap
          ? 'subject'
          : 'direction';
  return { comparable, contradiction, reason, coverage, novel, shared };
}

/**
 * Whether the clause also says the point's own word, or a word of the same meaning, beside the
 * opposite it uses: "on the left is less than it and on the right is greater" states both sides of
 * an ordering and flips nothing against "the left subtree holds only smaller keys".
 */
export function statesBothSides(point: KeyPoint, clause: Clause, pointStem: string): boolean {
  const term = point.terms.find((t) => t.stem === pointStem);
  if (term === undefined) return false;
  if (clause.index.match(term) >= 0.5) return true;
  // "less" and "more" are function words, out of the content index.
  const comparative = COMPARATIVE_WORD.get(pointStem);
  return comparative !== undefined && clause.words.includes(comparative);
}

const COMPARATIVE_WORD = new Map<string, string>([
  ...['smaller', 'lower', 'fewer'].map((w) => [stem(w), 'less'] as [string, string]),
  ...['larger', 'greater', 'bigger', 'higher'].map((w) => [stem(w), 'more'] as [string, string]),
]);

/**
 * Whether one side denies the opposite the other side states ("not the same" against "different",
 * "no longer closed" against "open"): two flips, which say the same thing.
 */
export function deniesOpposite(point: Clause, clause: Clause, pointStem: string, clauseStem: string): boolean {
  return clause.denied.has(clauseStem) !== point.denied.has(pointStem);
}

/**
 * Finds the student clause that speaks about the same thing as a key point and tells whether it
 * contradicts it. `otherPoints` are the rest of the expected answer: a clause that faithfully
 * restates one of them ("wood is less dense than water") is not taken as denying a neighbour it
 * resembles ("the stone is denser than water").
 */
export function alignKeyPoint(
  point: KeyPoint,
  clauses: Clause[],
  weighting: TermWeighting,
  otherPoints: KeyPoint[] = [],
  answer?: TermIndex,
): Alignment {
  let bestAgreeing: Candidate | undefined;
  let bestContradicting: Candidate | undefined;
  for (const clause of clausesSharingWords(point, clauses, answer)) {
    const c = compare(point, clause, weighting);
    if (!c.comparable) continue;
    const candidate: Candidate = { clause, ...c };
    const better = (than?: Candidate) => !than || c.novel > than.novel || (c.novel === than.novel && c.coverage > than.coverage);
    if (c.contradiction) {
      const restatesAnother = otherPoints.some((other) => other !== point && restates(other, point, clause, c, weighting));
      if (!restatesAnother && better(bestContradicting)) bestContradicting = candidate;
    } else if (better(bestAgreeing)) {
      bestAgreeing = candidate;
    }
  }
  // A clause that states the same part of the point outweighs one that clashes with it: students
  // write loosely, and a false alarm costs more than a missed contradiction.
  const agreeing = bestAgreeing;
  const overridden = Boolean(
    bestContradicting &&
    agreeing &&
    agreeing.novel >= 0.5 * bestContradicting.novel &&
    [...bestContradicting.shared].filter((s) => agreeing.shared.has(s)).length >= 0.5 * bestContradicting.shared.size,
  );
  const chosen = bestContradicting && !overridden ? bestContradicting : bestAgreeing;
  if (!chosen) return { clause: null, coverage: 0, contradiction: false };
  return { clause: chosen.clause, coverage: chosen.coverage, contradiction: chosen.contradiction, reason: chosen.reason };
}

/**
 * Whether a clause that clashes with `point` is rather a faithful restatement of `other`: it agrees
 * with it at least as closely, names no subject of the question that `other` lacks while lacking
 * one `other` names ("wood … denser" is not "the stone is denser"), and takes at most half of
 * what it shares with `point` from outside `other` (the carbon dioxide of one point moved into
 * another is a swap, not a restatement).
 */
function restates(other: KeyPoint, point: KeyPoint, clause: Clause, clash: Comparison, weighting: TermWeighting): boolean {
  const o = compare(other, clause, weighting);
  if (!o.comparable || o.contradiction || o.coverage < 0.55 || o.novel < clash.novel) return false;
  // A denial the other point does not make ("… a value, it can never change") is the student's own.
  if (clash.reason === 'negation' && other.negative !== clause.negative) return false;
  const otherStems = new Set(other.terms.map((t) => t.stem));
  const questionIn = (stems: Iterable<string>) => [...stems].filter((s) => weighting.questionStems.has(s));
  const clauseNamesOther = questionIn(clause.terms.map((t) => t.stem)).some((s) => !otherStems.has(s));
  const otherNamesMissing = questionIn(otherStems).some((s) => !clause.index.says(s));
  if (clauseNamesOther && otherNamesMissing) return false;
  const taken = [...clash.shared].filter((s) => !otherStems.has(s) && !other.index.says(s)).length;
  return taken <= clash.shared.size / 2;
}

/**
 * Only clauses holding one of the point's words can be about it; with the whole answer's index at
 * hand, the others are skipped without comparing them word by word (long answers stay fast).
 */
function clausesSharingWords(point: KeyPoint, clauses: Clause[], answer?: TermIndex): Clause[] {
  if (!answer) return clauses;
  const words = new Set(point.terms.flatMap((t) => answer.matchingWords(t)));
  if (words.size === 0) return [];
  return clauses.filter((clause) => clause.words.some((w) => words.has(w)));
}

function hasUntil(clause: Clause): boolean {
  return clause.words.includes('until') || clause.words.includes('jusqu');
}

/**
 * Whether one clause denies what the other asserts ("is acidic" against "is not acidic"): one of
 * them is negative and the other not, and at least a third of what the negative one denies (its own
 * words first; the question's words only when it denies nothing else) the other one states. When
 * the point is set in the question's situation ("in a vacuum, sound cannot travel"), the clause
 * must be set there too.
 */
function negationDiffers(point: KeyPoint, clause: Clause, weighting: TermWeighting): boolean {
  if (point.negative === clause.negative) return false;
  const pointQuestionTerms = point.terms.filter((t) => weighting.questionStems.has(t.stem));
  if (pointQuestionTerms.length > 0 && !pointQuestionTerms.some((t) => clause.index.match(t) >= 0.5)) return false;
  const [denied, other] = point.negative ? [[...point.negated], clause.index] : [[...clause.negated], point.index];
  const own = denied.filter((s) => !weighting.questionStems.has(s));
  const considered = own.length > 0 ? own : denied;
  if (considered.length === 0) return false;
  const stated = considered.filter((s) => other.says(s)).length;
  return stated > 0 && stated >= considered.length / 3;
}

function directionReversed(point: Clause, clause: Clause): boolean {
  const a = point.direction;
  const b = clause.direction;
  if (!a || !b) return false;
  // "from the light reactions to fix carbon dioxide" against "carbon dioxide is fixed into glucose":
  // an infinitive's "to" looks like a destination, so only directions marked alike are compared.
  if (a.marker !== b.marker) return false;
  const minus = (x: Set<string>, y: Set<string>) => new Set([...x].filter((s) => !y.has(s)));
  const intersect = (x: Set<string>, y: Set<string>) => new Set([...x].filter((s) => y.has(s)));
  const targetMovedToSource = intersect(minus(a.target, a.source), minus(b.source, b.target));
  const sourceMovedToTarget = intersect(minus(a.source, a.target), minus(b.target, b.source));
  const targetsDisjoint = intersect(a.target, b.target).size === 0;
  // Both ends swapped, or the destination turned into the origin with nothing left of it as destination.
  return (targetMovedToSource.size > 0 && sourceMovedToTarget.size > 0) || (targetMovedToSource.size > 0 && targetsDisjoint);
}

/** How much of a key point a whole answer states, term by term, from 0 to 1 (`statedOtherwise`: stems it states in other words). */
export function pointCoverage(
  point: KeyPoint,
  answer: TermIndex,
  statedOtherwise: ReadonlySet<string> = new Set(),
): { coverage: number; matched: boolean[] } {
  let got = 0;
  const matched: boolean[] = [];
  point.terms.forEach((term, i) => {
    const m = statedOtherwise.has(term.stem) ? 1 : answer.match(term);
    matched.push(m >= 0.5);
    got += point.weights[i] * (m >= 0.5 ? m : 0);
  });
  return { coverage: point.totalWeight > 0 ? got / point.totalWeight : 0, matched };
}

export function questionStemsOf(question: string): Set<string> {
  return new Set(contentTokens(question).map((t) => t.stem));
}
