import { foldText, stem, STOPWORDS, words } from '../../common/text';
import { baseStem } from '../../infrastructure/llm/tutor-lexicon';
import { synonymStems } from './synonyms';

/** One word of a text with what the local evaluators need to compare it. */
export interface Token {
  /** Folded surface form ("évaporation" gives "evaporation"). */
  word: string;
  stem: string;
  /** False for function words, which never count as evidence of content. */
  content: boolean;
}

/**
 * Shorthands students write for terms a reference spells out. Each is expanded into the words it
 * stands for, so "CO2" covers "carbon dioxide" and "O2" covers "oxygen". A Map, since it is looked
 * up with the student's own words ("constructor" is a word, not an inherited property).
 */
const SHORTHANDS = new Map<string, string>([
  ['co2', 'carbon dioxide dioxyde carbone'],
  ['o2', 'oxygen'],
  ['h2o', 'water eau'],
  ['dioxygene', 'oxygene'],
  ['dioxygen', 'oxygen'],
  ['hematie', 'globule rouge'],
  ['hematies', 'globules rouges'],
  ['kg', 'kilogram'],
  ['atp', 'atp'],
  ['vapor', 'vapour'],
  ['ssd', 'drive'],
]);

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const raw of words(text)) {
    // French elisions beyond one letter ("qu'un", "jusqu'à", "lorsqu'il") keep only the word.
    const word = raw.replace(/^(?:qu|jusqu|lorsqu|puisqu|quelqu)['’]/, '');
    if (!word) continue;
    const expansion = SHORTHANDS.get(word);
    const forms = expansion ? [word, ...expansion.split(' ')] : [word];
    for (const form of forms) {
      out.push({ word: form, stem: baseStem(form), content: isContentWord(form) });
    }
  }
  return out;
}

/**
 * Comparison words change what a clause says (see `oppositePairs`), and indefinite pronouns stand
 * for something else; neither says what a clause is about.
 */
const POLARITY_WORDS = new Set([
  'less',
  'fewer',
  'moins',
  'plus',
  'more',
  'most',
  'least',
  'anything',
  'something',
  'everything',
  'anyone',
  'someone',
  'everyone',
  'anybody',
  'somebody',
  'quelque',
  'quelqu',
  'chose',
  'quiconque',
]);

function isContentWord(word: string): boolean {
  if (STOPWORDS.has(word) || POLARITY_WORDS.has(word)) return false;
  if (/^\p{L}$/u.test(word)) return false;
  return !NEGATORS.has(word) || NEGATING_VERBS.includes(word);
}

export function contentTokens(text: string): Token[] {
  return tokenize(text).filter((t) => t.content);
}

/**
 * Words that say little about a topic even though they are not function words. They still count,
 * at half weight, so an answer that only shares them with the reference gains little.
 */
const GENERIC_WORDS = new Set(
  `process thing things way use used using uses called call make makes made making mean means meaning
  example examples part parts type kind get gets got also able allow allows help helps happen happens
  something someone one two really just like well lot lots much many good bad new say says said
  show shows work works need needs needed time times
  chose choses faire fait font permet permettent sert servent utilise utiliser exemple partie type
  sorte facon maniere quelque aide aider bien beaucoup peu dire veut`
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => stem(foldText(w))),
);

export function isGenericStem(termStem: string): boolean {
  return GENERIC_WORDS.has(termStem);
}

