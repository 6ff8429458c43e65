import { ENGLISH_STOPWORDS, FRENCH_STOPWORDS, SEARCHABLE_KEYWORDS, STOPWORDS } from './stopwords';

/** Lower-cases and strips diacritics so "Élève" and "eleve" meet in one index term. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/**
 * French elided articles and pronouns ("l'", "d'", "qu'", "jusqu'", "lorsqu'"…) and the English
 * possessive "'s": without this, "qu'une" or "lorsqu'on" would become index terms of their own.
 */
const ELISION = /^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]/;
const POSSESSIVE = /['’]s$/;

/** Words of a text, folded, in order, elisions split off ("l'eau" gives "eau", "qu'une" "une"). */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const match of foldText(text).matchAll(WORD)) {
    const word = match[0].replace(ELISION, '').replace(POSSESSIVE, '');
    if (word) out.push(word);
  }
  return out;
}

/**
 * Suffix rules tried in order, first match wins: [suffix, replacement, shortest stem left].
 * Longer suffixes come before their own endings ("ations" before "ions" before "s").
 */
const SUFFIX_RULES: readonly (readonly [string, string, number])[] = [
  // Nouns and adverbs in -ment keep a stem of four letters, so "comment" stays whole.
  ['issements', '', 3],
  ['issement', '', 3],
  ['ements', '', 4],
  ['ement', '', 4],
  ['ments', '', 4],
  ['ment', '', 4],
  // English -ate verbs and French/English -ation nouns meet: "iterate", "iterating", "iteration".
  ['ations', '', 4],
  ['ation', '', 4],
  ['ating', '', 4],
  ['ated', '', 4],
  ['ates', '', 4],
  ['ate', '', 4],
  ['ities', '', 3],
  ['ility', '', 3],
  ['ingly', '', 3],
  ['edly', '', 3],
  ['ness', '', 3],
  // "arithmétique" and "arithmetic", "logique" and "logic".
  ['iques', 'ic', 3],
  ['ique', 'ic', 3],
  ['ings', '', 3],
  ['ing', '', 3],
  // "dictionaries", "dictionary" and "copied" all end in -i (a final -y after a consonant is
  // turned into -i once the suffix is gone, so "copying" meets them too).
  ['ies', 'i', 2],
  ['ied', 'i', 2],
  ['ions', '', 3],
  ['ion', '', 3],
  // French plurals in -x: "anneaux" to "anneau", "journaux" to "journal".
  ['eaux', 'eau', 2],
  ['aux', 'al', 2],
  ['euses', '', 3],
  ['euse', '', 3],
  ['eux', '', 3],
  ['ives', '', 3],
  ['ive', '', 3],
  ['ifs', '', 3],
  ['if', '', 3],
  ['ers', '', 3],
  ['er', '', 3],
  ['ees', '', 3],
  ['ee', '', 3],
  ['es', '', 3],
  ['ed', '', 3],
  ['ez', '', 3],
  // "quickly" loses -ly; "apply" and "family" are too short and keep it (then -y becomes -i).
  ['ly', '', 5],
  ['s', '', 3],
  ['e', '', 3],
];

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/**
 * A deliberately light suffix stripper shared by French and English: it only has to bring
 * inflections ("functions", "function"; "dictionaries", "dictionary"; "appelée", "appelle") to one
 * stem for ranking, and cognates ("fonction", "function") close, not to be a linguist. After the
 * suffix goes, a final double consonant is undoubled ("running", "bastille", "anciennes") and a
 * final -y after a consonant becomes -i ("copy", "copies"), as in Porter's stemmer.
 */
export function stem(word: string): string {
  const known = rememberedStems.get(word);
  if (known !== undefined) return known;
  const stemmed = stripSuffix(word);
  if (rememberedStems.size >= MAX_REMEMBERED_STEMS) rememberedStems.clear();
  rememberedStems.set(word, stemmed);
  return stemmed;
}

/**
 * Stems already computed. Indexing stems every word twice (keyword index and local embedding),
 * and a course repeats its vocabulary; trying the suffix rules was a tenth of indexing time
 * (bench:ingest). Beyond this many words the memory starts over.
 */
