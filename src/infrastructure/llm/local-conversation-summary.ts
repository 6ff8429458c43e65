import { STOPWORDS, foldText, splitSentences, stem, terms } from '../../common/text';
import type { AnswerLanguage, ChatMessage, SummarizeConversationTask } from './llm.types';
import { POINTING_BACK, topicTerms } from './local-tutor-answer';
import { COMMON_WORDS, FRAMING_TERMS, baseStem } from './tutor-lexicon';

/**
 * The local conversation summary: the conversation's most frequent topics, the student's latest
 * questions, and the sentences most central to what was discussed (those sharing the most
 * recurring terms), in the order they were said. Extractive, like the local tutor: it only
 * quotes.
 */

const MAX_TOPICS = 12;
/** When the topics overflow, the conversation's opening ones stay, then the newest. */
const OPENING_TOPICS = 4;
/** Recurrent words of the folded turns added beside the subjects of their questions. */
const MAX_RECURRENT_TOPICS = 3;
const MAX_QUESTIONS = 3;
const MAX_QUESTION_CHARS = 140;
const MAX_KEY_POINT_CHARS = 600;
const MAX_KEY_POINTS = 5;

const LABELS: Record<AnswerLanguage, { topics: string; questions: string; points: string; empty: string }> = {
  en: { topics: 'Topics', questions: 'The student asked', points: 'Key points', empty: 'Nothing has been discussed yet.' },
  fr: { topics: 'Sujets', questions: 'L’étudiant a demandé', points: 'Points clés', empty: 'Rien n’a encore été abordé.' },
};

interface Sentence {
  text: string;
  order: number;
  terms: string[];
  fromSummary: boolean;
}

export function summarizeConversation(task: SummarizeConversationTask): string {
  const labels = LABELS[task.language] ?? LABELS.en;
  const turns = task.turns.filter((t) => t.role !== 'system' && t.content.trim() !== '');
  const previous = task.previousSummary?.trim() ?? '';
  if (turns.length === 0 && !previous) return labels.empty;

  const sentences = collectSentences(previous, turns);
  const frequency = new Map<string, number>();
  for (const s of sentences) for (const term of new Set(s.terms)) frequency.set(term, (frequency.get(term) ?? 0) + 1);

  const parts: string[] = [];
  // A long conversation keeps what it was about from the start, not only what its last lines
  // repeat: the topics of the turns folded before come first, then the subject of each question
  // answered since, then the words these turns came back to. An answer that cites nothing (the
  // tutor declining a question the course does not cover) discussed no topic of the course.
  const discussed = turns.filter((t, i) => (t.role === 'user' ? answered(turns, i) : cites(t.content)));
  const subjects = discussed.filter((t) => t.role === 'user').flatMap((t) => questionSubject(t.content));
  const recurrent = topicWords(discussed.map((t) => stripCitations(t.content)).join('\n'), frequency).slice(0, MAX_RECURRENT_TOPICS);
  const topics = mergeTopics(previousTopics(previous), [...subjects, ...recurrent]);
  if (topics.length > 0) parts.push(`${labels.topics}: ${topics.join(', ')}.`);

  const questions = turns
    .filter((t) => t.role === 'user')
    .slice(-MAX_QUESTIONS)
    .map((t) => shorten(t.content.replace(/\s+/g, ' ').trim(), MAX_QUESTION_CHARS));
  if (questions.length > 0) parts.push(`${labels.questions}: ${questions.map((q) => `“${q}”`).join('; ')}.`);

  const points = keyPoints(sentences, frequency);
  if (points.length > 0) parts.push(`${labels.points}: ${points.join(' ')}`);
  return parts.join('\n');
}

function collectSentences(previous: string, turns: ChatMessage[]): Sentence[] {
  const out: Sentence[] = [];
  let order = 0;
  const add = (text: string, fromSummary: boolean) => {
    for (const sentence of splitSentences(stripCitations(text))) {
      // Headings and lead-ins ("According to the course material:") carry no fact of their own.
      if (sentence.endsWith(':') || sentence.split(/\s+/).length < 4) continue;
      out.push({ text: sentence, order: order++, terms: terms(sentence), fromSummary });
    }
  };
  if (previous) add(previousKeyPoints(previous), true);
  // An answer citing nothing (a declined question) states no fact of the course.
  for (const turn of turns) if (turn.role === 'assistant' && cites(turn.content)) add(turn.content, false);
  return out;
}

/** From a summary this module wrote, only its key points are facts; any other summary is taken whole. */
function previousKeyPoints(previous: string): string {
  const labels = Object.values(LABELS).map((l) => l.points);
  for (const line of previous.split('\n')) {
    const label = labels.find((l) => line.startsWith(`${l}:`));
    if (label) return line.slice(label.length + 1);
  }
  // One of ours without key points: its topics and questions lines are not facts to quote.
  const ours = Object.values(LABELS).flatMap((l) => [l.topics, l.questions]);
  if (previous.split('\n').some((line) => ours.some((label) => line.startsWith(`${label}:`)))) return '';
  return previous;
}