/** Character trigrams of a word, padded so short words still have some. */
export function trigrams(word: string): Set<string> {
  const padded = ` ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

export function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return (2 * shared) / (a.size + b.size);
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** How well a word the text says matches a term it means the same as ("linked" for "connected"). */
const SYNONYM_MATCH = 0.85;

/** A text's content words indexed for fast "does it say this term?" questions. */
export class TermIndex {
  private readonly stems = new Set<string>();
  private readonly forms: { word: string; stem: string; grams: Set<string>; numeric: boolean }[] = [];
  private readonly memo = new Map<string, number>();
  private readonly wordsMemo = new Map<string, string[]>();

  constructor(tokens: Token[]) {
    const seen = new Set<string>();
    for (const token of tokens) {
      if (!token.content) continue;
      this.stems.add(token.stem);
      if (seen.has(token.word)) continue;
      seen.add(token.word);
      this.forms.push({ word: token.word, stem: token.stem, grams: trigrams(token.word), numeric: /^\d+$/.test(token.word) });
    }
  }

  get size(): number {
    return this.stems.size;
  }

  /**
   * The same stem, or a compound ending in it ("sunlight" says "light"); unlike `match`, no shared
   * prefix or close spelling, which can join different words ("executes", "executable").
   */
  says(termStem: string): boolean {
    if (this.stems.has(termStem)) return true;
    return this.forms.some((f) => {
      const [short, long] = f.stem.length <= termStem.length ? [f.stem, termStem] : [termStem, f.stem];
      return short.length >= 4 && long.length > short.length && long.endsWith(short);
    });
  }

  /**
   * How well the indexed text matches one term, from 0 to 1: 1 for the same stem, a little less for
   * a shared long prefix ("evaporates" and "evaporation") or a close spelling ("vapour", "vapor",
   * "sunlight" and "light"), which is where the light stemmer gives up.
   */
  match(token: Token): number {
    if (this.stems.has(token.stem)) return 1;
    const key = `${token.word}|${token.stem}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let best = 0;
    const synonyms = synonymStems(token.stem);
    if (synonyms && [...synonyms].some((s) => this.stems.has(s))) best = SYNONYM_MATCH;
    if (!/^\d+$/.test(token.word)) {
      for (const form of this.forms) {
        best = Math.max(best, formSimilarity(token, form));
        if (best >= 0.9) break;
      }
    }
    this.memo.set(key, best);
    return best;
  }

  /** The indexed words that match a term (see `match`), for finding the clauses that hold it. */
  matchingWords(token: Token): string[] {
    const key = `${token.word}|${token.stem}`;
    const known = this.wordsMemo.get(key);
    if (known) return known;
    const numeric = /^\d+$/.test(token.word);
    const synonyms = synonymStems(token.stem);
    const words = this.forms
      .filter((f) => f.stem === token.stem || synonyms?.has(f.stem) || (!numeric && formSimilarity(token, f) >= 0.5))
      .map((f) => f.word);
    this.wordsMemo.set(key, words);
    return words;
  }
}

function formSimilarity(token: Token, form: { word: string; stem: string; grams: Set<string>; numeric: boolean }): number {
  if (form.stem === token.stem) return 1;
  if (form.numeric) return 0;
  let best = 0;
  const prefix = commonPrefixLength(form.stem, token.stem);
  const shorter = Math.min(form.stem.length, token.stem.length);
  if (prefix >= 5 && prefix >= 0.8 * shorter) best = 0.9;
  // Compounds: "sunlight" says "light", "groundwater" says "water".
  const [short, long] = form.word.length <= token.word.length ? [form.word, token.word] : [token.word, form.word];
  if (short.length >= 4 && long.length > short.length && (long.startsWith(short) || long.endsWith(short))) {
    best = Math.max(best, 0.8);
  }
  // Spelling is only compared between words of similar length; trigram overlap needs it anyway.
  if (best < 0.9 && Math.abs(form.word.length - token.word.length) <= Math.max(3, shorter / 2)) {
    const similarity = dice(cachedTrigrams(token.word), form.grams);
    if (similarity >= 0.55) best = Math.max(best, 0.9 * similarity);
  }
  return best;
}

const trigramCache = new Map<string, Set<string>>();

function cachedTrigrams(word: string): Set<string> {
  let grams = trigramCache.get(word);
  if (!grams) {
    if (trigramCache.size > 20000) trigramCache.clear();
    grams = trigrams(word);
    trigramCache.set(word, grams);
  }
  return grams;
}

// --- Polarity: negation, opposites and direction ---------------------------------------------

/** Verbs that deny what follows ("current stops flowing" says "no current flows"); still content. */
const NEGATING_VERBS = [
  'stop',
  'stops',
  'stopped',
  'cease',
  'ceases',
  'prevent',
  'prevents',
  'lack',
  'lacks',
  'arrete',
  'cesse',
  'empeche',
  'manque',
];

/** Words, with French "n'" kept apart so "n'est pas" shows its "ne". */
const WORD_OR_ELIDED_NE = /n['’](?=\p{L})|[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const WORD_OR_ELIDED_NE_OR_COMMA = /n['’](?=\p{L})|[\p{L}\p{N}]+(?:['’][\p{L}]+)?|,/gu;

export const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'nobody',
  'neither',
  'nor',
  'cannot',
  "can't",
  "don't",
  "doesn't",
  "isn't",
  "aren't",
  "wasn't",
  "weren't",
  "won't",
  "didn't",
  "hasn't",
  "haven't",
  "shouldn't",
  "wouldn't",
  "couldn't",
  'without',
  'non',
  'instead',
  ...NEGATING_VERBS,
  'ne',
  'pas',
  'jamais',
  'aucun',
  'aucune',
  'rien',
  'sans',
  'nullement',
]);

