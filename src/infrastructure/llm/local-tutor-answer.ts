import { STOPWORDS, detectLanguage, foldText, splitSentences, stem, terms, words } from '../../common/text';
import type { AnswerLanguage, ChatMessage, GroundingPassage, TutorAnswerTask } from './llm.types';

/**
 * The local tutor: answers by quoting the passages' sentences that best match the question (and,
 * for follow-ups such as "and why?", the recent turns), each followed by its citation. Passage
 * text is only ever selected and quoted, never interpreted, so instructions hidden in a document
 * have nothing to act on.
 */

/** Words that shape a question but say nothing about its topic. */
const QUESTION_WORDS = new Set(
  `what why how when where who whom which whose explain describe define definition tell give list show mean meaning means
  example examples please does did do can could would should is are
  quoi pourquoi comment quand ou qui quel quelle quels quelles lequel laquelle expliquer explique expliquez expliquer decrire
  decris decrivez definir definis definissez definition donne donnez donner dire dis dites exemple exemples signifie
  signifient veut veulent merci svp est-ce`
    .split(/\s+/)
    .filter(Boolean),
);

const FOLLOW_UP_START = /^\s*(?:and|but|so|then|also|what about|how about|et|mais|alors|donc|puis|aussi|et si)\b/i;

type Intent = 'why' | 'definition' | 'how' | 'other';

