import { ENGLISH_STOPWORDS, FRENCH_STOPWORDS, STOPWORDS } from './stopwords';

/** Lower-cases and strips diacritics so "Élève" and "eleve" meet in one index term. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
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

const SUFFIXES = [
  'ational', 'issements', 'issement', 'ements', 'ement', 'ations', 'ation', 'ements', 'ments', 'ment',
  'ities', 'ility', 'ingly', 'edly', 'ness', 'ings', 'ing', 'ies', 'ied', 'ions', 'ion', 'ers', 'er',
  'ees', 'ee', 'es', 'ed', 'ly', 'eux', 'euse', 'ives', 'ive', 'ifs', 'if', 'aux', 's', 'e',
];

/**
 * A deliberately light suffix stripper shared by French and English: it only has to make
 * "functions", "function" and "fonctions" land on related stems for ranking, not be a linguist.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /^\d+$/.test(word)) return word;
  for (const suffix of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      return word.slice(0, word.length - suffix.length);
    }
  }
  return word;
}

/** Content terms of a text: folded words without stopwords, stemmed. */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
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
