import { STOPWORDS, foldText, splitSentences, stem, terms } from '../../common/text';
import type { AnswerLanguage, ChatMessage, SummarizeConversationTask } from './llm.types';

/**
 * The local conversation summary: the conversation's most frequent topics, the student's latest
 * questions, and the sentences most central to what was discussed (those sharing the most
 * recurring terms), in the order they were said. Extractive, like the local tutor: it only
 * quotes.
 */

const MAX_TOPICS = 8;
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
  // Topics of the turns folded before stay on after the new ones: a long conversation keeps what
  // it was about from the start, not only what its last lines repeat.
  const topics = mergeTopics(
    topicWords([previousKeyPoints(previous), ...turns.map((t) => stripCitations(t.content))].join('\n'), frequency),
    previousTopics(previous),
  );
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
  for (const turn of turns) if (turn.role === 'assistant') add(turn.content, false);
  return out;
}

/** From a summary this module wrote, only its key points are facts; any other summary is taken whole. */
function previousKeyPoints(previous: string): string {
  const labels = Object.values(LABELS).map((l) => l.points);
  for (const line of previous.split('\n')) {
    const label = labels.find((l) => line.startsWith(`${l}:`));
    if (label) return line.slice(label.length + 1);
  }
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

function mergeTopics(recent: string[], earlier: string[]): string[] {
  const seen = new Set(recent.map((t) => stem(foldText(t))));
  const carried = earlier.filter((t) => !seen.has(stem(foldText(t))));
  // Room for both: the recent topics first, then as many earlier ones as fit.
  const keepRecent = recent.slice(0, Math.max(MAX_TOPICS - Math.min(carried.length, MAX_TOPICS / 2), 0));
  return [...keepRecent, ...carried].slice(0, MAX_TOPICS);
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
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score);
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