const INTENT_PATTERNS: Array<[Exclude<Intent, 'other'>, RegExp]> = [
  ['why', /\b(?:why|pourquoi|reason|raison|cause)\b/],
  ['definition', /\b(?:what (?:is|are|does)|what's|define|definition|meaning|qu'?est[- ]ce (?:que|qu)|c'?est quoi|definir|definition|signifie|que veut dire)\b/],
  ['how', /\b(?:how|comment)\b/],
];

/** Phrases that mark a sentence as giving what the question's intent asks for. */
const INTENT_CUES: Record<Exclude<Intent, 'other'>, RegExp> = {
  why: /\b(?:because|since|due to|therefore|thus|hence|so that|as a result|in order to|the reason|causes?|leads? to|allows?|enables?|parce que|car|puisque|en raison|grace a|donc|c'est pourquoi|afin de|permet|permettent|entraine|provoque)\b/,
  definition: /\b(?:is an?|is the|are|refers? to|means|is defined as|consists? of|est une?|sont des|designe|consiste|se definit|correspond a|signifie)\b/,
  how: /\b(?:by|first|then|finally|steps?|using|through|par|d'abord|ensuite|puis|enfin|etapes?|en utilisant|grace a)\b/,
};

const MIN_WORDS_PER_SENTENCE = 4;
const MAX_SENTENCES = 4;
const MAX_ANSWER_CHARS = 900;
const MAX_SENTENCE_CHARS = 400;
/** Share of the question's weight a sentence must cover to count as relevant at all. */
const MIN_COVERAGE = 0.3;
/** Sentences weaker than this share of the best one are left out. */
const RELATIVE_SCORE_FLOOR = 0.35;
const BM25_K1 = 1.2;
const BM25_B = 0.75;

const PHRASES: Record<AnswerLanguage, { intro: string; followUpIntro: string; nothing: string; noPassages: string; otherLanguage: string }> = {
  en: {
    intro: 'According to the course material:',
    followUpIntro: 'The course material adds:',
    nothing:
      "I could not find anything about this in the course material available to me. Try rephrasing your question, or ask about a topic the course covers.",
    noPassages:
      'I have no course material to answer from yet. Try again once the course documents have been added, or ask about another module.',
    otherLanguage: '(The excerpts are quoted in their original language.)',
  },
  fr: {
    intro: 'D’après le support de cours :',
    followUpIntro: 'Le support de cours précise :',
    nothing:
      "Je n’ai rien trouvé à ce sujet dans les supports de cours dont je dispose. Essayez de reformuler votre question, ou posez-la sur un thème traité dans le cours.",
    noPassages:
      'Je ne dispose encore d’aucun support de cours pour répondre. Réessayez une fois les documents du cours ajoutés, ou interrogez-moi sur un autre module.',
    otherLanguage: '(Les extraits sont cités dans leur langue d’origine.)',
  },
};

interface Candidate {
  passage: GroundingPassage;
  position: number;
  text: string;
  terms: string[];
}

interface Scored extends Candidate {
  score: number;
  coverage: number;
}

export interface TutorAnswer {
  text: string;
  /** Citation numbers used, in order of first use. */
  cited: number[];
  /** False when nothing relevant was found and the answer says so. */
  grounded: boolean;
}

export function composeTutorAnswer(task: TutorAnswerTask): TutorAnswer {
  const phrases = PHRASES[task.language] ?? PHRASES.en;
  if (task.passages.length === 0) return { text: phrases.noPassages, cited: [], grounded: false };

  const questionTerms = contentTerms(task.question);
  const followUp = questionTerms.length <= 2 || FOLLOW_UP_START.test(task.question);
  const query = weightedQuery(questionTerms, task.history, task.summary, followUp);
  const intent = detectIntent(task.question);
  const lastAnswer = lastTurn(task.history, 'assistant');
  const alreadySaid = lastAnswer ? normaliseForComparison(lastAnswer) : '';

  const candidates = task.passages.flatMap(candidatesOf);
  const ranked = rank(candidates, query, intent, alreadySaid);
  const chosen = choose(ranked);
  if (chosen.length === 0) return { text: phrases.nothing, cited: [], grounded: false };

  const [best, ...others] = chosen;
  others.sort((a, b) => a.passage.index - b.passage.index || a.position - b.position);
  const ordered = [best, ...others];
  const body = ordered.map((s) => withCitation(s.text, s.passage.index)).join(' ');
  const quotedLanguage = detectLanguage(ordered.map((s) => s.text).join(' '), task.language);
  const intro = followUp && lastAnswer ? phrases.followUpIntro : phrases.intro;
  const note = quotedLanguage !== task.language ? `\n\n${phrases.otherLanguage}` : '';
  const cited = [...new Set(ordered.map((s) => s.passage.index))];
  return { text: `${intro}\n\n${body}${note}`, cited, grounded: true };
}

function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOPWORDS.has(w) && !QUESTION_WORDS.has(w))
    .map(stem);
}

/**
 * The question's terms weigh most. Earlier turns fill in what a follow-up leaves implicit ("and
 * why?"), so they weigh more when the question alone says little, newest first.
 */
function weightedQuery(questionTerms: string[], history: ChatMessage[], summary: string | undefined, followUp: boolean): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (list: string[], weight: number) => {
    for (const term of list) weights.set(term, Math.max(weights.get(term) ?? 0, weight));
  };
  const scale = followUp ? 1 : 0.25;
  const userWeights = [0.6, 0.35, 0.2];
  const assistantWeights = [0.3, 0.15];
  let users = 0;
  let assistants = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i];
    if (turn.role === 'user' && users < userWeights.length) add(contentTerms(turn.content), userWeights[users++] * scale);
    else if (turn.role === 'assistant' && assistants < assistantWeights.length) {
      add(contentTerms(stripCitations(turn.content)), assistantWeights[assistants++] * scale);
    }
  }
  if (summary) add(contentTerms(summary), 0.15 * scale);
  add(questionTerms, 1);
  return weights;
}

/** Folded text with typographic apostrophes made plain, for the phrase patterns above. */
function plain(text: string): string {
  return foldText(text).replace(/[’‘]/g, "'");
}

function detectIntent(question: string): Intent {
  const folded = plain(question);
  for (const [intent, pattern] of INTENT_PATTERNS) if (pattern.test(folded)) return intent;
  return 'other';
}