/** Negation sites in a stretch of text; "ne … pas" is one site, so French is counted by clause. */
export function negationSites(text: string): number[] {
  const folded = foldText(text);
  const raw = folded.match(WORD_OR_ELIDED_NE) ?? [];
  const sites: number[] = [];
  let frenchOpen = false;
  raw.forEach((w, i) => {
    if (w === 'ne' || /^n['’]$/.test(w)) {
      sites.push(i);
      frenchOpen = true;
      return;
    }
    if (w === 'pas' || w === 'jamais' || w === 'rien' || w === 'aucun' || w === 'aucune' || w === 'plus' || w === 'personne') {
      if (frenchOpen) {
        frenchOpen = false;
        return;
      }
      if (w === 'plus' || w === 'personne') return;
      sites.push(i);
      return;
    }
    if (w === 'lieu' && raw[i - 1] === 'au') sites.push(i);
    else if (/n['’]t$/.test(w) || (NEGATORS.has(w) && w !== 'ne')) sites.push(i);
  });
  return sites;
}

/** A negation stops governing at a conjunction: "has no air and is denser" does not deny "denser". */
const SCOPE_ENDS = new Set(['and', 'or', 'but', 'so', 'because', 'et', 'ou', 'mais', 'donc', 'car']);

/**
 * Content stems a text only ever says under a negation: up to three content words after each negator, up to punctuation,
 * unless the same word also appears outside one ("needs a medium … space has no medium" asserts
 * "medium"). Comparing these between two clauses tells whether they deny the same words.
 */
export function negatedStems(text: string): Set<string> {
  // Punctuation is kept as "," tokens: a negation does not reach past it.
  const folded = foldText(text).replace(/[,;:.!?()]/g, ' , ');
  const raw = (folded.match(WORD_OR_ELIDED_NE_OR_COMMA) ?? []).map((w) => w.replace(/^[a-z]['’]/, ''));
  const sites: number[] = [];
  let words = -1;
  const wordIndex = raw.map((w) => (w === ',' ? -1 : ++words));
  const siteWords = new Set(negationSites(text));
  raw.forEach((_, i) => {
    if (wordIndex[i] >= 0 && siteWords.has(wordIndex[i])) sites.push(i);
  });
  const inScope = new Set<number>();
  for (const site of sites) {
    let taken = 0;
    for (let i = site + 1; i < raw.length && taken < 3; i++) {
      const w = raw[i];
      if (w === ',' || SCOPE_ENDS.has(w)) break;
      if (!w || !isContentWord(w)) continue;
      inScope.add(i);
      taken++;
    }
  }
  const negated = new Set<string>();
  const asserted = new Set<string>();
  raw.forEach((w, i) => {
    if (!w || !isContentWord(w)) return;
    (inScope.has(i) ? negated : asserted).add(baseStem(w));
  });
  for (const s of asserted) negated.delete(s);
  return negated;
}

/** Articles, which a negation reaches past without their counting as what it denies. */
const ARTICLES = new Set(['the', 'a', 'an', 'le', 'la', 'les', 'un', 'une', 'des', 'du', 'de']);

/**
 * Stems of every word a negation governs (up to three words after it, articles aside, up to
 * punctuation or a conjunction), function words included: "not the same" denies "same", which
 * `negatedStems` leaves out as a function word. Used to tell a denied opposite from an asserted one.
 */
export function deniedStems(text: string): Set<string> {
  const folded = foldText(text).replace(/[,;:.!?()]/g, ' , ');
  const raw = (folded.match(WORD_OR_ELIDED_NE_OR_COMMA) ?? []).map((w) => w.replace(/^[a-z]['’]/, ''));
  let count = -1;
  const wordIndex = raw.map((w) => (w === ',' ? -1 : ++count));
  const sites = new Set(negationSites(text));
  const denied = new Set<string>();
  raw.forEach((_, i) => {
    if (wordIndex[i] < 0 || !sites.has(wordIndex[i])) return;
    let taken = 0;
    for (let j = i + 1; j < raw.length && taken < 3; j++) {
      const w = raw[j];
      if (w === ',' || SCOPE_ENDS.has(w)) break;
      if (!w || ARTICLES.has(w) || NEGATORS.has(w)) continue;
      denied.add(baseStem(w));
      taken++;
    }
  });
  return denied;
}

/** Pairs of words that assert opposite things; both languages, matched by stem. */
const OPPOSITES: [string, string][] = [
  ['increase', 'decrease'],
  ['increase', 'reduce'],
  ['rise', 'fall'],
  ['more', 'less'],
  ['more', 'fewer'],
  ['higher', 'lower'],
  ['high', 'low'],
  ['larger', 'smaller'],
  ['bigger', 'smaller'],
  ['big', 'small'],
  ['greater', 'less'],
  ['greater', 'smaller'],
  ['fast', 'slow'],
  ['faster', 'slower'],
  ['hot', 'cold'],
  ['warm', 'cold'],
  ['heat', 'cool'],
  ['open', 'closed'],
  ['open', 'close'],
  ['positive', 'negative'],
  ['true', 'false'],
  ['same', 'different'],
  ['before', 'after'],
  ['above', 'below'],
  ['inside', 'outside'],
  ['series', 'parallel'],
  ['conductor', 'insulator'],
  ['attract', 'repel'],
  ['gain', 'lose'],
  ['add', 'remove'],
  ['expand', 'contract'],
  ['melt', 'freeze'],
  ['evaporate', 'condense'],
  ['evaporation', 'condensation'],
  ['heavier', 'lighter'],
  ['known', 'unknown'],
  ['finite', 'infinite'],
  ['temporary', 'permanent'],
  ['volatile', 'permanent'],
  ['always', 'never'],
  ['all', 'none'],
  ['first', 'last'],
  ['left', 'right'],
  ['toward', 'away'],
  ['towards', 'away'],
  ['summer', 'winter'],
  ['day', 'night'],
  ['acidic', 'basic'],
  ['acidic', 'alkaline'],
  ['acid', 'base'],
  ['strong', 'weak'],
  ['strongly', 'weakly'],
  ['solid', 'liquid'],
  ['liquid', 'gas'],
  ['stays', 'changes'],
  ['constant', 'changes'],
  ['absorb', 'release'],
  ['absorb', 'reflect'],
  ['start', 'stop'],
  ['on', 'off'],
  ['correct', 'incorrect'],
  ['valid', 'invalid'],
  ['sorted', 'unsorted'],
  ['whole', 'line'],
  ['entire', 'line'],
  ['empty', 'full'],
  ['win', 'lose'],
  ['augmente', 'diminue'],
  ['plus', 'moins'],
  ['haut', 'bas'],
  ['grand', 'petit'],
  ['rapide', 'lent'],
  ['chaud', 'froid'],
  ['ouvert', 'ferme'],
  ['positif', 'negatif'],
  ['vrai', 'faux'],
  ['vraie', 'fausse'],
  ['meme', 'different'],
  ['avant', 'apres'],
  ['dessus', 'dessous'],
  ['interieur', 'exterieur'],
  ['serie', 'parallele'],
  ['conducteur', 'isolant'],
  ['fusion', 'solidification'],
  ['constante', 'augmente'],
  ['constante', 'varie'],
  ['toujours', 'jamais'],
  ['premier', 'dernier'],
  ['gauche', 'droite'],
  ['acide', 'basique'],
  ['fort', 'faible'],
  ['solide', 'liquide'],
  ['finie', 'infinie'],
  ['fini', 'infini'],
  ['temporaire', 'permanent'],
  ['vivant', 'mort'],
  ['entree', 'sortie'],
];

const OPPOSITE_OF = new Map<string, Set<string>>();
for (const [a, b] of OPPOSITES) {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const sx = stem(x);
    const sy = stem(y);
    if (!OPPOSITE_OF.has(sx)) OPPOSITE_OF.set(sx, new Set());
    OPPOSITE_OF.get(sx)!.add(sy);
  }
}

/** Stems of all words in a text, function words included (opposites such as on/off are short). */
export function allStems(text: string): Set<string> {
  return new Set(tokenize(text).map((t) => t.stem));
}

/**
 * Opposite pairs between two clauses: a word of one whose opposite is in the other while its own
 * stem is not. "Less dense" against "denser" counts too, through the comparative ending.
 */
export function oppositePairs(a: Set<string>, b: Set<string>, aWords: string[], bWords: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const s of a) {
    if (b.has(s)) continue;
    const opposites = OPPOSITE_OF.get(s);
    if (!opposites) continue;
    for (const o of opposites) {
      if (b.has(o) && !a.has(o)) pairs.push([s, o]);
    }
  }
  const comparative = (lessSide: string[], otherSide: string[], otherStems: Set<string>, lessStems: Set<string>) => {
    if (!lessSide.some((w) => w === 'less' || w === 'fewer' || w === 'moins')) return false;
    if (otherSide.some((w) => w === 'less' || w === 'fewer' || w === 'moins')) return false;
    return otherSide.some((w) => {
      if (!/er$/.test(w) || w.length < 5) return false;
      const base = stem(w.slice(0, -2));
      const baseE = stem(w.slice(0, -1));
      return (lessStems.has(base) || lessStems.has(baseE)) && (otherStems.has(base) || otherStems.has(baseE) || otherStems.has(stem(w)));
    });
  };
  if (comparative(aWords, bWords, b, a)) pairs.push(['less', 'more']);
  else if (comparative(bWords, aWords, a, b)) pairs.push(['more', 'less']);
  return pairs;
}

/**
 * The source and target sides of a clause that states a movement or transformation
 * ("converts A into B", "from A to B", "B from A", "de A à B", "des A vers B"), as stem sets.
 */
export function directionSides(text: string): { source: Set<string>; target: Set<string>; marker: DirectionMarker } | null {
  // A comma ends the phrase after "from", like a conjunction does.
  const folded = foldText(text).replace(/->|→/g, ' into ').replace(/[,;]/g, ' and ');
  const raw = folded.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  const ws = raw.map((w) => (w.startsWith('jusqu') ? 'jusqu' : w.replace(/^[a-z]['’]/, '')));
  const forward = new Set(['into', 'towards', 'toward', 'vers', 'jusqu']);
  const fromIdx = ws.findIndex((w) => w === 'from');
  const fromFr = ws.findIndex((w, i) => (w === 'de' || w === 'du' || w === 'des') && i > 0);
  let cut: { sourceStart: number; sourceEnd: number; targetStart: number; targetEnd: number } | null = null;
  let marker: DirectionMarker = 'from';
  const toAfter = (start: number, words: string[]) => ws.findIndex((w, i) => i > start && words.includes(w));
  if (fromIdx >= 0) {
    const to = toAfter(fromIdx, ['to', 'into', 'towards', 'toward']);
    // "B from A": the source is the phrase right after "from", up to a conjunction.
    const phraseEnd = ws.findIndex((w, i) => i > fromIdx && (w === 'and' || w === 'or' || w === 'but'));
    cut =
      to > fromIdx && to - fromIdx <= 6
        ? { sourceStart: fromIdx + 1, sourceEnd: to, targetStart: to + 1, targetEnd: ws.length }
        : { sourceStart: fromIdx + 1, sourceEnd: phraseEnd > fromIdx ? phraseEnd : ws.length, targetStart: 0, targetEnd: fromIdx };
  } else {
    let fw = ws.findIndex((w) => forward.has(w));
    // A comparison has a direction too: "A is greater than B" turned round is "B is greater than A".
    marker = 'into';
    if (fw <= 0) {
      fw = ws.findIndex((w) => w === 'than' || w === 'que');
      marker = 'than';
    }
    if (fw > 0) {
      const from = fromFr >= 0 && fromFr < fw ? fromFr + 1 : 0;
      cut = { sourceStart: from, sourceEnd: fw, targetStart: fw + 1, targetEnd: ws.length };
    } else if (fromFr >= 0) {
      const to = toAfter(fromFr, ['a', 'au', 'aux']);
      marker = 'from';
      if (to > fromFr + 1) cut = { sourceStart: fromFr + 1, sourceEnd: to, targetStart: to + 1, targetEnd: ws.length };
    }
  }
  if (!cut) return null;
  const side = (from: number, to: number) =>
    new Set(
      ws
        .slice(from, to)
        .filter((w) => isContentWord(w))
        .map((w) => stem(w)),
    );
  const source = side(cut.sourceStart, cut.sourceEnd);
  const target = side(cut.targetStart, cut.targetEnd);
  if (source.size === 0 || target.size === 0) return null;
  return { source, target, marker };
}

/** Which words set the direction: "from … (to …)", "into / towards", or a comparison's "than". */
export type DirectionMarker = 'from' | 'into' | 'than';

// --- Clauses -------------------------------------------------------------------------------------

const CLAUSE_BREAK_WORDS = [
  'because',
  'whereas',
  'while',
  'but',
  'so',
  'since',
  'although',
  'unless',
  'then',
  'therefore',
  'car',
  'donc',
  'mais',
  'puisque',
  'sinon',
  'tandis',
  'alors',
  'parce',
  'lorsque',
  'ainsi',
];

/**
 * Words that open a clause after a comma ("…, and it happens", "…, an interpreter runs …"); a
 * comma before anything else ("sunlight, water, carbon dioxide") continues a list.
 */
const COMMA_CLAUSE_OPENERS = new Set([
  'and',
  'or',
  'which',
  'who',
  'where',
  'when',
  'it',
  'they',
  'this',
  'these',
  'its',
  'their',
  'as',
  'if',
  'he',
  'she',
  'we',
  'you',
  'the',
  'a',
  'an',
  'each',
  'every',
  'et',
  'ou',
  'qui',
  'quand',
  'il',
  'elle',
  'ils',
  'elles',
  'ce',
  'cette',
  'ces',
  'si',
  'comme',
  'on',
  'le',
  'la',
  'les',
  'un',
  'une',
  'chaque',
]);

/**
 * Clauses of one sentence: cut at semicolons, colons, commas that open a clause and conjunctions outside brackets;
 * pieces with fewer than two content words join their neighbour so a clause states something.
 */
export function splitClauses(sentence: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  const push = () => {
    if (current.trim()) pieces.push(current.trim());
    current = '';
  };
  const tokens = sentence.split(/(\s+)/);
  const lowered = tokens.map((part) => foldText(part).replace(/[^\p{L}']/gu, ''));
  tokens.forEach((part, i) => {
    const lower = lowered[i];
    const next = lowered[i + 2] ?? '';
    // "… and the right side …": a new subject starts a new statement.
    const newSubject =
      (lower === 'and' && ['the', 'a', 'an', 'its', 'their', 'this'].includes(next)) ||
      (lower === 'et' && (['le', 'la', 'les', 'un', 'une', 'ce', 'cette'].includes(next) || /^l'/.test(next)));
    // After a comma, a new clause starts with a connective or a pronoun; a bare noun continues a list.
    const afterComma = /,\s*$/.test(current) && COMMA_CLAUSE_OPENERS.has(lower);
    if (
      depth === 0 &&
      (CLAUSE_BREAK_WORDS.includes(lower) || newSubject || afterComma) &&
      /^\s*$/.test(current.slice(-1)) &&
      current.trim()
    ) {
      push();
    }
    for (const ch of part) {
      if (ch === '(' || ch === '[') depth++;
      if ((ch === ')' || ch === ']') && depth > 0) depth--;
      current += ch;
      if (depth === 0 && (ch === ';' || ch === ':')) push();
    }
  });
  push();
  // A piece needs two content words to stand as a statement. A shorter piece after a semicolon
  // or colon opens the next statement; otherwise it completes the previous one.
  // Content words are counted once a piece and added up as pieces join (words never span the space
  // that joins them): counted again on the joined text, a run of short pieces ("a:a:a:…", 20,000
  // characters) took 16 s.
  const merged: string[] = [];
  const mergedContent: number[] = [];
  let carry = '';
  let carryContent = 0;
  for (const piece of pieces) {
    const text = carry ? `${carry} ${piece}` : piece;
    const content = carryContent + contentTokens(piece).length;
    carry = '';
    carryContent = 0;
    const short = content < 2;
    const last = merged.length - 1;
    if (short && (last < 0 || merged[last].endsWith(';') || merged[last].endsWith(':'))) {
      carry = text;
      carryContent = content;
    } else if (short || (last >= 0 && mergedContent[last] < 2)) {
      merged[last] = `${merged[last]} ${text}`;
      mergedContent[last] += content;
    } else {
      merged.push(text);
      mergedContent.push(content);
    }
  }
  if (carry) {
    if (merged.length > 0) merged[merged.length - 1] = `${merged[merged.length - 1]} ${carry}`;
    else merged.push(carry);
  }
  return merged.map((c) => c.replace(/^[\s,;:]+|[\s,;:]+$/g, '')).filter(Boolean);
}
