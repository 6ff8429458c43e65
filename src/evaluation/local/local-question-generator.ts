import { detectLanguage, foldText, stem } from '../../common/text';
import { courseSentences, normalizeStatement } from './course-text';
import { extractKeyTerms, KeyTerm, surfaceWords } from './key-terms';
import { questionText, QuestionLanguage } from './question-templates';
import { SeededRandom, hashString } from './seeded-random';

export type QuestionType = 'mcq' | 'short_answer' | 'true_false';
export type Difficulty = 'easy' | 'medium' | 'hard';

export interface SourcePassage {
  chunkId: string;
  resourceId: string;
  moduleId: string;
  title: string;
  text: string;
}

export interface GenerateQuestionsInput {
  passages: SourcePassage[];
  count: number;
  types: QuestionType[];
  difficulty: Difficulty;
  language: QuestionLanguage;
}

export interface GeneratedQuestion {
  type: QuestionType;
  question: string;
  choices?: string[];
  answer: string;
  explanation: string;
  difficulty: Difficulty;
  sourceChunkIds: string[];
}

export interface GeneratedQuestions {
  questions: GeneratedQuestion[];
  warnings: string[];
}

const BLANK = '_____';

/** A sentence of the course that can be quoted in a question, with where it comes from. */
interface SourceSentence {
  text: string;
  passage: SourcePassage;
  /** Index among all usable sentences; keeps order stable. */
  order: number;
  words: number;
  definitional: boolean;
  /** Opens with a word that points back to an earlier sentence ("This", "It", "Il"…). */
  dependent: boolean;
}

/** One way to ask about one sentence: the sentence, the key term it turns on, how well it fits. */
interface Candidate {
  sentence: SourceSentence;
  term: KeyTerm;
  /** Where the term sits in the sentence. */
  start: number;
  end: number;
  fit: number;
  tieBreak: number;
}

/**
 * Generates practice questions from course passages without a language model: cloze questions
 * (short answer) on key terms, true/false statements (true ones quoted from the text, false ones
 * with a key term swapped for another of the same module and checked not to be in the text), and
 * multiple choice with distractors drawn from the module's other key terms. Deterministic: the same
 * input always gives the same questions.
 */