function candidatesOf(passage: GroundingPassage): Candidate[] {
  return splitSentences(passage.text)
    .map((sentence, position) => ({ passage, position, text: clip(stripCitations(sentence)), terms: terms(sentence) }))
    .filter((c) => words(c.text).length >= MIN_WORDS_PER_SENTENCE);
}

/** BM25 over sentences, scaled by how much of the question a sentence covers and by intent cues. */
function rank(candidates: Candidate[], query: Map<string, number>, intent: Intent, alreadySaid: string): Scored[] {
  if (candidates.length === 0 || query.size === 0) return [];
  const documentFrequency = new Map<string, number>();
  let totalLength = 0;
  for (const c of candidates) {
    totalLength += c.terms.length;
    for (const term of new Set(c.terms)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const n = candidates.length;
  const averageLength = totalLength / n || 1;
  const idf = (term: string) => {
    const df = documentFrequency.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };
  let queryMass = 0;
  for (const [term, weight] of query) queryMass += weight * idf(term);

  const scored: Scored[] = [];
  for (const candidate of candidates) {
    const counts = new Map<string, number>();
    for (const term of candidate.terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    let score = 0;
    let covered = 0;
    let matchesMainTerm = false;
    for (const [term, weight] of query) {
      const tf = counts.get(term);
      if (!tf) continue;
      const termIdf = idf(term);
      const saturation = (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * candidate.terms.length) / averageLength));
      score += weight * termIdf * saturation;
      covered += weight * termIdf;
      if (weight >= 0.5) matchesMainTerm = true;
    }
    const coverage = queryMass > 0 ? covered / queryMass : 0;
    if (!matchesMainTerm || coverage < MIN_COVERAGE) continue;
    score *= 0.5 + 0.5 * coverage;
    if (intent !== 'other' && INTENT_CUES[intent].test(plain(candidate.text))) score *= 1.3;
    // A follow-up should bring something new, not repeat the previous answer.
    if (alreadySaid && alreadySaid.includes(normaliseForComparison(candidate.text))) score *= 0.4;
    scored.push({ ...candidate, score, coverage });
  }
  return scored.sort((a, b) => b.score - a.score || a.passage.index - b.passage.index || a.position - b.position);
}

function choose(ranked: Scored[]): Scored[] {
  const chosen: Scored[] = [];
  let length = 0;
  const floor = (ranked[0]?.score ?? 0) * RELATIVE_SCORE_FLOOR;
  for (const sentence of ranked) {
    if (chosen.length >= MAX_SENTENCES || sentence.score < floor) break;
    if (chosen.length > 0 && length + sentence.text.length > MAX_ANSWER_CHARS) continue;
    if (chosen.some((c) => jaccard(c.terms, sentence.terms) >= 0.6)) continue;
    chosen.push(sentence);
    length += sentence.text.length;
  }
  return chosen;
}

/** Puts the marker before the closing punctuation: "… light energy [2]." */
function withCitation(sentence: string, index: number): string {
  const match = /^(.*?)([.!?…]+["»”’)]*)$/s.exec(sentence);
  return match ? `${match[1]} [${index}]${match[2]}` : `${sentence} [${index}]`;
}

/** Reference markers that belong to the source document would pass for our citations. */
function stripCitations(text: string): string {
  return text.replace(/\s*\[\d+(?:\s*[,–-]\s*\d+)*\]/g, '');
}

function clip(sentence: string): string {
  if (sentence.length <= MAX_SENTENCE_CHARS) return sentence;
  const cut = sentence.slice(0, MAX_SENTENCE_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), MAX_SENTENCE_CHARS / 2)).trimEnd()}…`;
}

function jaccard(a: string[], b: string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

function lastTurn(history: ChatMessage[], role: 'user' | 'assistant'): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i].role === role) return history[i].content;
  return undefined;
}

function normaliseForComparison(text: string): string {
  return words(stripCitations(text)).join(' ');
}
