import { foldText, stem, STOPWORDS } from '../../common/text';
import { isGenericStem } from './text-features';

/** A word of a sentence with its position, so terms can be found and blanked in the original. */
export interface SurfaceWord {
  text: string;
  folded: string;
  start: number;
  end: number;
}

const SURFACE_WORD = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;

export function surfaceWords(sentence: string): SurfaceWord[] {
  const out: SurfaceWord[] = [];
  for (const match of sentence.matchAll(SURFACE_WORD)) {
    let text = match[0];
    let start = match.index ?? 0;
    // French elision: the term in "l'énergie" is "énergie".
    const elision = /^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=\p{L})/iu.exec(text);
    if (elision) {
      text = text.slice(elision[0].length);
      start += elision[0].length;
    }
    out.push({ text, folded: foldText(text), start, end: start + text.length });
  }
  return out;
}

/** Extra words that make poor answers: vague nouns and verbs common to any course text. */
const WEAK_WORDS = new Set(
  `example examples chapter section page figure table following shown show shows see using used use uses
  also first second third one two three many much several different same new way ways thing things
  lot number numbers part parts case cases result results called call make makes made get gets given
  exemple exemples chapitre section page figure tableau suivant suivante voici utilise utiliser aussi
  premier premiere deux trois plusieurs nombre partie cas resultat appele appelee faire fait permet`
    .split(/\s+/)
    .filter(Boolean),
);

function isTermWord(folded: string): boolean {
  if (folded.length < 3 || STOPWORDS.has(folded) || WEAK_WORDS.has(folded) || NOT_TERMS.has(folded)) return false;
  if (/^\d/.test(folded)) return false;
  if (isGenericStem(stem(folded))) return false;
  return /\p{L}/u.test(folded);
}

/** French joins compound terms with "de": "chaîne de caractères", "boucle de répétition". */
const JOINERS = new Set(['de', 'du', 'des', "d'"]);

export interface KeyTerm {
  /** Folded words joined by spaces; the identity of the term. */
  key: string;
  /** How the course most often writes it. */
  surface: string;
  words: number;
  stems: string[];
  score: number;
  /** Occurrences in the module's text. */
  count: number;
  /** Rank among the module's terms, 0 for the best, as a share of their number (0–1). */
  rank: number;
  capitalized: boolean;
}

export interface TermCandidate {
  key: string;
  surface: string;
  start: number;
  end: number;
  /** Comes after an article or a preposition, as nouns do ("the index", "une variable"). */
  nounPosition: boolean;
}

/** Words that announce a noun; what follows them is more likely a concept than a verb. */
const NOUN_MARKERS = new Set([
  'the',
  'a',
  'an',
  'this',
  'that',
  'these',
  'those',
  'each',
  'every',
  'its',
  'their',
  'of',
  'in',
  'on',
  'with',
  'by',
  'for',
  'from',
  'into',
  'to',
  'any',
  'no',
  'another',
  'called',
  'named',
  'le',
  'la',
  'les',
  'un',
  'une',
  'des',
  'du',
  'de',
  'ce',
  'cet',
  'cette',
  'ces',
  'chaque',
  'son',
  'sa',
  'ses',
  'leur',
  'leurs',
  'au',
  'aux',
  'en',
  'dans',
  'par',
  'pour',
  'sur',
  'avec',
  'appele',
  'appelee',
  'nomme',
  'nommee',
]);

/**
 * Verb forms and prepositions that sometimes sit next to a noun ("the method returns", "loop
 * without"); a term may neither start nor end with one.
 */
const VERB_LIKE = new Set(
  `returns prints counts contains includes including makes takes gives shows means allows requires becomes
  creates defines calls runs executes uses needs stores holds starts ends reads writes changes adds removes
  gets sets produces generates converts checks compares assigns displays outputs inputs provides prevents
  without within using following during among except versus per via inside outside
  renvoie retourne affiche contient permet devient cree definit appelle execute utilise stocke ajoute
  supprime compare convertit produit genere sans selon`
    .split(/\s+/)
    .filter(Boolean),
);

function isVerbLike(folded: string): boolean {
  return VERB_LIKE.has(folded) || (folded.length >= 7 && /(?:ing|ed)$/.test(folded));
}

/** Words that would make a confusing blank or a trivial swap in a true/false statement. */
const NOT_TERMS = new Set(['true', 'false', 'vrai', 'faux', 'yes', 'oui', 'non']);