export function generateQuestions(input: GenerateQuestionsInput): GeneratedQuestions {
  const { language, difficulty } = input;
  const count = Math.max(0, Math.floor(input.count));
  const types = [...new Set(input.types.length > 0 ? input.types : (['mcq', 'short_answer', 'true_false'] as QuestionType[]))];
  const warnings: string[] = [];
  const nonEmpty = input.passages.filter((p) => p.text.trim());
  // One language per answer: material in the asked language is quoted when there is any (a
  // bilingual module has both), so a French passage never sits inside an English question.
  const inLanguage = nonEmpty.filter((p) => detectLanguage(p.text) === language);
  const passages = inLanguage.length > 0 ? inLanguage : nonEmpty;
  if (count === 0) return { questions: [], warnings };
  if (passages.length === 0) {
    return { questions: [], warnings: [questionText(language).noMaterial] };
  }

  const random = new SeededRandom(
    hashString([count, types.join(','), difficulty, language, ...passages.map((p) => `${p.chunkId}:${p.text.length}`)].join('|')),
  );
  const sentences = usableSentences(passages);
  // Both the raw passages and their cleaned sentences: a statement found in either is not false.
  const allText = passages.flatMap((p) => [normalizeStatement(p.text), ...courseSentences(p.text).map(normalizeStatement)]).join('\n');

  const documents = passages.map((p) => ({ group: termGroup(p), sentences: courseSentences(p.text) }));
  const termsByModule = extractKeyTerms(documents, Math.max(12, 4 * count));
  // Distractors may come from a wider pool: in rich material whose terms each appear once or
  // twice, the key terms alone are too few to offer three plausible wrong choices.
  const distractorPool = extractKeyTerms(documents, WIDE_POOL_SIZE, { minCount: 1 });
  const candidates = buildCandidates(sentences, termsByModule, difficulty, random);

  const builder = new QuestionBuilder(language, difficulty, termsByModule, distractorPool, allText, random);
  const initialQuotas = splitCount(count, types);
  const chosen: GeneratedQuestion[] = [];
  const seenQuestions = new Set<string>();
  const usedSentences = new Map<string, number>();
  const usedAnswers = new Set<string>();
  const chunkUses = new Map<string, number>();

  // Two passes: first each sentence and each answer once, then (if the material is thin) a
  // sentence may serve again for another type or another term. What a type cannot fill goes to
  // the others.
  let quotas = initialQuotas;
  for (const strict of [true, false]) {
    let left = 0;
    for (const type of types) {
      let quota = quotas.get(type) ?? 0;
      while (quota > 0 && pickNext(type, strict)) quota--;
      left += quota;
    }
    let progress = true;
    while (left > 0 && progress) {
      progress = false;
      for (const type of types) {
        if (left > 0 && pickNext(type, strict)) {
          left--;
          progress = true;
        }
      }
    }
    quotas = splitCount(left, types);
  }

  function pickNext(type: QuestionType, strict: boolean): GeneratedQuestion | null {
    const ranked = candidates
      .map((c) => ({ c, score: c.fit - 0.35 * (chunkUses.get(c.sentence.passage.chunkId) ?? 0) }))
      .sort((a, b) => b.score - a.score || a.c.tieBreak - b.c.tieBreak);
    for (const { c } of ranked) {
      const sentenceKey = normalizeStatement(c.sentence.text);
      if (strict && (usedSentences.has(sentenceKey) || usedAnswers.has(c.term.key))) continue;
      if (!strict && (usedSentences.get(sentenceKey) ?? 0) >= 2) continue;
      const question = builder.build(type, c, chosen.length);
      if (!question) continue;
      const key = normalizeStatement(question.question);
      if (seenQuestions.has(key)) continue;
      seenQuestions.add(key);
      usedSentences.set(sentenceKey, (usedSentences.get(sentenceKey) ?? 0) + 1);
      usedAnswers.add(c.term.key);
      chunkUses.set(c.sentence.passage.chunkId, (chunkUses.get(c.sentence.passage.chunkId) ?? 0) + 1);
      chosen.push(question);
      return question;
    }
    return null;
  }

  const text = questionText(language);
  for (const type of types) {
    if ((initialQuotas.get(type) ?? 0) > 0 && !chosen.some((q) => q.type === type)) warnings.push(text.noneOfType(type));
  }
  if (chosen.length < count) {
    const termCount = [...termsByModule.values()].reduce((s, t) => s + t.length, 0);
    warnings.push(text.tooThin(chosen.length, count, sentences.length, termCount));
  }
  return { questions: chosen, warnings };
}

// --- Sentences and candidates --------------------------------------------------------------------

const DEPENDENT_OPENERS = new Set([
  'this',
  'these',
  'that',
  'those',
  'it',
  'its',
  'they',
  'their',
  'such',
  'here',
  'there',
  'however',
  'also',
  'then',
  'ce',
  'cet',
  'cette',
  'ces',
  'cela',
  'ceci',
  'il',
  'elle',
  'ils',
  'elles',
  'leur',
  'leurs',
  'ici',
  'cependant',
  'ensuite',
]);

/** Exercise instructions and asides: not statements of fact a question can rest on. */
const INSTRUCTION_OPENERS = new Set([
  'write',
  'use',
  'run',
  'try',
  'make',
  'see',
  'note',
  'consider',
  'click',
  'open',
  'create',
  'replace',
  'notice',
  'let',
  'suppose',
  'imagine',
  'enter',
  'type',
  'add',
  'remember',
  'read',
  'answer',
  'complete',
  'modify',
  'change',
  'explain',
  'describe',
  'list',
  'give',
  'find',
  'determine',
  'calculate',
  'compute',
  'identify',
  'show',
  'given',
  'assume',
  'implement',
  'define',
  'print',
  'fill',
  'choose',
  'select',
  'predict',
  'test',
  'check',
  'ecrivez',
  'ecrire',
  'utilisez',
  'essayez',
  'voir',
  'notez',
  'considerez',
  'creez',
  'remplacez',
  'supposons',
  'imaginons',
  'remarquez',
  'lisez',
  'completez',
  'modifiez',
  'ajoutez',
  'rappelez',
  'expliquez',
  'decrivez',
  'donnez',
  'calculez',
  'trouvez',
  'determinez',
  'identifiez',
  'choisissez',
  'soit',
]);

