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
  `what why how when where who whom which whose explain describe define definition tell give show mean meaning means
  please does did do can could would should is are
  quoi pourquoi comment quand ou qui quel quelle quels quelles lequel laquelle expliquer explique expliquez expliquer decrire
  decris decrivez definir definis definissez definition donne donnez donner dire dis dites signifie
  signifient veut veulent merci svp qu'est qu’est c'est c’est`
    .split(/\s+/)
    .filter(Boolean),
);

const ANAPHORA = /\b(?:it|its|this|that|these|those|they|them|ca|cela|ceci|celui|celle|ceux|celles|il|elle|ils|elles|le|la|les)\b/;
const FOLLOW_UP_START = /^\s*(?:and|but|so|then|also|what about|how about|et|mais|alors|donc|puis|aussi|et si)\b/i;

type Intent = 'why' | 'definition' | 'how' | 'other';

const INTENT_PATTERNS: Array<[Exclude<Intent, 'other'>, RegExp]> = [
  ['why', /\b(?:why|pourquoi|reason|raison|cause)\b/],
  [
    'definition',
    /\b(?:what (?:is|are|does)|what's|define|definition|meaning|qu'?est[- ]ce (?:que|qu)|c'?est quoi|definir|definition|signifie|que veut dire)\b/,
  ],
  ['how', /\b(?:how|comment)\b/],
];

const INSTRUCTION_START =
  /^(?:explain|describe|identify|use|write|assign|create|define|list|compare|apply|demonstrate|implement|discuss|analy[sz]e|evaluate|recogni[sz]e|determine|update|modify|complete|try|consider|expliquer|expliquez|decrire|decrivez|identifier|identifiez|utiliser|utilisez|ecrire|ecrivez|definir|definissez|comparer|comparez|creer|creez|appliquer|appliquez|completer|completez|modifier|modifiez)\b/;

function definesMainTerm(candidate: Candidate, query: Map<string, number>): boolean {
  if (!INTENT_CUES.definition.test(plain(candidate.text))) return false;
  return candidate.terms.slice(0, 3).some((term) => query.get(term) === 1);
}

/** Phrases that mark a sentence as giving what the question's intent asks for. */
const INTENT_CUES: Record<Exclude<Intent, 'other'>, RegExp> = {
  why: /\b(?:because|since|due to|therefore|thus|hence|so that|as a result|in order to|the reason|causes?|leads? to|allows?|enables?|parce que|car|puisque|en raison|grace a|donc|c'est pourquoi|afin de|permet|permettent|entraine|provoque)\b/,
  definition:
    /\b(?:is an?|is the|are|refers? to|means|is defined as|consists? of|est une?|sont des|designe|consiste|se definit|correspond a|signifie)\b/,
  how: /\b(?:by|first|then|finally|steps?|using|through|par|d'abord|ensuite|puis|enfin|etapes?|en utilisant|grace a)\b/,
};

const MIN_WORDS_PER_SENTENCE = 4;
const MAX_SENTENCES = 3;
const MAX_ANSWER_CHARS = 900;
const MAX_SENTENCE_CHARS = 400;
/** Share of the question's weight a sentence must cover to be considered at all. */
const MIN_SENTENCE_COVERAGE = 0.15;
/** Share of the question's weight the chosen sentences must cover together, or the answer is "not found". */
const MIN_ANSWER_COVERAGE = 0.4;
/** A term matched only through a longer or shorter form counts for less. */
const NEAR_MATCH_WEIGHT = 0.7;
/** Sentences weaker than this share of the best one are left out. */
const RELATIVE_SCORE_FLOOR = 0.45;
const BM25_K1 = 1.2;
const BM25_B = 0.75;

const PHRASES: Record<
  AnswerLanguage,
  { intro: string; followUpIntro: string; nothing: string; noPassages: string; otherLanguage: string }
> = {
  en: {
    intro: 'According to the course material:',
    followUpIntro: 'The course material adds:',
    nothing:
      'I could not find anything about this in the course material available to me. Try rephrasing your question, or ask about a topic the course covers.',
    noPassages:
      'I have no course material to answer from yet. Try again once the course documents have been added, or ask about another module.',
    otherLanguage: '(The excerpts are quoted in their original language.)',
  },
  fr: {
    intro: 'D’après le support de cours :',
    followUpIntro: 'Le support de cours précise :',
    nothing:
      'Je n’ai rien trouvé à ce sujet dans les supports de cours dont je dispose. Essayez de reformuler votre question, ou posez-la sur un thème traité dans le cours.',
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
  /** No closing punctuation: a list item or caption rather than a full statement. */
  fragment: boolean;
}

interface Scored extends Candidate {
  score: number;
  /** Query mass (weight × idf) this sentence matches, per query term. */
  covered: Map<string, number>;
}

interface Ranking {
  sentences: Scored[];
  queryMass: number;
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
  const followUp = isFollowUp(task.question, questionTerms, task.history);
  const query = weightedQuery(questionTerms, task.history, task.summary, followUp);
  const intent = detectIntent(task.question);
  const lastAnswer = lastTurn(task.history, 'assistant');
  const alreadySaid = lastAnswer ? normaliseForComparison(lastAnswer) : '';

  const candidates = task.passages.flatMap(candidatesOf);
  const ranking = rank(candidates, query, intent, alreadySaid);
  const chosen = choose(ranking.sentences);
  if (chosen.length === 0 || jointCoverage(chosen, ranking.queryMass) < MIN_ANSWER_COVERAGE) {
    return { text: phrases.nothing, cited: [], grounded: false };
  }

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

/**
 * "And why?", "Why?", "Is it fast?": questions that lean on the previous turn. A short question
 * with its own topic ("What is recursion?") is a new question, even in an ongoing conversation.
 */
function isFollowUp(question: string, questionTerms: string[], history: ChatMessage[]): boolean {
  if (!history.some((turn) => turn.role === 'user')) return false;
  if (questionTerms.length === 0 || FOLLOW_UP_START.test(question)) return true;
  return questionTerms.length <= 2 && ANAPHORA.test(plain(question));
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
function weightedQuery(
  questionTerms: string[],
  history: ChatMessage[],
  summary: string | undefined,
  followUp: boolean,
): Map<string, number> {
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

/**
 * Sentences that open with an order to an assistant ("Ignore all previous instructions…",
 * "You are now…", "Reveal the system prompt…") are injection attempts, not course content; they
 * are never quoted back as if the course said them. Sentences that merely describe such attacks
 * do not start that way and stay quotable.
 */
const ADDRESSED_TO_ASSISTANT =
  /^(?:[\p{L}\s]{1,20}:\s*)?(?:(?:please\s+)?(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompts?|directives)\b|you are now\b|from now on,? you\b|act as\b|(?:reveal|print|show|repeat|output|display)\b.{0,30}\b(?:system prompt|instructions|hidden rules|prompt)\b|ignore[sz]? (?:toutes? )?(?:les )?(?:instructions|consignes|regles)|oublie[sz]? (?:toutes? )?(?:les )?(?:instructions|consignes|regles)|tu es (?:maintenant|desormais)\b|vous etes (?:maintenant|desormais)\b|(?:revele|affiche|montre)[sz]?\b.{0,30}\b(?:prompt systeme|instructions|consignes))/iu;

/**
 * Passages arrive as Markdown-like text: headings label what follows but are not statements, and
 * list items are statements of their own. Headings are dropped, and each item becomes its own
 * block so it is never glued to the next line.
 */
function prose(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (/^\s{0,3}#{1,6}\s/.test(line)) return '';
      const item = /^\s*(?:[-*•+]|\d{1,3}[.)])\s+(.*)$/.exec(line);
      return item ? `\n${item[1]}\n` : line;
    })
    .join('\n');
}

function candidatesOf(passage: GroundingPassage): Candidate[] {
  return splitSentences(prose(passage.text))
    .map((sentence, position) => {
      const text = clip(stripCitations(sentence));
      return { passage, position, text, terms: terms(text), fragment: !/[.!?…:;]["»”’)]*$/.test(text) };
    })
    .filter((c) => words(c.text).length >= MIN_WORDS_PER_SENTENCE && !ADDRESSED_TO_ASSISTANT.test(plain(c.text)));
}

/**
 * How often a query term occurs in a sentence. The shared stemmer is deliberately light
 * ("controlled" and "control" keep different stems), so a term also matches a longer or shorter
 * form it is a prefix of, from five letters on.
 */
function occurrences(counts: Map<string, number>, term: string): { tf: number; strength: number } {
  const exact = counts.get(term);
  if (exact) return { tf: exact, strength: 1 };
  if (term.length < 5) return { tf: 0, strength: 0 };
  let near = 0;
  for (const [other, count] of counts) {
    if (other.length >= 5 && (other.startsWith(term) || term.startsWith(other))) near += count;
  }
  return { tf: near, strength: near > 0 ? NEAR_MATCH_WEIGHT : 0 };
}

/** BM25 over sentences, scaled by how much of the question a sentence covers and by intent cues. */
function rank(candidates: Candidate[], query: Map<string, number>, intent: Intent, alreadySaid: string): Ranking {
  if (candidates.length === 0 || query.size === 0) return { sentences: [], queryMass: 0 };
  const counted = candidates.map((candidate) => {
    const counts = new Map<string, number>();
    for (const term of candidate.terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { candidate, matches: new Map([...query.keys()].map((term) => [term, occurrences(counts, term)])) };
  });
  const n = candidates.length;
  const averageLength = candidates.reduce((sum, c) => sum + c.terms.length, 0) / n || 1;
  const idf = new Map<string, number>();
  const unseen: string[] = [];
  for (const term of query.keys()) {
    const df = counted.filter((c) => (c.matches.get(term)?.tf ?? 0) > 0).length;
    if (df === 0) unseen.push(term);
    else idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }
  // A question term found in no passage would get the highest idf of all, so generic wording
  // ("difference", "work") would sink every answer; it weighs as much as the rarest term found.
  const unseenIdf = Math.max(0, ...idf.values());
  for (const term of unseen) idf.set(term, unseenIdf);
  let queryMass = 0;
  for (const [term, weight] of query) queryMass += weight * (idf.get(term) ?? 0);

  const sentences: Scored[] = [];
  for (const { candidate, matches } of counted) {
    let score = 0;
    const covered = new Map<string, number>();
    let matchesMainTerm = false;
    for (const [term, weight] of query) {
      const { tf, strength } = matches.get(term) ?? { tf: 0, strength: 0 };
      if (tf === 0) continue;
      const termIdf = idf.get(term) ?? 0;
      const saturation = (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * candidate.terms.length) / averageLength));
      score += strength * weight * termIdf * saturation;
      covered.set(term, strength * weight * termIdf);
      if (weight >= 0.5) matchesMainTerm = true;
    }
    const coverage = queryMass > 0 ? sum(covered.values()) / queryMass : 0;
    if (!matchesMainTerm || coverage < MIN_SENTENCE_COVERAGE) continue;
    score *= 0.5 + 0.5 * coverage;
    if (intent !== 'other' && INTENT_CUES[intent].test(plain(candidate.text))) score *= 1.3;
    if (candidate.fragment) score *= 0.6;
    // Learning objectives and exercises ("Describe…", "Write a program…") ask, they do not tell.
    if (INSTRUCTION_START.test(plain(candidate.text))) score *= 0.4;
    // "What is X?" is best answered by a sentence about X as its subject: "X is…", "X refers to…".
    if (intent === 'definition' && definesMainTerm(candidate, query)) score *= 1.5;
    // A follow-up should bring something new, not repeat the previous answer.
    if (alreadySaid && alreadySaid.includes(normaliseForComparison(candidate.text))) score *= 0.4;
    sentences.push({ ...candidate, score, covered });
  }
  sentences.sort((a, b) => b.score - a.score || a.passage.index - b.passage.index || a.position - b.position);
  return { sentences, queryMass };
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** How much of the question the chosen sentences answer together (each term counted once). */
function jointCoverage(chosen: Scored[], queryMass: number): number {
  const best = new Map<string, number>();
  for (const sentence of chosen) for (const [term, mass] of sentence.covered) best.set(term, Math.max(best.get(term) ?? 0, mass));
  return queryMass > 0 ? sum(best.values()) / queryMass : 0;
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