/** The topics line of a summary this module wrote. */
function previousTopics(previous: string): string[] {
  const labels = Object.values(LABELS).map((l) => l.topics);
  for (const line of previous.split('\n')) {
    const label = labels.find((l) => line.startsWith(`${l}:`));
    if (label)
      return line
        .slice(label.length + 1)
        .replace(/\.\s*$/, '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
  }
  return [];
}

function mergeTopics(earlier: string[], recent: string[]): string[] {
  const merged: string[] = [];
  const seen = new Set<string>();
  for (const topic of [...earlier, ...recent]) {
    const key = stem(foldText(topic));
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(topic);
  }
  if (merged.length <= MAX_TOPICS) return merged;
  return [...merged.slice(0, OPENING_TOPICS), ...merged.slice(merged.length - (MAX_TOPICS - OPENING_TOPICS))];
}

/** A question is answered when the reply after it cites the course; a bare question at the end counts too. */
function answered(turns: ChatMessage[], index: number): boolean {
  const reply = turns.slice(index + 1).find((t) => t.role === 'assistant');
  return !reply || cites(reply.content);
}

function cites(text: string): boolean {
  return /\[\d+\]/.test(text);
}

/**
 * What a question is about: its first word naming a topic ("What do mitochondria do?" gives
 * mitochondria), as written. "Where does it happen?" or "an example?" names none.
 */
function questionSubject(question: string): string[] {
  const named = new Set(topicTerms(question));
  for (const match of question.matchAll(/[\p{L}][\p{L}\p{N}-]*/gu)) {
    const folded = foldText(match[0]);
    const term = baseStem(folded);
    if (folded.length < 3 || STOPWORDS.has(folded) || COMMON_WORDS.has(folded)) continue;
    if (!named.has(term) || FRAMING_TERMS.has(term) || POINTING_BACK.has(term)) continue;
    return [match[0].toLowerCase()];
  }
  return [];
}

/** Sentences whose terms recur across the conversation, in their original order. */
function keyPoints(sentences: Sentence[], frequency: Map<string, number>): string[] {
  const scored = sentences
    .map((s) => {
      const unique = [...new Set(s.terms)];
      const centrality = unique.reduce((sum, t) => sum + Math.log(frequency.get(t) ?? 1), 0) / Math.sqrt(unique.length || 1);
      // What an earlier summary kept was already judged important.
      return { ...s, score: centrality * (s.fromSummary ? 1.2 : 1) };
    })
    // A sentence whose words recur nowhere else still states what was said: it ranks last, not out.
    .sort((a, b) => b.score - a.score || b.order - a.order);
  const chosen: typeof scored = [];
  let length = 0;
  for (const s of scored) {
    if (chosen.length >= MAX_KEY_POINTS) break;
    if (length + s.text.length > MAX_KEY_POINT_CHARS) continue;
    if (chosen.some((c) => overlap(c.terms, s.terms) >= 0.6)) continue;
    chosen.push(s);
    length += s.text.length;
  }
  if (chosen.length === 0 && scored.length > 0) chosen.push({ ...scored[0], text: shorten(scored[0].text, MAX_KEY_POINT_CHARS) });
  return chosen.sort((a, b) => a.order - b.order).map((s) => s.text);
}

/** The most recurrent content terms, shown in the spelling most used in the conversation. */
function topicWords(text: string, frequency: Map<string, number>): string[] {
  const surfaces = new Map<string, Map<string, number>>();
  const counts = new Map<string, number>();
  for (const match of text.matchAll(/[\p{L}][\p{L}\p{N}-]*/gu)) {
    const surface = match[0].toLowerCase();
    const folded = foldText(surface);
    if (folded.length < 4 || STOPWORDS.has(folded)) continue;
    if (COMMON_WORDS.has(folded) || FRAMING_TERMS.has(baseStem(folded))) continue;
    const term = stem(folded);
    counts.set(term, (counts.get(term) ?? 0) + 1);
    const forms = surfaces.get(term) ?? new Map<string, number>();
    forms.set(surface, (forms.get(surface) ?? 0) + 1);
    surfaces.set(term, forms);
  }
  return [...counts.entries()]
    .filter(([, count]) => count >= 2)
    .sort((a, b) => b[1] - a[1] || (frequency.get(b[0]) ?? 0) - (frequency.get(a[0]) ?? 0) || a[0].localeCompare(b[0]))
    .slice(0, MAX_TOPICS)
    .map(([term]) => [...surfaces.get(term)!.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0]);
}

function overlap(a: string[], b: string[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  for (const t of left) if (right.has(t)) shared++;
  return shared / Math.max(1, Math.min(left.size, right.size));
}

function stripCitations(text: string): string {
  return text.replace(/\s*\[\d+(?:\s*[,–-]\s*\d+)*\]/g, '');
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).trimEnd()}…`;
}