/** "Returns the absolute value of x.": a reference-table entry without its subject. */
const SUBJECTLESS = /^\p{Lu}\p{Ll}+s (?:a|an|the|x|its|all|each|one|two|whether|if|true|false)\b/u;

function usableSentences(passages: SourcePassage[]): SourceSentence[] {
  const out: SourceSentence[] = [];
  for (const passage of passages) {
    for (const raw of courseSentences(passage.text)) {
      const text = raw.replace(/\s+/g, ' ').trim();
      const ws = surfaceWords(text);
      if (ws.length < 6 || ws.length > 40) continue;
      if (!/[.!]$/.test(text) || /\?/.test(text)) continue;
      if (!/^[\p{Lu}\p{N}"«“(]/u.test(text)) continue;
      const symbols = text.replace(/[\p{L}\p{N}\s.,;:'’()«»"“”!?-]/gu, '').length;
      if (symbols > text.length * 0.03 || /\bEx\s*:/.test(text) || /https?:\/\//.test(text)) continue;
      const first = ws[0].folded;
      if (INSTRUCTION_OPENERS.has(first) || SUBJECTLESS.test(text)) continue;
      if (/\b(?:you should|you want|you need|your program|vous devez|votre programme)\b/i.test(text)) continue;
      out.push({
        text,
        passage,
        order: out.length,
        words: ws.length,
        definitional: DEFINITIONAL.test(foldText(text)),
        dependent: DEPENDENT_OPENERS.has(first),
      });
    }
  }
  return out;
}

/** "X is a …", "X are …", "… is called X", "X est un …", "on appelle X …". */
const DEFINITIONAL =
  /^(?:an? |the |les? |la |une? |l')?[\p{L}\p{N}' -]{2,40}? (?:is|are|est|sont|means|signifie|refers to|designe) |\b(?:is|are) called\b|\bappel(?:e|ee|es|ees|le|lent)\b|\bknown as\b/u;

function buildCandidates(
  sentences: SourceSentence[],
  termsByModule: Map<string, KeyTerm[]>,
  difficulty: Difficulty,
  random: SeededRandom,
): Candidate[] {
  const out: Candidate[] = [];
  for (const sentence of sentences) {
    const terms = termsByModule.get(termGroup(sentence.passage)) ?? [];
    const ws = surfaceWords(sentence.text);
    const folded = ws.map((w) => w.folded);
    for (const term of terms) {
      const parts = term.key.split(' ');
      const positions: number[] = [];
      for (let i = 0; i + parts.length <= folded.length; i++) {
        if (parts.every((p, k) => folded[i + k] === p)) positions.push(i);
      }
      // The term must occur once, and no other word of the sentence may give it away.
      if (positions.length !== 1) continue;
      const at = positions[0];
      const rest = ws.filter((_, i) => i < at || i >= at + parts.length);
      if (rest.some((w) => term.stems.includes(stem(w.folded)))) continue;
      const contentLeft = rest.filter((w) => w.folded.length > 3).length;
      if (contentLeft < 4) continue;
      out.push({
        sentence,
        term,
        start: ws[at].start,
        end: ws[at + parts.length - 1].end,
        fit: difficultyFit(difficulty, sentence, term),
        tieBreak: random.next(),
      });
    }
  }
  return out;
}

/** Prefers the sentences and terms that suit the difficulty asked for. */
function difficultyFit(difficulty: Difficulty, sentence: SourceSentence, term: KeyTerm): number {
  const lengthFit = (low: number, high: number) =>
    sentence.words < low ? 1 - (low - sentence.words) / low : sentence.words > high ? 1 - (sentence.words - high) / high : 1;
  const dependent = sentence.dependent ? 0.6 : 0;
  switch (difficulty) {
    case 'easy':
      // Definitions of the module's main terms, in short sentences.
      return (sentence.definitional ? 1 : 0) + 1.2 * (1 - term.rank) + lengthFit(8, 20) - dependent;
    case 'medium':
      return (sentence.definitional ? 0.4 : 0) + (1 - Math.abs(term.rank - 0.4)) + lengthFit(12, 28) - dependent;
    case 'hard':
      // Specific terms in longer sentences, often several words long.
      return term.rank + lengthFit(16, 40) + (term.words > 1 ? 0.4 : 0) - (sentence.definitional ? 0.3 : 0) - dependent / 2;
  }
}

/** Spreads `count` over the types as evenly as possible, earlier types taking any remainder. */
function splitCount(count: number, types: QuestionType[]): Map<QuestionType, number> {
  const quotas = new Map<QuestionType, number>();
  types.forEach((type, i) => quotas.set(type, Math.floor(count / types.length) + (i < count % types.length ? 1 : 0)));
  return quotas;
}

/** Terms are told apart by module and by language: a bilingual module has a vocabulary per language. */
function termGroup(passage: { moduleId: string; text: string }): string {
  let group = termGroups.get(passage);
  if (group === undefined) {
    group = `${passage.moduleId}\u0000${detectLanguage(passage.text)}`;
    termGroups.set(passage, group);
  }
  return group;
}

/** Each passage's group, worked out once: sentences and distractor lookups ask for it again and again. */
const termGroups = new WeakMap<object, string>();

const WIDE_POOL_SIZE = 80;

// --- Building one question -----------------------------------------------------------------------

class QuestionBuilder {
  constructor(
    private readonly language: QuestionLanguage,
    private readonly difficulty: Difficulty,
    private readonly termsByModule: Map<string, KeyTerm[]>,
    private readonly distractorPool: Map<string, KeyTerm[]>,
    /** Every passage, normalized: a statement found in it is not false. */
    private readonly allText: string,
    private readonly random: SeededRandom,
  ) {}

  build(type: QuestionType, c: Candidate, index: number): GeneratedQuestion | null {
    switch (type) {
      case 'short_answer':
        return this.cloze(c);
      case 'mcq':
        return this.multipleChoice(c);
      case 'true_false':
        return this.trueFalse(c, index);
    }
  }

  private base(c: Candidate) {
    return { difficulty: this.difficulty, sourceChunkIds: [c.sentence.passage.chunkId] };
  }

  private blanked(c: Candidate): string {
    return `${c.sentence.text.slice(0, c.start)}${BLANK}${c.sentence.text.slice(c.end)}`;
  }

  private answerOf(c: Candidate): string {
    return c.sentence.text.slice(c.start, c.end);
  }

  private cloze(c: Candidate): GeneratedQuestion {
    const t = questionText(this.language);
    const answer = this.answerOf(c);
    return {
      type: 'short_answer',
      question: t.cloze(this.blanked(c)),
      answer,
      explanation: t.clozeExplanation(answer, c.sentence.passage.title, c.sentence.text),
      ...this.base(c),
    };
  }

  private multipleChoice(c: Candidate): GeneratedQuestion | null {
    const answer = this.answerOf(c);
    const distractors = this.distractors(c, 3);
    if (distractors.length < 3) return null;
    const choices = this.random.shuffle([answer, ...distractors.map((d) => this.styled(d, answer))]);
    if (new Set(choices.map((x) => foldText(x))).size !== 4) return null;
    const t = questionText(this.language);
    return {
      type: 'mcq',
      question: t.mcq(this.blanked(c)),
      choices,
      answer,
      explanation: t.mcqExplanation(answer, c.sentence.passage.title, c.sentence.text),
      ...this.base(c),
    };
  }

  private trueFalse(c: Candidate, index: number): GeneratedQuestion | null {
    const t = questionText(this.language);
    // Alternate true and false statements, starting from a point the input decides.
    const wantFalse = (index + (this.random.seed % 2)) % 2 === 1;
    if (wantFalse) {
      const [swap] = this.distractors(c, 1);
      if (swap) {
        const replacement = this.styled(swap, this.answerOf(c));
        const statement = `${c.sentence.text.slice(0, c.start)}${replacement}${c.sentence.text.slice(c.end)}`;
        if (!this.allText.includes(normalizeStatement(statement))) {
          return {
            type: 'true_false',
            question: t.trueFalse(statement),
            answer: 'false',
            explanation: t.falseExplanation(c.sentence.passage.title, c.sentence.text, this.answerOf(c), replacement),
            ...this.base(c),
          };
        }
      }
    }
    return {
      type: 'true_false',
      question: t.trueFalse(c.sentence.text),
      answer: 'true',
      explanation: t.trueExplanation(c.sentence.passage.title, c.sentence.text),
      ...this.base(c),
    };
  }

  /**
   * Other key terms of the module that could stand in the blank: of the same kind (one word or
   * several, name or common noun) and a similar length, absent from the sentence, sharing no word
   * with the answer or with each other, and never completing the sentence into one the course
   * actually states. Hard questions take the closest look-alikes, easy ones plainer ones.
   */
  private distractors(c: Candidate, needed: number): KeyTerm[] {
    const group = termGroup(c.sentence.passage);
    const language = group.slice(group.lastIndexOf('\u0000') + 1);
    // Other modules' terms only in the same language: a French word among English choices gives the answer away.
    const othersOf = (pools: Map<string, KeyTerm[]>) =>
      [...pools.entries()].filter(([g]) => g !== group && g.endsWith(`\u0000${language}`)).flatMap(([, terms]) => terms);
    const own = this.termsByModule.get(group) ?? [];
    const ownWide = (this.distractorPool.get(group) ?? []).filter((t) => t.capitalized === c.term.capitalized);
    const others = othersOf(this.termsByModule);
    const sentenceFolded = ` ${normalizeStatement(c.sentence.text)} `;
    const answer = c.term;
    const conflicts = (term: KeyTerm, taken: KeyTerm[]) =>
      taken.some((t) => t.key === term.key || t.stems.some((s) => term.stems.includes(s)));
    // A distractor that turns the sentence into one the course states would be a second right answer.
    const completesCourseSentence = (term: KeyTerm) =>
      this.allText.includes(normalizeStatement(`${c.sentence.text.slice(0, c.start)}${term.surface}${c.sentence.text.slice(c.end)}`));
    const ranked = (pool: KeyTerm[]) => {
      const eligible = pool.filter((term) => {
        if (term.key === answer.key || conflicts(term, [answer])) return false;
        if (sentenceFolded.includes(` ${term.key} `)) return false;
        return /^\d/.test(term.key) === /^\d/.test(answer.key);
      });
      const scored = eligible
        .map((term) => ({ term, similarity: similarity(answer, term), jitter: this.random.next() }))
        .sort((a, b) => b.similarity - a.similarity || a.jitter - b.jitter);
      // Easy questions skip the closest look-alikes when there are enough others.
      const skip = this.difficulty === 'easy' && scored.length > needed + 2 ? 2 : 0;
      return scored.slice(skip).map((s) => s.term);
    };
    const chosen: KeyTerm[] = [];
    for (const pool of [own, ownWide, others]) {
      for (const term of ranked(pool)) {
        if (chosen.length >= needed) break;
        if (!conflicts(term, chosen) && !completesCourseSentence(term)) chosen.push(term);
      }
      if (chosen.length >= needed) break;
    }
    return chosen;
  }

  /** A distractor written like the answer: lower case unless it is a name, as the answer is. */
  private styled(term: KeyTerm, answer: string): string {
    if (term.capitalized) return term.surface;
    if (/^\p{Lu}/u.test(answer) && !/^\p{Lu}{2,}/u.test(answer)) return term.surface.charAt(0).toUpperCase() + term.surface.slice(1);
    return term.surface;
  }
}

/** How much two terms look alike: word count, length, ending, capitalisation, importance. */
function similarity(a: KeyTerm, b: KeyTerm): number {
  const lengthRatio = Math.min(a.surface.length, b.surface.length) / Math.max(a.surface.length, b.surface.length);
  const sameWords = a.words === b.words ? 1 : Math.abs(a.words - b.words) === 1 ? 0.4 : 0;
  const ending = a.key.slice(-3) === b.key.slice(-3) ? 0.3 : 0;
  const sameCase = a.capitalized === b.capitalized ? 0.5 : 0;
  const importance = 1 - Math.abs(a.rank - b.rank);
  return sameWords + lengthRatio + ending + sameCase + 0.5 * importance;
}