/** Term candidates of one sentence: runs of one to three term words (French "X de Y" included). */
export function termCandidates(sentence: string): TermCandidate[] {
  const ws = surfaceWords(sentence);
  const out: TermCandidate[] = [];
  for (let i = 0; i < ws.length; i++) {
    if (!isTermWord(ws[i].folded)) continue;
    const parts = [ws[i]];
    const before = i > 0 ? ws[i - 1] : undefined;
    // An elided article ("l'index") sits inside the word itself.
    const nounPosition =
      (before !== undefined && NOUN_MARKERS.has(before.folded)) || /^[ldcs]['’]$/i.test(sentence.slice(ws[i].start - 2, ws[i].start));
    out.push(candidateOf(sentence, parts, nounPosition));
    for (let j = i + 1; j < ws.length && parts.length < 4; j++) {
      const w = ws[j];
      // Words must be adjacent: a comma or a bracket between them ends the term.
      if (/[^\s'’-]/.test(sentence.slice(ws[j - 1].end, w.start))) break;
      if (JOINERS.has(w.folded) && parts.length < 3 && j + 1 < ws.length) {
        parts.push(w);
        continue;
      }
      if (!isTermWord(w.folded)) break;
      parts.push(w);
      const content = parts.filter((p) => !JOINERS.has(p.folded)).length;
      if (content > 3) break;
      out.push(candidateOf(sentence, parts, nounPosition));
    }
  }
  return out;
}

function candidateOf(sentence: string, parts: SurfaceWord[], nounPosition: boolean): TermCandidate {
  const start = parts[0].start;
  const end = parts[parts.length - 1].end;
  return { key: parts.map((p) => p.folded).join(' '), surface: sentence.slice(start, end), start, end, nounPosition };
}

interface TermTally {
  count: number;
  nounish: number;
  surfaces: Map<string, number>;
}

export interface TermDocument {
  /** Sentences of one passage. */
  sentences: string[];
  group: string;
}

/**
 * Key terms of each group (a module) by tf-idf: frequent in the group, rare across all the passages.
 * Multiword terms that recur are favoured (they name concepts: "binary search", "chaîne de
 * caractères"); a single word that only ever appears inside a chosen longer term is dropped.
 */
export function extractKeyTerms(documents: TermDocument[], perGroup: number, options: { minCount?: number } = {}): Map<string, KeyTerm[]> {
  const df = new Map<string, number>();
  const perGroupCounts = new Map<string, Map<string, TermTally>>();
  for (const doc of documents) {
    const seen = new Set<string>();
    const counts = perGroupCounts.get(doc.group) ?? new Map<string, TermTally>();
    perGroupCounts.set(doc.group, counts);
    for (const sentence of doc.sentences) {
      for (const c of termCandidates(sentence)) {
        seen.add(c.key);
        const entry = counts.get(c.key) ?? { count: 0, nounish: 0, surfaces: new Map<string, number>() };
        entry.count++;
        if (c.nounPosition) entry.nounish++;
        entry.surfaces.set(c.surface, (entry.surfaces.get(c.surface) ?? 0) + 1);
        counts.set(c.key, entry);
      }
    }
    for (const key of seen) df.set(key, (df.get(key) ?? 0) + 1);
  }
  const n = documents.length;
  const result = new Map<string, KeyTerm[]>();
  for (const [group, counts] of perGroupCounts) {
    const groupDocs = documents.filter((d) => d.group === group).length;
    const scored: KeyTerm[] = [];
    for (const [key, { count, nounish, surfaces }] of counts) {
      const words = key.split(' ').filter((w) => !JOINERS.has(w)).length;
      // Concepts are nouns: a single word never seen where a noun stands is probably a verb or an adjective.
      const nounShare = nounish / count;
      if (words === 1 && nounShare < 0.25) continue;
      // "parameter written", "paramètre écrit", "method returns": a noun and a verb are not one concept.
      if (words > 1 && /(?:[a-z]{3}ed|é|ée|és|ées|écrit|écrite|dit|dite|fait|faite)$/i.test(preferredSurface(surfaces))) continue;
      const parts = key.split(' ');
      if (words > 1 && parts.some(isVerbLike)) continue;
      if (words === 1 && VERB_LIKE.has(key)) continue;
      // A single mention is enough in a short module; elsewhere a term must recur to count as key.
      const minCount = options.minCount ?? (groupDocs <= 2 ? 1 : 2);
      if (count < minCount || (options.minCount === undefined && words > 1 && count < 2 && groupDocs > 1)) continue;
      const idf = Math.log((n + 1) / ((df.get(key) ?? 0) + 0.5)) + 1;
      const surface = preferredSurface(surfaces);
      const capitalized = /^\p{Lu}/u.test(surface) && !isSentenceInitialOnly(surfaces);
      scored.push({
        key,
        surface: capitalized ? surface : surface.toLowerCase(),
        words,
        stems: key
          .split(' ')
          .filter((w) => !JOINERS.has(w))
          .map((w) => stem(w)),
        score: Math.log(1 + count) * idf * (words > 1 ? 1.6 : 1) * (0.6 + 0.4 * nounShare),
        count,
        rank: 0,
        capitalized,
      });
    }
    scored.sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
    const chosen: KeyTerm[] = [];
    for (const term of scored) {
      if (chosen.length >= perGroup) break;
      // "search" that only ever occurs as part of "binary search" is not a term of its own.
      const inside = chosen.filter((c) => c.words > term.words && ` ${c.key} `.includes(` ${term.key} `));
      if (inside.some((c) => c.count >= term.count)) continue;
      // Two terms of one stem ("loop", "loops") would make one blank answer the other.
      if (chosen.some((c) => c.stems.join(' ') === term.stems.join(' '))) continue;
      chosen.push(term);
    }
    chosen.forEach((t, i) => (t.rank = chosen.length > 1 ? i / (chosen.length - 1) : 0));
    result.set(group, chosen);
  }
  return result;
}

function preferredSurface(surfaces: Map<string, number>): string {
  return [...surfaces].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
}

/** A word written with a capital only where sentences start is a common noun. */
function isSentenceInitialOnly(surfaces: Map<string, number>): boolean {
  return [...surfaces.keys()].some((s) => /^\p{Ll}/u.test(s));
}