const rememberedStems = new Map<string, string>();
const MAX_REMEMBERED_STEMS = 50_000;

function stripSuffix(word: string): string {
  if (word.length <= 3 || /^\d+$/.test(word)) return word;
  let stemmed = word;
  for (const [suffix, replacement, shortest] of SUFFIX_RULES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= shortest) {
      stemmed = word.slice(0, word.length - suffix.length) + replacement;
      break;
    }
  }
  const n = stemmed.length;
  const last = stemmed[n - 1];
  if (n > 3 && last === stemmed[n - 2] && !VOWELS.has(last) && /\p{L}/u.test(last)) return stemmed.slice(0, n - 1);
  if (n > 2 && last === 'y' && !VOWELS.has(stemmed[n - 2])) return `${stemmed.slice(0, n - 1)}i`;
  return stemmed;
}

/** What retrieval keeps of a text. */
export interface TextContent {
  /** Folded words without the stopwords of the text's language, in order. */
  words: string[];
  /** The language its function words point to; undefined when they do not tell. */
  language: Language | undefined;
}

/**
 * Folded words of a text without its stopwords: those of its language when its function words
 * tell it (more French-only than English-only ones, or the reverse), both lists when they do not.
 * A French "car" is a function word, an English one is not; an English "if" or "for" inside a
 * French lesson is code, and stays searchable, as do SEARCHABLE_KEYWORDS in any text.
 */
export function analyseText(text: string): TextContent {
  const folded = words(text);
  let fr = 0;
  let en = 0;
  for (const word of folded) {
    const french = FRENCH_STOPWORDS.has(word);
    const english = ENGLISH_STOPWORDS.has(word);
    if (french && !english) fr++;
    else if (english && !french) en++;
  }
  const language: Language | undefined = fr === en ? undefined : fr > en ? 'fr' : 'en';
  const stopwords = language === 'fr' ? FRENCH_STOPWORDS : language === 'en' ? ENGLISH_STOPWORDS : STOPWORDS;
  return { words: folded.filter((word) => !stopwords.has(word) || SEARCHABLE_KEYWORDS.has(word)), language };
}

/** Folded words of a text without the stopwords of its language (see `analyseText`), in order. */
export function contentWords(text: string): string[] {
  return analyseText(text).words;
}

/** Content terms of a text: folded words without the stopwords of its language, stemmed. */
export function terms(text: string): string[] {
  return contentWords(text).map(stem);
}

export type Language = 'fr' | 'en';

/** Guesses French or English from function words; ties and empty texts fall back to `fallback`. */
export function detectLanguage(text: string, fallback: Language = 'en'): Language {
  let fr = 0;
  let en = 0;
  for (const raw of text.toLowerCase().matchAll(WORD)) {
    const w = raw[0];
    if (FRENCH_STOPWORDS.has(foldText(w)) && !ENGLISH_STOPWORDS.has(w)) fr++;
    else if (ENGLISH_STOPWORDS.has(w) && !FRENCH_STOPWORDS.has(foldText(w))) en++;
  }
  if (/[àâçéèêëîïôûùüÿœ]/i.test(text)) fr += 2;
  if (fr === en) return fallback;
  return fr > en ? 'fr' : 'en';
}

/**
 * Sentences of a text. Splits after . ! ? (and line breaks between blocks) when what follows looks
 * like a new sentence, keeping abbreviations such as "e.g." and decimals such as "3.14" intact.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const block of text.split(/\n\s*\n|\n(?=\s*(?:[-*•]|\d+\.)\s)/)) {
    const flat = block.replace(/\s+/g, ' ').trim();
    if (!flat) continue;
    const parts = flat.split(/(?<=[.!?…])\s+(?=[\p{Lu}\p{N}"'«(])/u);
    let pending = '';
    for (const part of parts) {
      pending = pending ? `${pending} ${part}` : part;
      if (/\b(?:e\.g|i\.e|etc|vs|cf|p|M|Mr|Mme|Dr|ex)\.$/i.test(pending)) continue;
      sentences.push(pending);
      pending = '';
    }
    if (pending) sentences.push(pending);
  }
  return sentences;
}
