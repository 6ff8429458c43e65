import { STOPWORDS, detectLanguage, foldText, splitSentences, stem, words } from '../../common/text';
import { COMMON_WORDS, FRAMING_TERMS, baseStem, baseTerms, demonymForms, synonymStems } from './tutor-lexicon';
import type { AnswerLanguage, ChatMessage, GroundingPassage, TutorAnswerTask } from './llm.types';
import { keyness, zipfFrequency } from './word-rarity';

/**
 * The local tutor: answers by quoting the passages' sentences that best match the question (and,
 * for follow-ups such as "and why?", the recent turns), each followed by its citation. Passage
 * text is only ever selected and quoted, never interpreted, so instructions hidden in a document
 * have nothing to act on.
 */

/** "How long…", "how deep…", "how much…": the measures a figure with its unit answers. */
const MEASURES = 'long|far|tall|high|deep|wide|old|heavy|big|large|much|quickly|fast|often|soon|hot|cold';

/** Words that shape a question (or ask for a way of answering) but say nothing about its topic. */
const QUESTION_WORDS = new Set(
  `what why how when where who whom which whose explain describe define definition tell give show mean meaning means
  please does did do can could would should is are example examples instance again simply simple simpler words
  plain terms briefly short detail details more less easy easier sorry thanks thank
  quoi pourquoi comment quand ou qui quel quelle quels quelles lequel laquelle expliquer explique expliquez expliquer decrire
  decris decrivez definir definis definissez definition donne donnez donner dire dis dites signifie
  signifient veut veulent merci svp qu'est qu’est c'est c’est exemple exemples encore simplement simple simples mots
  termes bref brievement detail details facile facilement peux pouvez`
    .split(/\s+/)
    .filter(Boolean),
);

const ANAPHORA =
  /\b(?:it|its|this|that|these|those|they|them|one|ones|ca|cela|ceci|celui|celle|ceux|celles|il|elle|ils|elles|le|la|les|lui|leur)\b/;
const FOLLOW_UP_START = /^\s*(?:and|but|so|then|also|what about|how about|et|mais|alors|donc|puis|aussi|et si)\b/i;
/** Requests about the previous answer rather than a new topic: "an example", "explain again", "why?". */
/** "More simply", "in simple words": the shorter statements of the topic serve best. */
const SIMPLER = /\b(?:simpl[ey]|simpler|more simply|in simple words|plain|easier|plus simplement|simplement|mots simples|plus facile)\b/;
const ABOUT_PREVIOUS =
  /\b(?:example|instance|again|more simply|simpler|in simple words|in other words|rephrase|elaborate|more detail|why|exemple|encore|plus simplement|autrement|reformule|pourquoi|davantage)\b/;

/** What kind of fact the question asks for; it decides which sentences count as answers. */
export type QuestionType = 'why' | 'when' | 'who' | 'where' | 'how_many' | 'which' | 'compare' | 'example' | 'definition' | 'how' | 'other';

/** "In which city…", "which country…" ask where; "which scientist…", "which company…" ask who. */
const PLACE_NOUNS =
  'city|country|town|village|place|region|state|province|part|area|location|street|building|museum|university|port|ville|pays|region|lieu';
const PERSON_NOUNS =
  'person|people|man|woman|scientist|king|queen|emperor|company|organization|organisation|team|author|writer|artist|leader|president|governor|inventor|group|personne|roi|reine|entreprise|auteur';

const TYPE_PATTERNS: Array<[Exclude<QuestionType, 'other'>, RegExp]> = [
  ['example', /\b(?:an? example|examples?|for instance|show me|un exemple|des exemples|exemple)\b/],
  [
    'compare',
    /\b(?:difference|differ|compare|comparison|versus|vs|rather than|better than|difference entre|differences?|comparer|plutot que)\b/,
  ],
  ['why', /\b(?:why|pourquoi|reason|raison|cause)\b/],
  // "How high…", "what share of…": a measure or a part of a whole is a figure, like a count.
  ['how_many', new RegExp(`\\b(?:how (?:many|${MEASURES})|(?:what|which) (?:percentage|proportion|share|fraction)|combien)\\b`)],
  [
    'when',
    /\b(?:when|(?:during|in) (?:what|which) (?:years?|months?|centur(?:y|ies)|decades?)|(?:what|which) (?:year|date|century|decade|month|day)s?|quand|en quelle annee|quelle annee|a quelle date)\b/,
  ],
  ['where', new RegExp(`\\b(?:where|ou se|ou est|ou a|ou sont|dans quel|(?:what|which) (?:${PLACE_NOUNS})s?)\\b`)],
  ['who', new RegExp(`\\b(?:who|whom|whose|qui|(?:what|which) (?:${PERSON_NOUNS})s?)\\b`)],
  // "What is Europe's navigation system called?" asks a name, not a definition.
  // "What is it called when…" still asks for a term, as a definition does.
  ['which', /\b(?:what (?:is|are|was|were) (?!(?:it|this|that) )(?:[\p{L}'’-]+ ){1,6}(?:called|named|known as))\b/u],
  [
    'definition',
    /\b(?:what (?:is|are)|what's|whats|what does (?:the (?:word|name|term|title) )?\S+ mean|define|definition|meaning|qu'?est[- ]ce (?:que|qu)|c'?est quoi|definir|definition|signifie|que veut dire|que designe)\b/,
  ],
  ['how', /\b(?:how|comment)\b/],
  // "Which ocean current…", "what nickname…": a named thing, after the definitions ("what is…").
  [
    'which',
    /\b(?:which|what) (?!(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should|happens?|kind|type|sort|if)\b)\p{L}{3,}/u,
  ],
];

const ANYWHERE_TYPES: ReadonlySet<QuestionType> = new Set(['example', 'compare', 'why']);

const INSTRUCTION_START =
  /^(?:explain|describe|identify|use|write|assign|create|define|list|compare|apply|demonstrate|implement|discuss|analy[sz]e|evaluate|recogni[sz]e|determine|update|modify|complete|try|consider|expliquer|expliquez|decrire|decrivez|identifier|identifiez|utiliser|utilisez|ecrire|ecrivez|definir|definissez|comparer|comparez|creer|creez|appliquer|appliquez|completer|completez|modifier|modifiez)\b/;

/** "A tuple is a…", "Recursion is a…", "Une liste est une…": the textbook form of a definition. */
const STRONG_DEFINITION =
  /^(?:(?:an?|the|une?|la|le|les|l')\s+)?[\p{L}\p{N}_-]+(?:\s+[\p{L}\p{N}_-]+){0,2}\s+(?:is|are|est|sont)\s+(?:an?|the|une?|la|le|l'|des)\s|\b(?:refers? to|is defined as|is called|se definit comme|designe)\b/u;

/**
 * "What is a list in Python?" is best answered by "A list is…": the question's focus (its first
 * topic word; "in Python" only qualifies it) is the sentence's subject, followed by a defining verb.
 */
function definesFocus(candidate: Candidate, focus: string | undefined): boolean {
  if (!focus || !TYPE_CUES.definition!.test(plain(candidate.text))) return false;
  return candidate.terms.slice(0, 2).includes(focus);
}

const NUMBER_WORDS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|half|percent|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|vingt|cent|cents|mille|million|millions|milliard|moitie|pourcent';

/** Phrases (on folded text) that mark a sentence as stating the kind of fact the question asks for. */
const TYPE_CUES: Partial<Record<QuestionType, RegExp>> = {
  why: /, so\b|\b(?:because|since|due to|therefore|thus|hence|so that|as a result|in order to|the reason|causes?|leads? to|allows?|enables?|which is why|parce que|car|puisque|en raison|grace a|donc|c'est pourquoi|afin de|permet|permettent|entraine|provoque)\b/,
  when: /\b(?:1\d{3}|20\d{2}|\d{1,2}(?:st|nd|rd|th)? century|january|february|march|april|may|june|july|august|september|october|november|december|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|siecle|before|after|during|until|once|whenever|avant|apres|pendant|jusqu'a|lorsque|des que)\b/,
  who: /\b(?:by|named after|invented|discovered|wrote|founded|showed|proposed|par|invente|decouvert|ecrit|fonde|montre)\b/,
  where:
    /\b(?:in the|inside|within|at the|on the|takes place|located|found in|dans les?|dans la|au sein|se trouve|a l'interieur|se deroule|a lieu)\b/,
  how_many: new RegExp(`(?:\\d|\\b(?:${NUMBER_WORDS})\\b)`),
  compare:
    /\b(?:whereas|while|unlike|but|than|instead|both|however|on the other hand|differs?|contrairement|alors que|tandis que|mais|plutot|par contre|les deux)\b/,
  example: /\b(?:for example|for instance|such as|e\.g\.|ex:|like|par exemple|comme|tel que|telle que)\b/,
  definition:
    /\b(?:is an?|is the|are|refers? to|means|is defined as|consists? of|is called|est une?|sont des|designe|consiste|se definit|correspond a|signifie|s'appelle|on appelle)\b/,
  how: /\b(?:by|first|then|finally|steps?|using|through|with|par|d'abord|ensuite|puis|enfin|etapes?|en utilisant|grace a|avec)\b/,
};

const MIN_WORDS_PER_SENTENCE = 4;
/** A direct sentence, then support only when it adds something: answers stay short. */
const MAX_SENTENCES = 2;
const MAX_ANSWER_WORDS = 45;
const MAX_SENTENCE_CHARS = 400;
const MAX_CODE_LINES = 14;
/** Share of the question's weight a sentence must cover to be considered at all. */
const MIN_SENTENCE_COVERAGE = 0.15;
/**
 * The relevance floor: share of the question's weight that the best sentence must cover, counting
 * a term found only elsewhere in the sentence's passage at PASSAGE_CONTEXT_WEIGHT, or the course is
 * taken not to cover the question. Calibrated with `npm run bench:tutor` on covered and uncovered
 * questions (bench/data/tutor): declining covered questions is as wrong as answering uncovered ones.
 */
export const RELEVANCE_FLOOR = 0.55;
/** The second path of the floor: less word coverage, with a local-embedding cosine at least this high. */
const PARAPHRASE_COVERAGE_FLOOR = 0.3;
const PARAPHRASE_SIMILARITY_FLOOR = 0.34;
/** The third path: some coverage of a question naming a passage's subject, or a sentence of the asked shape. */
const TOPICAL_SIMILARITY_FLOOR = 0.28;
const TOPICAL_COVERAGE_FLOOR = 0.35;
const TOPICAL_SALIENCE_FLOOR = 0.2;
const SHAPED_COVERAGE_FLOOR = 0.4;
/** A passage is about a term it uses at least this share of the time (or names in its title). */
const SALIENT_TERM_SHARE = 0.02;
/** A question naming much of what a passage is about needs less support from the embedding. */
const SUBJECT_SALIENCE_FLOOR = 0.35;
const SUBJECT_SIMILARITY_FLOOR = 0.24;
const SUBJECT_MIN_TERMS = 3;
/** A question of at most this many topic words is not covered when one of them is found nowhere. */
const ABSENT_TERM_MAX_TOPIC = 2;
const PASSAGE_CONTEXT_WEIGHT = 0.5;
/**
 * The fourth path, for English questions: a sentence covering this much of a question whose word it
 * shares is one its passage is about (used far more often than in everyday English, see
 * `sharedKeyness`). "Why was helium not used?" keeps one subject word; that word is the passage's.
 */
const SPECIFIC_COVERAGE_FLOOR = 0.45;
const SPECIFIC_KEYNESS_FLOOR = 3.6;
/**
 * A word its passage uses ten thousand times more often than English at large ("axolotls",
 * "mitochondrial", "teslas") is its subject: a quarter of the question is enough with it. Other
 * subjects' questions share such a word with a passage almost never (bench:tutor, BENCH_DUMP).
 */
const SUBJECT_WORD_KEYNESS = 4;
const SUBJECT_WORD_COVERAGE_FLOOR = 0.25;
/** And the reverse: a partial match on words the passage uses no more than English at large is chance. */
const INCIDENTAL_KEYNESS = 2;
const INCIDENTAL_COVERAGE = 0.5;
/** No shared topic word, or a question not in English (the frequencies are English ones). */
const NO_KEYNESS = -10;
/** Words at least this common (Zipf 4.8: "job", "charge", "stand", about the 1,100 commonest English words) are a rewording's when missing. */
const COMMON_ABSENT_ZIPF = 4.8;
const REWORDED_KEYNESS_FLOOR = 3.2;
const REWORDED_COVERAGE_FLOOR = 0.32;
/** Above any word's Zipf frequency: stands for "no word missing". */
const ALL_PRESENT_ZIPF = 9;
/** A sentence naming the subject only by a pronoun inside it keeps this share of its score. */
const INNER_PRONOUN_SHARE = 0.6;
const SHAPED_ANSWER_BOOST = 1.5;
/** A number with the asked unit or counted noun ("6,400 kilometres", "87 parish churches"). */
const QUANTITY_ANSWER_BOOST = 3;
/** A figure stated with the asked measure's word ("115 centimetres tall") beats another figure of its unit. */
const MEASURE_ANSWER_BOOST = 1.5;
/** A sentence saying what something is called, for a question asking a name. */
const NAME_ANSWER_BOOST = 1.6;
/** A sentence naming the doer of the asked deed after "by", for a "who did…" question. */
const AGENT_ANSWER_BOOST = 1.5;
/** A sentence of the passage holding least of the question keeps this share of its score. */
const PASSAGE_FIT_FLOOR = 0.5;
/**
 * A sentence of the n-th passage the search returned keeps 1 / (1 + decay × (n − 1)) of its score.
 * bench:tutor, all passages in one module: 0.1, 0.25 and 0.5 gave 746, 750 and 755 of 984 answers
 * with the expected span against 743 without; 0.5 lost more on the tuned sets, so 0.25.
 */
const SEARCH_RANK_DECAY = 0.25;
/** "Why does B need A?": a sentence saying what A supplies or B uses is the answer, more than one repeating "need". */
const SUPPLY_ANSWER_BOOST = 3;
const UNSHAPED_ANSWER_SHARE = 0.5;
/** An unseen framing word weighs this share of the commonest term found. */
const FRAMING_UNSEEN_SHARE = 0.5;
/** Query terms weighing this much name the topic (the question's own, or the previous question's in a bare follow-up). */
const MAIN_TERM_WEIGHT = 0.5;
/** A term matched only through a longer or shorter form counts for less. */
const NEAR_MATCH_WEIGHT = 0.7;
/**
 * A name of the question that this many of the retrieved passages mention is common ground, like
 * the course's own language ("a comment in Python", in a chapter that never says "Python"): the
 * answer need not come from a passage naming it. A name fewer passages hold must be in the answer's
 * passage. bench:tutor: other subjects' questions declined rose by 1.6 to 4 points on four held-out
 * sets, and no covered question lost its answer (requiring it always lost one of those).
 */
const SHARED_NAME_PASSAGES = 2;
/** A supporting sentence must score at least this share of the best one. */
const SUPPORT_SCORE_FLOOR = 0.6;
/**
 * A best sentence this much shorter than the budget takes the runner-up scoring at least this share
 * of it. Two sentences of encyclopedic prose run to about 50 words: at 40 the runner-up was left out
 * whenever either was long, and with it the fact the best sentence only led up to (bench:tutor).
 */
const PAIR_WORDS = 60;
const RUNNER_UP_SCORE_FLOOR = 0.3;
const BM25_K1 = 1.2;
const BM25_B = 0.75;

const PHRASES: Record<AnswerLanguage, { nothing: string; noPassages: string; otherLanguage: string }> = {
  en: {
    nothing:
      'The course material does not cover this question, so I cannot answer it from the course. Try rephrasing it, or ask about a topic the course covers.',
    noPassages:
      'I have no course material to answer from yet. Try again once the course documents have been added, or ask about another module.',
    otherLanguage: '(The excerpts are quoted in their original language.)',
  },
  fr: {
    nothing:
      'Le support de cours ne traite pas cette question : je ne peux donc pas y répondre à partir du cours. Essayez de la reformuler, ou posez une question sur un thème traité dans le cours.',
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
  /** A fenced code block, quoted line for line. */
  code: boolean;
  /** A list item, quoted as an item. */
  item: boolean;
  /** Names the passage's subject only through a pronoun after an opening phrase ("With…, it is…"). */
  inner?: boolean;
}

interface Scored extends Candidate {
  score: number;
  /** Query mass (weight × idf) this sentence matches, per query term. */
  covered: Map<string, number>;
  /** Share of the query mass covered by the sentence, with its passage's other words at half weight. */
  contextCoverage: number;
  /** The sentence holds a fact of the asked kind: a date for "when", a number for "how many"... */
  shaped: boolean;
  /** How much more often than everyday English the sentence's passage uses its most specific shared topic word (log10). */
  keyness: number;
}

interface Ranking {
  sentences: Scored[];
  queryMass: number;
  /** Largest share of the topic's mass that one passage is about: terms it repeats or has in its title. */
  passageSalience: number;
  /** How many terms name the topic (weigh at least MAIN_TERM_WEIGHT). */
  topicTerms: number;
  /** Largest share of the topic's mass that one passage holds anywhere in its text. */
  passageCoverage: number;
  /** Topic terms (not framing words) that no passage holds in any form. */
  absentTerms: string[];
  /** Topic terms that name the subject: not framing words, the setting, the answer's kind or a verb. */
  subjectTerms: number;
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
  const type = questionType(task.question, followUp ? lastTopicQuestion(task.history) : undefined);
  const lastAnswer = lastTurn(task.history, 'assistant');
  const alreadySaid = followUp && lastAnswer ? normaliseForComparison(lastAnswer) : '';

  const candidates = task.passages.flatMap(candidatesOf);
  const focus = questionTerms[0] ?? contentTerms(lastTopicQuestion(task.history) ?? '')[0];
  const qualifiers = qualifierTerms(task.question);
  // "How long is the river?": "long" names the kind of answer, which the passage states as "6,400
  // kilometres"; a sentence saying "the length of the river" shares the word, not the answer.
  const quantity = askedQuantity(task.question);
  const measure = new Set(quantity ? answerKindWords(task.question).map(baseStem) : []);
  const rankingQuery = new Map(
    [...query]
      .filter(([term]) => !measure.has(term))
      .map(([term, weight]) => [term, qualifiers.has(term) ? Math.min(weight, 0.3) : weight]),
  );
  const asked = askedWords(task.question);
  const loose = looseTerms(task.question);
  const options: RankOptions = {
    loose,
    alreadySaid,
    literals: literalTokens(task.question),
    language: task.language,
    enumeration: enumerationSize(task.question) > 1,
    focus,
    asked,
    quantity,
    measured: measureNames(task.question),
    agent: passiveAgent(task.question),
  };
  const ranking = rank(candidates, rankingQuery, type, options);
  // Two cues pick the answer among the sentences but are no evidence of the topic, so the floor
  // (which judges `ranking`) goes without them. "How many people lived…": "many" asks for a count,
  // which the passage states as a figure; a sentence saying "many" shares the word, not the answer.
  // "What is the name of…", "what were they called?": the sentence giving a name says so ("a horse
  // he calls Rocinante", "the tiniest, called minims").
  const counting = quantity !== undefined && [...rankingQuery.keys()].some((term) => COUNT_TERMS.has(term));
  const asksName = ASKS_NAME.test(plain(task.question));
  const answerRanking =
    counting || asksName
      ? rank(candidates, new Map([...rankingQuery].filter(([term]) => !counting || !COUNT_TERMS.has(term))), type, { ...options, asksName })
      : ranking;
  if (SIMPLER.test(plain(task.question))) {
    for (const s of answerRanking.sentences) s.score /= 1 + wordCount(s) / 25;
    answerRanking.sentences.sort((a, b) => b.score - a.score);
  }
  // The floor weighs every topic word fully: "a variable in Python" is not covered by statistics.
  const floorRanking =
    qualifiers.size === 0 && measure.size === 0 ? ranking : rank(candidates, query, type, { focus, asked, qualifiers, loose });
  if (
    namesAbsentEntity(task.question, task.passages) ||
    quotesAbsentCode(task.question, task.passages) ||
    quotesAbsentNumber(task.question, task.passages) ||
    !covers(floorRanking, task.passages, task.language === 'en' && detectLanguage(task.question, task.language) === 'en')
  ) {
    return { text: phrases.nothing, cited: [], grounded: false };
  }

  const answering = answerRanking.sentences.length > 0 ? answerRanking : floorRanking;
  if (answering.sentences.length === 0) return { text: phrases.nothing, cited: [], grounded: false };
  const enumeration = enumerationSize(task.question);
  const answerFrom = (sentences: Scored[]) =>
    withCause(withExampleCode(choose(sentences, type, enumeration), candidates, type), candidates, type);
  let chosen = answerFrom(answering.sentences);
  const naming = passagesNamingWhatTheQuestionNames(task.question, task.passages);
  if (naming.length < SHARED_NAME_PASSAGES && !chosen.some((s) => naming.includes(s.passage))) {
    // "Which is the longest river in Europe?" answered from a passage on a South American river:
    // the name the question asks about belongs to another passage, which answers if anything does.
    const named = answering.sentences.filter((s) => naming.includes(s.passage));
    if (named.length === 0) return { text: phrases.nothing, cited: [], grounded: false };
    chosen = answerFrom(named);
  }
  const body = render(enumeration > 1 ? withSectionNames(chosen) : chosen);
  const quotedLanguage = detectLanguage(chosen.map((s) => s.text).join(' '), task.language);
  const note = quotedLanguage !== task.language ? `\n\n${phrases.otherLanguage}` : '';
  const cited = [...new Set(chosen.map((s) => s.passage.index))];
  return { text: `${body}${note}`, cited, grounded: true };
}

/**
 * The relevance floor: the best sentence covers most of the question's topic, or a good part of it
 * in a passage that the local embedding finds close to the question (paraphrases share meaning more
 * than words). Shared with search and question generation through `coversQuestion`.
 */
/** For calibration (bench:tutor with BENCH_DUMP): receives the floor's signals for every question. */
let relevanceProbe:
  | ((signals: {
      sentence: number;
      shaped: number;
      salience: number;
      similarity: number;
      terms: number;
      passage: number;
      absent: number;
      subject: number;
      keyness: number;
      absentZipf: number;
    }) => void)
  | undefined;
export function setRelevanceProbe(probe: typeof relevanceProbe): void {
  relevanceProbe = probe;
}
/** Coverages are sums of shares: a question covered exactly at a floor comes out a hair below it (0.5499…). */
function atLeast(value: number, floor: number): boolean {
  return value >= floor - 1e-9;
}

function covers(ranking: Ranking, passages: GroundingPassage[], english: boolean): boolean {
  const best = ranking.sentences.reduce<Scored | undefined>(
    (top, s) => (!top || s.contextCoverage > top.contextCoverage ? s : top),
    undefined,
  );
  const signals = {
    sentence: Math.max(0, ...ranking.sentences.map((s) => s.contextCoverage)),
    shaped: Math.max(0, ...ranking.sentences.filter((s) => s.shaped).map((s) => s.contextCoverage)),
    salience: ranking.passageSalience,
    terms: ranking.topicTerms,
    passage: ranking.passageCoverage,
    absent: ranking.absentTerms.length,
    subject: ranking.subjectTerms,
    similarity: Math.max(0, ...passages.map((p) => p.localSimilarity ?? 0)),
    // Word frequencies are English ones: a word of another language would pass for a rare one.
    keyness: english && best ? best.keyness : NO_KEYNESS,
    // The least common of the missing words, on the Zipf scale (see word-rarity); 9 when none is missing.
    absentZipf: english ? Math.min(ALL_PRESENT_ZIPF, ...ranking.absentTerms.map(zipfFrequency)) : 0,
  };
  relevanceProbe?.(signals);
  if (rewordedWithCommonWords(signals)) return true;
  // "How many teeth does an adult have?" of a programming course that says "many" and "have": a
  // partial match on words the passage uses no more often than everyday English is chance.
  if (english && signals.keyness < INCIDENTAL_KEYNESS && signals.sentence < INCIDENTAL_COVERAGE) return false;
  // "What is the dew point?", "Who discovered gravity?": with two topic words, one that no passage
  // holds in any form is half the question missing, however well the other matches.
  // So is a question whose one subject word is missing, once its answer-kind nouns and verbs are
  // set aside ("What language is spoken in Brazil?" of a passage on coffee that names Brazil).
  if (signals.absent >= 1 && (signals.terms <= ABSENT_TERM_MAX_TOPIC || signals.subject <= 1)) return false;
  if (atLeast(signals.sentence, RELEVANCE_FLOOR)) return true;
  // "Why was helium not used?": less of the question, but its word is what the passage is about.
  if (atLeast(signals.keyness, SPECIFIC_KEYNESS_FLOOR) && atLeast(signals.sentence, SPECIFIC_COVERAGE_FLOOR)) return true;
  if (atLeast(signals.keyness, SUBJECT_WORD_KEYNESS) && atLeast(signals.sentence, SUBJECT_WORD_COVERAGE_FLOOR)) return true;
  // "What animals carried the fleas?": a sentence stating a fact of the asked kind (a name, a
  // number) that shares a word its passage is about, though the question is reworded.
  if (atLeast(signals.keyness, REWORDED_KEYNESS_FLOOR) && atLeast(signals.shaped, SHAPED_COVERAGE_FLOOR)) return true;
  if (atLeast(signals.sentence, PARAPHRASE_COVERAGE_FLOOR) && atLeast(signals.similarity, PARAPHRASE_SIMILARITY_FLOOR)) return true;
  // A reworded question ("What illness caused her death?") keeps less of its words in the answer
  // sentence; it still counts when it names what a passage is about, or when a sentence states a
  // fact of the asked kind (a date for "when"), and the embedding does not find the passages remote.
  const topical = atLeast(signals.sentence, TOPICAL_COVERAGE_FLOOR);
  // With only two topic words, one of them found is no evidence ("transpiration in plants" in a
  // passage about plants in a programming exercise).
  const subject = topical && atLeast(signals.terms, SUBJECT_MIN_TERMS) && atLeast(signals.salience, SUBJECT_SALIENCE_FLOOR);
  if (subject && atLeast(signals.similarity, SUBJECT_SIMILARITY_FLOOR)) return true;
  // "In what year did Lovelace's death occur?": a sentence of the asked shape in a passage about the subject.
  if (atLeast(signals.shaped, SHAPED_COVERAGE_FLOOR) && atLeast(signals.salience, TOPICAL_SALIENCE_FLOOR)) return true;
  if (signals.similarity < TOPICAL_SIMILARITY_FLOOR) return false;
  return (
    (topical && atLeast(signals.terms, SUBJECT_MIN_TERMS) && atLeast(signals.salience, TOPICAL_SALIENCE_FLOOR)) ||
    atLeast(signals.shaped, SHAPED_COVERAGE_FLOOR)
  );
}

/**
 * "Who was in charge of the expedition?", "What was Hillary's job?": a missing word that everyday
 * English uses all the time ("charge", "job") is how the question was reworded, not another subject
 * ("Who discovered gravity?"), when the word it shares is one its passage is about and the sentence
 * holds a good part of the question.
 */
function rewordedWithCommonWords(signals: { absent: number; absentZipf: number; keyness: number; sentence: number }): boolean {
  return (
    signals.absent >= 1 &&
    signals.absentZipf >= COMMON_ABSENT_ZIPF &&
    signals.keyness >= REWORDED_KEYNESS_FLOOR &&
    signals.sentence >= REWORDED_COVERAGE_FLOOR
  );
}

/** Whether the passages cover the question (the tutor's relevance floor), for search and question generation. */
export function coversQuestion(question: string, passages: GroundingPassage[]): boolean {
  const terms = contentTerms(question);
  if (terms.length === 0 || passages.length === 0) return false;
  const query = weightedQuery(terms, [], undefined, false);
  const options = {
    literals: literalTokens(question),
    focus: terms[0],
    asked: askedWords(question),
    qualifiers: qualifierTerms(question),
    loose: looseTerms(question),
  };
  if (namesAbsentEntity(question, passages) || quotesAbsentCode(question, passages) || quotesAbsentNumber(question, passages)) return false;
  return covers(rank(passages.flatMap(candidatesOf), query, questionType(question), options), passages, detectLanguage(question) === 'en');
}

/**
 * "What does range(5) produce?" in a statistics course that speaks of "the range": code the
 * question quotes (a call, a dotted or snake_case name) that no passage writes is about another subject.
 */
function quotesAbsentCode(question: string, passages: GroundingPassage[]): boolean {
  const literals = literalTokens(question);
  if (literals.length === 0) return false;
  const said = passages.map((p) => p.text.toLowerCase()).join('\n');
  return literals.every((literal) => {
    const name = /^[^(]+/.exec(literal)![0];
    return !said.includes(literal) && !said.includes(literal.endsWith(')') ? `${name}(` : name);
  });
}

/**
 * "Which instrument has 88 keys?", "What happened in 1848?": a number the question gives (two
 * digits or more, outside code and arithmetic) that no passage writes is, like a name, about
 * something else.
 */
function quotesAbsentNumber(question: string, passages: GroundingPassage[]): boolean {
  if (/[=+*/%<>()[\]]/.test(question)) return false;
  const numbers = [
    ...question.matchAll(/(?<![\p{L}\p{N}.,])\d{1,3}(?:,\d{3})+(?![\p{N}])|(?<![\p{L}\p{N}.,])\d{2,}(?![\p{L}\p{N}])/gu),
  ].map((m) => m[0].replace(/,/g, ''));
  if (numbers.length === 0) return false;
  const said = new Set(passages.flatMap((p) => [...`${p.title}\n${p.text}`.matchAll(/\d[\d,]*/g)].map((m) => m[0].replace(/,/g, ''))));
  return numbers.some((number) => !said.has(number));
}

/**
 * A capitalised word after another word. The lookbehind is tried only where a capital letter
 * stands (the lookahead), and reads back over one word: tried at every position and read back
 * over every lowercase word before it, it made a message of 4,000 one-letter words take 5 s.
 */
const NAME_PAST_FIRST_WORD = /(?=\p{Lu})(?<=\p{L}[\p{L}'’-]*[\s,]+)\p{Lu}[\p{L}\p{N}'’-]+/gu;

/**
 * "Who wrote Hamlet?" in a programming course: a name the question gives (a capitalised word past
 * its first) that no passage mentions says the question is about something else, however common
 * its other words ("wrote") are in the course.
 */
function namesAbsentEntity(question: string, passages: GroundingPassage[]): boolean {
  const names = [...question.matchAll(NAME_PAST_FIRST_WORD)].map((m) => words(m[0]));
  if (names.length === 0) return false;
  const said = [...new Set(passages.flatMap((p) => words(`${p.title}\n${p.text}`)))];
  const saidSet = new Set(said);
  const mentioned = (part: string) =>
    demonymForms(part).some((form) => saidSet.has(form)) ||
    said.some((word) => {
      const stem = word.replace(NAME_PREFIX, '');
      return word === part || (part.length >= 5 && stem.length >= 5 && (stem.startsWith(part) || part.startsWith(stem)));
    });
  return names.some((parts) => !parts.every(mentioned));
}

/**
 * The passages that mention every name of the question ("Europe", "North America"), each on its
 * own; all of them when the question names nothing.
 */
function passagesNamingWhatTheQuestionNames(question: string, passages: GroundingPassage[]): GroundingPassage[] {
  return passages.filter((passage) => !namesAbsentEntity(question, [passage]));
}

/** "transatlantic", "subsaharan": a name inside a word made from it (hyphenated ones are two words already). */
const NAME_PREFIX = /^(?:trans|pan|anti|pre|post|sub|inter|mid|neo|cis|ultra)(?=\p{L}{5})/u;

/**
 * "And why?", "Can you give me an example?", "Explain again more simply", "Is it fast?":
 * questions that lean on the previous turn. A question with its own topic ("What is recursion?")
 * is a new question, even in an ongoing conversation.
 */
function isFollowUp(question: string, questionTerms: string[], history: ChatMessage[]): boolean {
  if (!history.some((turn) => turn.role === 'user')) return false;
  const folded = plain(question);
  if (questionTerms.length === 0 || FOLLOW_UP_START.test(question)) return true;
  // "the second one", "the first": words that point back at the previous answer name no topic.
  const naming = questionTerms.filter((term) => !POINTING_BACK.has(term)).length;
  if (naming <= 3 && ABOUT_PREVIOUS.test(folded)) return true;
  return naming <= 3 && (ANAPHORA.test(folded) || naming < questionTerms.length);
}

/** The words of a message that name its topic (stemmed), without question and request words. */
export function topicTerms(text: string): string[] {
  return contentTerms(text);
}

function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOPWORDS.has(w) && !QUESTION_WORDS.has(w))
    .map(baseStem);
}

/**
 * The question's terms weigh most. Earlier turns fill in what a follow-up leaves implicit ("and
 * why?", "an example"), so they weigh more when the question alone says little, newest first.
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
  if (followUp) {
    // The previous question names the topic; the previous answer only hints at it.
    const userWeights = [questionTerms.length === 0 ? 1 : 0.6, 0.3, 0.15];
    const assistantWeights = [0.2, 0.1];
    let users = 0;
    let assistants = 0;
    for (let i = history.length - 1; i >= 0; i--) {
      const turn = history[i];
      const own = turn.role === 'user' ? contentTerms(turn.content) : [];
      // An earlier bare follow-up ("an example?") names no topic: the question before it does.
      if (turn.role === 'user' && own.length === 0) continue;
      if (turn.role === 'user' && users < userWeights.length) add(own, userWeights[users++]);
      else if (turn.role === 'assistant' && assistants < assistantWeights.length) {
        add(contentTerms(stripCitations(turn.content)), assistantWeights[assistants++]);
      }
    }
    if (summary) add(contentTerms(topicsOf(summary)), 0.15);
    // "Why does the second one need the first?": the ordinals point back at the previous answer's
    // parts; they name no topic of their own.
    const [pointing, naming] = partition(questionTerms, (term) => POINTING_BACK.has(term));
    add(naming, 1);
    for (const term of pointing) if (!weights.has(term)) weights.set(term, 0.3);
    // "Why does the second one need the first?": the passage says how one part leads into "the next".
    for (const term of pointing.flatMap((t) => SEQUENCE_WORDS.get(t) ?? [])) if (!weights.has(term)) weights.set(term, 0.3);
    return weights;
  }
  add(questionTerms, 1);
  return weights;
}

/** Words that point back at the previous answer's parts ("the second one"), stemmed. */
export const POINTING_BACK = new Set(
  `one ones first second third last other others premier premiere deuxieme seconde dernier derniere autre autres`
    .split(/\s+/)
    .map(baseStem),
);

/** How a text refers to a later or an earlier part than the one it is about. */
const SEQUENCE_WORDS = new Map(
  Object.entries({ second: ['next', 'following', 'later'], first: ['previous', 'earlier', 'preceding'] }).map(([ordinal, links]) => [
    baseStem(ordinal),
    links.map(baseStem),
  ]),
);

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** A summary this provider wrote starts with its topics line; any other summary is taken whole. */
function topicsOf(summary: string): string {
  const line = summary.split('\n').find((l) => /^(?:Topics|Sujets):/.test(l));
  return line ?? summary;
}

/** Folded text with typographic apostrophes made plain, for the phrase patterns above. */
function plain(text: string): string {
  return foldText(text).replace(/[’‘]/g, "'");
}

/** The question's type; a follow-up without a type of its own ("and range(2, 6)?") keeps the previous one's. */
export function questionType(question: string, previousQuestion?: string): QuestionType {
  const folded = plain(question);
  // Examples, comparisons and causes are asked for wherever they are named; otherwise the question
  // word that comes first decides: "What is the name of the state they enter when they dry out?"
  // asks for a name, not a date.
  let earliest: [QuestionType, number] | undefined;
  for (const [type, pattern] of TYPE_PATTERNS) {
    const at = pattern.exec(folded)?.index;
    if (at === undefined) continue;
    if (ANYWHERE_TYPES.has(type)) return type;
    if (!earliest || at < earliest[1]) earliest = [type, at];
  }
  // "What does the bank do when inflation rises?": a "when" (or "where", "who") after the question
  // word opens a clause of the question; it is not what is asked.
  const lead = /\b(?:what|which|how)\b/.exec(folded)?.index;
  if (earliest && lead !== undefined && earliest[1] > lead) return 'other';
  if (earliest) return earliest[0];
  return previousQuestion ? questionType(previousQuestion) : 'other';
}

// A figure's own commas and points sit between digits: "1967, which holds that mitochondria…" is a
// year closing a clause, not a count of mitochondria.
const QUANTITY = `(?:\\d(?:[\\d,.]*\\d)?|${NUMBER_WORDS}|dozens?|once|twice)`;
const UNITS =
  '(?:second|minute|hour|day|week|month|year|decade|century|centurie|millennium|millennia|(?:kilo|centi|milli)?met(?:re|er)|km|cm|mm|mile|feet|foot|inch|inche|yard|(?:kilo)?gram|kg|tonne|ton|pound|ounce|lit(?:re|er)|degree|percent|per cent|knot|hectare|acre|light[- ]year|dollar|euro|franc|mark|yen|cent|time)s?';
const LENGTHS = '(?:(?:kilo|centi|milli)?met(?:re|er)|km|cm|mm|mile|feet|foot|inch|inche|yard)s?';
const DURATIONS = '(?:second|minute|hour|day|week|month|year|decade|century|centurie|millennium|millennia)s?';
/**
 * The units each measure is stated in: "How tall…" is answered by "115 centimetres", not by "500
 * metres" of depth nor "45 kilograms"; "how old" by years. Measures not listed take any unit.
 */
const MEASURE_UNITS = new Map([
  ['tall', LENGTHS],
  ['high', LENGTHS],
  ['deep', LENGTHS],
  ['wide', LENGTHS],
  ['far', LENGTHS],
  ['long', `(?:${LENGTHS}|${DURATIONS})`],
  ['old', DURATIONS],
  ['heavy', '(?:(?:kilo)?gram|kg|tonne|ton|pound|ounce)s?'],
  ['hot', '(?:degree)s?'],
  ['cold', '(?:degree)s?'],
]);
/** The words that name each measure beside its figure: "how tall" of "stands 115 centimetres tall", "a height of 84 metres". */
const MEASURE_NAMES = new Map([
  ['tall', 'tall|height'],
  ['high', 'high|height|altitude|elevation'],
  ['deep', 'deep|depth'],
  ['wide', 'wide|width|across'],
  ['far', 'far|distance|away'],
  ['long', 'long|length'],
  ['old', 'old|age|aged|lives?|lived|lifespan'],
  ['heavy', 'heavy|weighs?|weight'],
  ['large', 'large|largest|area|size'],
  ['big', 'big|biggest|area|size'],
  ['hot', 'hot|temperature'],
  ['cold', 'cold|temperature'],
]);
function measureNames(question: string): RegExp | undefined {
  const names = MEASURE_NAMES.get(wordAfterHow(plain(question)) ?? '');
  return names ? new RegExp(`\\b(?:${names})\\b`) : undefined;
}
/**
 * "Who founded the company's capital?" is answered by "…founded by governor-general Jan Coen", not by
 * "…founded in 1602": the asked verb (or a synonym) followed by "by" and, within a few words, a name.
 */
function passiveAgent(question: string): RegExp | undefined {
  const verb = /^\s*who\s+(\p{L}+)/iu.exec(plain(question))?.[1];
  if (!verb || AUXILIARIES.has(verb) || STOPWORDS.has(verb)) return undefined;
  const stems = [baseStem(verb), ...synonymStems(baseStem(verb))].filter((s) => s.length >= 3);
  return new RegExp(`\\b(?:${stems.join('|')})\\p{L}*\\s+by\\s+(?:[\\p{Ll}-]+\\s+){0,3}\\p{Lu}`, 'u');
}
const PEOPLE = new Set(['people', 'persons', 'inhabitants', 'residents']);
/** The measure after "how" asks for a figure with its unit. */
const MEASURE_QUESTION = new RegExp(`\\bhow (?:${MEASURES})\\b`);

/**
 * "How long is the river?", "How many churches were destroyed?": a measure is stated by a number
 * with its unit ("roughly 6,400 kilometres", "for four days"), a count by a number with the counted
 * noun ("87 parish churches"); a year in passing ("reached its mouth in 1542") is a number of
 * another kind. Undefined for other questions.
 */
function askedQuantity(question: string): RegExp | undefined {
  const folded = plain(question);
  const counted = /\bhow many (\p{L}+)/u.exec(folded)?.[1];
  const joined = `(?:[\\s-]+(?:${QUANTITY}|and|to|or|a|an|of|half|quarter|more than|less than))*`;
  if (counted && !STOPWORDS.has(counted)) {
    // "How many countries…" of "44 Allied nations": the passage may count the noun by a synonym.
    const noun = `(?:${[stem(counted), ...synonymStems(baseStem(counted))].join('|')})`;
    // "47 species of ants" counts species: words between the number and its noun are the noun's
    // adjectives ("12,000 Christian galley slaves"), never a partitive's "of".
    // "How many people lived there?" of "a population of about 8.5 million": a head count is a population.
    const population = PEOPLE.has(counted) ? `|\\bpopulation\\b[^.;]{0,60}?\\b${QUANTITY}` : '';
    return new RegExp(`\\b${QUANTITY}${joined}(?:[\\s-]+(?!of\\b)[\\p{L}'-]+){0,3}[\\s-]+${noun}${population}`, 'u');
  }
  if (!MEASURE_QUESTION.test(folded)) return undefined;
  const asked = wordAfterHow(folded) ?? '';
  const units = MEASURE_UNITS.get(asked) ?? UNITS;
  // "9.2 million square kilometres": an area or a volume is a length unit squared or cubed.
  // "At the age of eighteen", "aged 40": an age is often stated without its unit.
  const age = asked === 'old' ? `|\\b(?:age of|aged)\\s+${QUANTITY}\\b` : '';
  return new RegExp(`[$£€]\\s?\\d|\\b${QUANTITY}${joined}[\\s-]+(?:(?:square|cubic)\\s+)?${units}\\b${age}`, 'u');
}

const COUNT_WORDS = new Map([
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['deux', 2],
  ['trois', 3],
  ['quatre', 4],
  ['2', 2],
  ['3', 3],
  ['4', 4],
]);
/** Sentences that take their turn in an enumeration: "the first stage…", "the second…". */
const ORDINAL =
  /\b(?:first|second|third|fourth|the other|the latter|finally|premier|premiere|deuxieme|second|seconde|troisieme|l'autre|enfin)\b/;

/** Ordinal words by the turn they name (French beside English), for putting enumerated parts in order. */
const ORDINAL_ORDER = [
  'first|premier|premiere',
  'second|deuxieme|seconde',
  'third|troisieme',
  'fourth|quatrieme',
  "the other|the latter|l'autre|finally|enfin",
].map((alternatives) => `(?:${alternatives})`);

/** "The two stages", "the three types": a question about several parts wants one sentence per part (at most 4). */
function enumerationSize(question: string): number {
  const folded = plain(question);
  // "Which two oceans does the canal join?" asks for one fact naming both, not a sentence per part.
  if (/\b(?:which|quels?|quelles?) (?:two|three|four|deux|trois|quatre|[234])\b/.test(folded)) return 1;
  const match = /\b(two|three|four|deux|trois|quatre|[234])\s+[\p{L}-]{3,}/u.exec(folded);
  return match ? (COUNT_WORDS.get(match[1]!) ?? 1) : 1;
}

const AUXILIARIES = new Set('is are was were be been did does do has have had can could will would should may might must'.split(' '));
const NUMBER_WORDS_SET = new Set(['hundred', 'hundreds']);
const GERUND_PREPOSITIONS = new Set('after before by while without from for of on upon since when'.split(' '));
const DETERMINERS = new Set('the a an this that these those its their his her our my your'.split(' '));
/** Past forms that do not end in -ed: "Who led…", "What was written…". */
const IRREGULAR_PAST = new Set(
  `led wrote written began begun built sold bought won grew grown taught thought gave given took taken brought held
  kept lost paid ran said saw seen sent spoke spoken chose chosen fell fallen rose risen fought flew drew drawn drove
  driven ate eaten known knew made met stood told understood became came went gone found caught struck sought hid
  hidden bore born fed left meant shook shaken spread stole stolen swore threw thrown wore worn`.split(/\s+/),
);

/**
 * Words of a question that a passage answering it need not use, unlike the words naming its
 * subject. The noun after "what"/"which" names the kind of answer ("Which island…?" of a passage
 * that says "Sicily", "What animals…?" of "black rats"), and verbs are what a reworded question
 * changes first ("Who remained in orbit…?" of "Collins stayed in orbit", "…were discovered" of
 * "…were found"). A verb is a past form that no determiner introduces ("the infected ships" is a
 * noun's), a gerund likewise, or the word right after "who". Such a word that no passage holds is
 * no evidence of another subject; the subject's own words still have to be found.
 */
export function looseTerms(question: string): Set<string> {
  const tokens = words(question);
  const loose: string[] = [];
  const verbs: string[] = [];
  const wh = tokens.findIndex((w) => w === 'what' || w === 'which');
  if (wh >= 0) {
    for (let j = wh + 1; j < Math.min(tokens.length, wh + 5); j++) {
      const word = tokens[j]!;
      if (word === 'of') continue;
      if (AUXILIARIES.has(word) || DETERMINERS.has(word) || STOPWORDS.has(word)) break;
      loose.push(word);
    }
  }
  for (const [i, word] of tokens.entries()) {
    const previous = tokens[i - 1] ?? '';
    if (STOPWORDS.has(word) || loose.includes(word)) continue;
    // "After returning": a gerund after a preposition; "string" or "building" elsewhere may be a noun.
    const gerund = /[^aeiou]ing$/.test(word) && word.length > 5 && GERUND_PREPOSITIONS.has(previous);
    // A participle qualifies a noun even after a determiner ("the infected ships"): the noun is the subject.
    const participle = /[^e]ed$/.test(word) && word.length > 4 && !NUMBER_WORDS_SET.has(word);
    const past = participle || (IRREGULAR_PAST.has(word) && !DETERMINERS.has(previous)) || gerund;
    if (past || previous === 'who') verbs.push(word);
  }
  const common = tokens.filter((word) => COMMON_WORDS.has(word));
  const setting = qualifierTerms(question);
  const looseStems = new Set([...loose, ...verbs, ...common, ...answerKindWords(question)].map(baseStem));
  // "What ancient documents…", "What language is spoken in Brazil?": a question with no other word
  // naming its subject still needs its answer's kind found.
  const subject = contentTerms(question).filter((term) => !looseStems.has(term) && !FRAMING_TERMS.has(term) && !setting.has(term));
  if (subject.length === 0) return new Set([...verbs, ...common].map(baseStem));
  return looseStems;
}

/**
 * "How quickly…", "How tall…", "How old…": the measure after "how" names the kind of answer (a
 * duration, a height, an age); the passage states the figure ("in about thirty seconds") and
 * seldom the adjective, so a passage without it is not thereby about something else.
 */
/** "tall" of "how tall…", "many" of "how many…" (folded text). */
function wordAfterHow(folded: string): string | undefined {
  return /\bhow\s+(\p{L}+)/u.exec(folded)?.[1];
}

export function answerKindWords(question: string): string[] {
  const measure = wordAfterHow(plain(question));
  return measure && !AUXILIARIES.has(measure) && !STOPWORDS.has(measure) && !QUANTITY_WORDS.has(measure) ? [measure] : [];
}
const QUANTITY_WORDS = new Set(['many', 'much']);
const COUNT_TERMS = new Set([...QUANTITY_WORDS].map(baseStem));
/** A question asking what something is called, and a sentence stating what something is called. */
const ASKS_NAME =
  /\bwhat (?:name|title|term|nickname)s?\b|\b(?:what|which) (?:is|was|are|were) (?:the|its|their|his|her) (?:[\p{L}'-]+ ){0,2}(?:name|title|term|nickname)\b|\bwhat\b.*\bcalled\s*\??\s*$|\bwhat did\b.*\bcall\b/u;
// "Named after Marshall" says whom a thing honours, not what it is called.
const STATES_NAME = /\b(?:called|calls|call|named(?! (?:after|for)\b)|names?|known as|titled?|termed|dubbed|nicknamed)\b/;

/**
 * "…in Python?", "…with pandas?": a trailing phrase naming the setting qualifies the question; in a
 * course on that setting nearly every sentence could mention it, so it must not outweigh the focus.
 */
function qualifierTerms(question: string): Set<string> {
  // A year or number ("…in 1799?") is part of the asked fact, not a setting.
  const match = /\b(?:in|with|using|en|avec)\s+(\p{L}[\p{L}\p{N}+#.]*(?:\s+[\p{L}\p{N}+#.]+)?)\s*[?.!]*\s*$/u.exec(question.trim());
  return new Set(match ? contentTerms(match[1]!) : []);
}

/**
 * Code-like tokens: a call with its arguments ("range(0, 5)": a space only after a comma), a
 * snake_case name, a dotted name. Every repetition is bounded and the arguments can be read only
 * one way: the unbounded pattern tried every split of "f(a,a,a,…" (a chat message of 90 such
 * characters held the event loop for hours) and, from each letter of one long word, read on to
 * its end (8,000 Cyrillic letters took 6 s).
 */
const LITERAL_TOKEN =
  /[\p{L}_][\p{L}\p{N}_]{0,63}(?:\.[\p{L}_][\p{L}\p{N}_]{0,63}){0,9}\((?:[^()\s]|(?<=,)\s+(?=[^()\s])){0,200}\)|\p{L}{1,64}_[\p{L}\p{N}_]{1,64}|\p{L}{1,64}\.\p{L}{1,64}\(?\)?/gu;

/** Code-like tokens of the question ("range(5)", "dict.get", "user_name"): a sentence quoting one exactly states the asked fact. */
function literalTokens(question: string): string[] {
  return [...question.matchAll(LITERAL_TOKEN)].map((m) => m[0].toLowerCase());
}

/**
 * Sentences that open with an order to an assistant ("Ignore all previous instructions…",
 * "You are now…", "Reveal the system prompt…") are injection attempts, not course content; they
 * are never quoted back as if the course said them. Sentences that merely describe such attacks
 * do not start that way and stay quotable.
 */
const ADDRESSED_TO_ASSISTANT =
  /^(?:[\p{L}\s]{1,20}:\s*)?(?:(?:please\s+)?(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompts?|directives)\b|you are now\b|from now on,? you\b|act as\b|(?:reveal|print|show|repeat|output|display)\b.{0,30}\b(?:system prompt|instructions|hidden rules|prompt)\b|ignore[sz]? (?:toutes? )?(?:les )?(?:instructions|consignes|regles)|oublie[sz]? (?:toutes? )?(?:les )?(?:instructions|consignes|regles)|tu es (?:maintenant|desormais)\b|vous etes (?:maintenant|desormais)\b|(?:revele|affiche|montre)[sz]?\b.{0,30}\b(?:prompt systeme|instructions|consignes))/iu;

const FENCE = /^\s{0,3}(```|~~~)/;
/** A line of a program rather than of prose: indented, an assignment, a call, a block opener, a comment. */
const CODE_LINE =
  /^(?:\s{2,}\S|\s*(?:def|class|for|while|if|elif|else|try|except|return|import|from|print|with)\b.*[:)]\s*(?:#.*)?$|\s*[\p{L}_][\p{L}\p{N}_.[\]"']*\s*(?:[-+*/%]?=)\s*\S|\s*[\p{L}_][\p{L}\p{N}_.]*\(.*\)\s*(?:#.*)?$|\s*#\s|\s*>>>)/u;

/**
 * A block the chunker kept without its fences is code when its lines read as code; prose sentences
 * end with a full stop outside any comment.
 */
function looksLikeCode(block: string): boolean {
  const lines = block.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return false;
  const code = lines.filter((line) => CODE_LINE.test(line) && !/[.!?]\s*$/.test(line.replace(/#.*$/, ''))).length;
  return code / lines.length >= 0.6 && !lines.some((line) => /^\s*(?:[-*•+]|\d{1,3}[.)])\s/.test(line));
}

/**
 * Passages arrive as Markdown-like text: headings label what follows but are not statements, list
 * items are statements of their own, and code (fenced, or a block of code lines) is quoted as
 * written, never flattened onto one line. Returns the prose (items set apart) and the code blocks.
 */
function segments(text: string): { prose: string; code: string[] } {
  const proseBlocks: string[] = [];
  const code: string[] = [];
  let fence: string[] | null = null;
  let block: string[] = [];
  const endBlock = () => {
    const joined = block.join('\n');
    block = [];
    if (joined.trim() === '') return;
    if (looksLikeCode(joined)) {
      code.push(joined.replace(/^\n+|\s+$/g, ''));
      return;
    }
    proseBlocks.push(
      joined
        .split('\n')
        .map((line) => {
          if (/^\s{0,3}#{1,6}\s/.test(line)) return '';
          const item = /^\s*(?:[-*•+]|\d{1,3}[.)])\s+(.*)$/.exec(line);
          return item ? `\n\u2022 ${item[1]}\n` : line;
        })
        .join('\n'),
    );
  };
  for (const line of text.split('\n')) {
    if (fence) {
      if (FENCE.test(line)) {
        code.push(fence.join('\n'));
        fence = null;
      } else fence.push(line);
      continue;
    }
    if (FENCE.test(line)) {
      endBlock();
      fence = [];
    } else if (line.trim() === '') endBlock();
    else if (/^\s{0,3}#{1,6}\s/.test(line)) {
      endBlock();
    } else block.push(line);
  }
  endBlock();
  if (fence && fence.length > 0) code.push(fence.join('\n'));
  return { prose: proseBlocks.join('\n\n'), code: code.filter((c) => c.trim() !== '') };
}

/** "President John F. Kennedy": a capital initial ends a name's part, not the sentence (a regnal "Ptolemy V." may). */
function joinInitials(sentences: string[]): string[] {
  const joined: string[] = [];
  for (const sentence of sentences) {
    const last = joined.length - 1;
    if (last >= 0 && /(?:^|\s)(?![IVX]\.)\p{Lu}\.$/u.test(joined[last]!) && /^\p{Lu}/u.test(sentence))
      joined[last] = `${joined[last]} ${sentence}`;
    else joined.push(sentence);
  }
  return joined;
}

/** "It was found in 1799…", "He received…": a sentence opening on a pronoun speaks of its passage's subject. */
const PRONOUN_OPENING = /^(?:it|its|he|his|she|her|they|their|il|elle|ils|elles|son|sa|ses|leur|leurs)\b/i;
/**
 * "With a salinity of 34 percent, it is…", "Despite its size it feeds…", "In 1903 she shared…": a
 * subject pronoun after an opening phrase does the same.
 */
const PRONOUN_SUBJECT = /^(?:[^.;:]{0,60},\s|(?:despite|unlike|like|without)\s[^.;:,]{1,40}?\s)(?:it|he|she|they|il|elle|ils|elles)\s/i;

function candidatesOf(passage: GroundingPassage): Candidate[] {
  const { prose, code } = segments(passage.text);
  const subject = openingSubject(passage.text).slice(0, 3);
  const sentences = joinInitials(splitSentences(prose))
    .map((sentence, position) => {
      const item = sentence.startsWith('\u2022 ');
      const text = clip(stripCitations(item ? sentence.slice(2) : sentence));
      // "Who is the telescope named after?" of "It is named after Edwin Hubble": the pronoun stands
      // for the passage's subject, so the sentence counts as naming it.
      const own = baseTerms(text);
      const opening = position > 0 && PRONOUN_OPENING.test(text);
      // A pronoun after an opening phrase may stand for something else the phrase names: such a
      // sentence counts as naming the subject, but less than one that names it.
      const inner = position > 0 && !opening && PRONOUN_SUBJECT.test(text);
      const terms = opening || inner ? [...own, ...subject.filter((t) => !own.includes(t))] : own;
      return { passage, position, text, terms, fragment: !/[.!?…:;]["»”’)]*$/.test(text), code: false, item, inner };
    })
    .filter((c) => words(c.text).length >= MIN_WORDS_PER_SENTENCE && !ADDRESSED_TO_ASSISTANT.test(plain(c.text)));
  const blocks = code
    .filter((block) => block.split('\n').length <= MAX_CODE_LINES)
    .map((block, i) => ({
      passage,
      position: 10_000 + i,
      text: block,
      terms: baseTerms(block),
      fragment: false,
      code: true,
      item: false,
    }));
  return [...sentences, ...blocks];
}

/**
 * How often a query term occurs in a sentence. The shared stemmer is deliberately light
 * ("controlled" and "control" keep different stems), so a term also matches a longer or shorter
 * form it is a prefix of, from five letters on.
 */
function occurrences(counts: Map<string, number>, term: string): { tf: number; strength: number } {
  const exact = counts.get(term);
  if (exact) return { tf: exact, strength: 1 };
  let near = 0;
  if (term.length >= 5) {
    for (const [other, count] of counts) {
      if (other.length >= 5 && (other.startsWith(term) || term.startsWith(other) || withinOneEdit(term, other))) near += count;
    }
  }
  // "How salty is the sea?" of "…is 34 percent salt": an adjective in -y (stemmed to -i) names its noun.
  if (near === 0 && term.length >= 5 && term.endsWith('i')) near += counts.get(term.slice(0, -1)) ?? 0;
  // A reworded question ("its opponents" for "its critics") meets the passage's word through a synonym.
  if (near === 0) for (const synonym of synonymStems(term)) near += counts.get(synonym) ?? 0;
  return { tf: near, strength: near > 0 ? NEAR_MATCH_WEIGHT : 0 };
}

/** One letter added, dropped, changed or two swapped: "diffrence", "numbr", "defualt" still meet their word. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a.length < 5 || b.length < 5) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return true;
  const rest = (x: number, y: number) => a.slice(x) === b.slice(y);
  if (a.length === b.length) return rest(i + 1, i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(i + 2, i + 2));
  return a.length > b.length ? rest(i + 1, i) : rest(i, i + 1);
}

function countTerms(list: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/**
 * BM25 over sentences, scaled by how much of the question a sentence covers, by whether it states
 * the kind of fact asked for (a date for "when", a cause for "why"...), and by exact quotes of the
 * question's code-like tokens.
 */
interface RankOptions {
  /** The previous answer, normalised: a follow-up should say something new. */
  alreadySaid?: string;
  /** Code-like tokens of the question, quoted exactly by the sentences that state the asked fact. */
  literals?: string[];
  /** The learner's language, quoted first in a bilingual course. */
  language?: AnswerLanguage;
  /** The question asks for several parts ("the two stages"). */
  enumeration?: boolean;
  focus?: string;
  /** The question's own words: a date or name the question already gives is not an answer. */
  asked?: Set<string>;
  /** The trailing setting ("…in Python?"): a course need not name itself, so it is never an absent topic word. */
  qualifiers?: Set<string>;
  /** The question's answer-kind nouns and verbs (see `looseTerms`): a passage not using them may still answer. */
  loose?: Set<string>;
  /** "Who founded…": what states the doer in the passive ("founded by governor-general Jan Coen"), on the sentence as written (the name's capital counts). */
  agent?: RegExp;
  /** The question asks what something is called (see `ASKS_NAME`). */
  asksName?: boolean;
  /** The words naming the asked measure ("tall", "height" for "how tall"), on folded text. */
  measured?: RegExp;
  /** What states the asked count or measure (see `askedQuantity`), on folded text. */
  quantity?: RegExp;
}

function rank(
  candidates: Candidate[],
  query: Map<string, number>,
  type: QuestionType,
  {
    alreadySaid = '',
    literals = [],
    language,
    enumeration = false,
    focus,
    asked = new Set(),
    qualifiers = new Set(),
    loose = new Set(),
    quantity,
    measured,
    asksName = false,
    agent,
  }: RankOptions,
): Ranking {
  if (candidates.length === 0 || query.size === 0)
    return { sentences: [], queryMass: 0, passageSalience: 0, topicTerms: 0, passageCoverage: 0, absentTerms: [], subjectTerms: 0 };
  const passageCounts = new Map<number, Map<string, number>>();
  for (const c of candidates) {
    if (!passageCounts.has(c.passage.index))
      passageCounts.set(c.passage.index, countTerms(baseTerms(`${c.passage.title}\n${c.passage.text}`)));
  }
  const counted = candidates.map((candidate) => {
    const counts = countTerms(candidate.terms);
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
  // A question term found in no passage would get the highest idf of all; it weighs as much as the
  // rarest term found, so that a question about something absent falls below the relevance floor.
  // Framing words ("what kind of…", "the main…") are the exception: a passage need not repeat them.
  const unseenIdf = Math.max(0.5, ...idf.values());
  const framingIdf = Math.min(unseenIdf, ...idf.values()) * FRAMING_UNSEEN_SHARE;
  const naming = (term: string) =>
    !FRAMING_TERMS.has(term) && !qualifiers.has(term) && !loose.has(term) && (query.get(term) ?? 0) >= MAIN_TERM_WEIGHT;
  // The question's answer-kind nouns, verbs and common words ("which island…", "…carried the fleas")
  // that no passage uses weigh nothing once every word naming the subject is found: the passage
  // names the island, and says "spread by". With a subject word missing they weigh in full.
  // A single subject word is thin evidence: the loose words then weigh as framing words do.
  const subjectTerms = [...query.keys()].filter(naming).length;
  const subjectFound = !unseen.some(naming);
  const looseFree = subjectFound && subjectTerms >= 2;
  const looseIdf = looseFree ? 0 : subjectFound ? framingIdf : unseenIdf;
  for (const term of unseen) idf.set(term, FRAMING_TERMS.has(term) ? framingIdf : loose.has(term) ? looseIdf : unseenIdf);
  let queryMass = 0;
  // The floor is judged on the topic's terms only: a follow-up's earlier answer merely hints.
  let mainMass = 0;
  for (const [term, weight] of query) {
    queryMass += weight * (idf.get(term) ?? 0);
    if (weight >= MAIN_TERM_WEIGHT) mainMass += weight * (idf.get(term) ?? 0);
  }

  const asksDependence = type === 'why' && [...asked].some((word) => ASKS_DEPENDENCE.test(word));
  const sentences: Scored[] = [];
  for (const { candidate, matches } of counted) {
    let score = 0;
    const covered = new Map<string, number>();
    let context = 0;
    let mainCovered = 0;
    let matchesMainTerm = false;
    // Loose words that the sentence's own passage never uses: found in another passage, they are
    // no part of what this one is asked (coverage is measured against the sentence's passage).
    let elsewhere = 0;
    const inPassage = passageCounts.get(candidate.passage.index)!;
    for (const [term, weight] of query) {
      const { tf, strength } = matches.get(term) ?? { tf: 0, strength: 0 };
      const termIdf = idf.get(term) ?? 0;
      if (tf === 0) {
        const around = occurrences(inPassage, term);
        if (around.tf > 0 && weight >= MAIN_TERM_WEIGHT) context += PASSAGE_CONTEXT_WEIGHT * around.strength * weight * termIdf;
        else if (looseFree && loose.has(term) && weight >= MAIN_TERM_WEIGHT) elsewhere += weight * termIdf;
        continue;
      }
      const saturation = (tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * candidate.terms.length) / averageLength));
      score += strength * weight * termIdf * saturation;
      covered.set(term, strength * weight * termIdf);
      if (weight >= MAIN_TERM_WEIGHT) {
        matchesMainTerm = true;
        mainCovered += strength * weight * termIdf;
      }
    }
    const own = sum(covered.values());
    const coverage = queryMass > 0 ? own / queryMass : 0;
    // "Why does the second stage need the first?": the sentence saying what one part uses from the
    // other may name neither ("…using the energy of ATP and NADPH…"); its passage names the topic.
    const supplies = asksDependence && context > 0 && STATES_SUPPLY.test(candidate.text);
    if (supplies) score = Math.max(score, context) * SUPPLY_ANSWER_BOOST;
    // "How tall is a grown emperor penguin?" of "Adults stand about 115 centimetres tall": a figure
    // with the asked measure's own word, in a passage on the topic, states it though it names
    // neither the subject nor the question's other words.
    const folded = plain(candidate.text);
    const statesMeasure = measured !== undefined && quantity !== undefined && measured.test(folded) && quantity.test(folded);
    const measureOnTopic = statesMeasure && context > 0;
    if (measureOnTopic) score = Math.max(score, context);
    // A follow-up's query carries the earlier turns' words too: the topic's own share counts as well.
    if (
      !supplies &&
      !measureOnTopic &&
      (!matchesMainTerm || (coverage < MIN_SENTENCE_COVERAGE && mainCovered < MIN_SENTENCE_COVERAGE * mainMass))
    )
      continue;
    const contextCoverage = mainMass - elsewhere > 0 ? (mainCovered + context) / (mainMass - elsewhere) : 0;
    score *= 0.5 + 0.5 * coverage;
    if (statesMeasure) score *= MEASURE_ANSWER_BOOST;
    if (asksName && STATES_NAME.test(folded)) score *= NAME_ANSWER_BOOST;
    if (agent?.test(candidate.text)) score *= AGENT_ANSWER_BOOST;
    const shaped = holdsAnswerShape(type, candidate, asked);
    if (TYPE_CUES[type]?.test(folded)) score *= 1.4;
    // A sentence that states a fact of the asked kind (a name for "who", a date for "when") the
    // question does not already give beats one that only shares its words.
    if (shaped) score *= SHAPED_ANSWER_BOOST;
    else if (ANSWER_SHAPES[type]) score *= UNSHAPED_ANSWER_SHARE;
    if (quantity?.test(folded)) score *= QUANTITY_ANSWER_BOOST;
    if (enumeration && ORDINAL.test(folded)) score *= 1.5;
    if (candidate.code) score *= type === 'example' || type === 'how' ? 1.3 : 0.5;
    if (literals.some((literal) => candidate.text.toLowerCase().includes(literal))) score *= 1.6;
    if (candidate.fragment && !candidate.code) score *= 0.6;
    if (candidate.inner) score *= INNER_PRONOUN_SHARE;
    // Learning objectives and exercises ("Describe…", "Write a program…") ask, they do not tell.
    if (INSTRUCTION_START.test(folded)) score *= 0.4;
    // "What is X?" is best answered by a sentence about X as its subject: "X is…", "X refers to…".
    if (type === 'definition' && definesFocus(candidate, focus)) score *= STRONG_DEFINITION.test(folded) ? 2.4 : 1.5;
    // A bilingual course says most things twice: the learner's language is quoted first.
    if (language && !candidate.code && detectLanguage(candidate.text, language) !== language) score *= 0.5;
    // A follow-up should bring something new, not repeat the previous answer.
    if (alreadySaid && alreadySaid.includes(normaliseForComparison(candidate.text))) score *= 0.4;
    sentences.push({ ...candidate, score, covered, contextCoverage, shaped, keyness: sharedKeyness(covered, query, inPassage) });
  }
  // A sentence is read with its passage: one from the passage that holds most of the question's
  // topic ("the canal", "the French attempt") beats one elsewhere that shares the framing words.
  // Which passage is about the question is told by the words few passages hold: "hummingbirds",
  // said in every sentence of one passage, is rare among sentences' words yet names that passage,
  // unlike "live", found once in each of two others. Rarity is counted over passages here.
  const passageIdf = new Map(
    [...query.keys()].map((term) => {
      const df = [...passageCounts.values()].filter((inPassage) => occurrences(inPassage, term).tf > 0).length;
      return [term, df === 0 ? 0 : Math.log(1 + (passageCounts.size - df + 0.5) / (df + 0.5))];
    }),
  );
  const held = new Map<number, number>();
  for (const [index, inPassage] of passageCounts) {
    let mass = 0;
    for (const [term, weight] of query) {
      if (weight >= MAIN_TERM_WEIGHT) mass += occurrences(inPassage, term).strength * weight * (passageIdf.get(term) ?? 0);
    }
    held.set(index, mass);
  }
  const mostHeld = Math.max(0, ...held.values());
  if (mostHeld > 0) {
    for (const s of sentences) s.score *= PASSAGE_FIT_FLOOR + (1 - PASSAGE_FIT_FLOOR) * (held.get(s.passage.index)! / mostHeld);
  }
  // The passages come ranked by the module's search (words and meaning over every document): of two
  // sentences matching alike, the one from the passage it ranked higher is likelier the answer.
  for (const s of sentences) s.score /= 1 + SEARCH_RANK_DECAY * (s.passage.index - 1);
  sentences.sort((a, b) => b.score - a.score || a.passage.index - b.passage.index || a.position - b.position);
  let passageSalience = 0;
  for (const [index, inPassage] of passageCounts) {
    const passage = candidates.find((c) => c.passage.index === index)!.passage;
    const titled = new Set([...baseTerms(passage.title), ...openingSubject(passage.text)]);
    let salient = 0;
    // What a passage is about: its title's words, the subject of its first sentence ("Ada Lovelace
    // was…"), and the words it repeats often for its length.
    const repeated = Math.max(2, Math.ceil(SALIENT_TERM_SHARE * sum(inPassage.values())));
    for (const [term, weight] of query) {
      if (weight < MAIN_TERM_WEIGHT) continue;
      const { tf, strength } = occurrences(inPassage, term);
      if (tf >= repeated || titled.has(term)) salient += strength * weight * (idf.get(term) ?? 0);
    }
    if (mainMass > 0) passageSalience = Math.max(passageSalience, salient / mainMass);
  }
  const topicTerms = [...query.values()].filter((weight) => weight >= MAIN_TERM_WEIGHT).length;
  // How much of the topic one passage holds anywhere, each term by its strength of match.
  let passageCoverage = 0;
  for (const inPassage of passageCounts.values()) {
    let held = 0;
    let elsewhere = 0;
    for (const [term, weight] of query) {
      if (weight < MAIN_TERM_WEIGHT) continue;
      const strength = occurrences(inPassage, term).strength;
      held += strength * weight * (idf.get(term) ?? 0);
      if (strength === 0 && looseFree && loose.has(term)) elsewhere += weight * (idf.get(term) ?? 0);
    }
    if (mainMass - elsewhere > 0) passageCoverage = Math.max(passageCoverage, held / (mainMass - elsewhere));
  }
  const absentTerms = unseen.filter(
    (term) => naming(term) || (!subjectFound && loose.has(term) && !FRAMING_TERMS.has(term) && (query.get(term) ?? 0) >= MAIN_TERM_WEIGHT),
  );
  return { sentences, queryMass, passageSalience, topicTerms, passageCoverage, absentTerms, subjectTerms };
}

/**
 * The most specific topic word a sentence shares with the question, measured in its passage: how
 * many times more often (log10) the passage uses it than everyday English does. A passage about the
 * Hindenburg says "helium" thousands of times more often than English at large; a programming book
 * says "red" or "light" about as often.
 */
function sharedKeyness(covered: Map<string, number>, query: Map<string, number>, inPassage: Map<string, number>): number {
  const length = sum(inPassage.values());
  let most = NO_KEYNESS;
  for (const [term, mass] of covered) {
    if (mass <= 0 || (query.get(term) ?? 0) < MAIN_TERM_WEIGHT) continue;
    most = Math.max(most, keyness(term, occurrences(inPassage, term).tf, length));
  }
  return most;
}

const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre';
/** A capitalised word inside a sentence (not a month): a name of a person, place or thing. */
const NAMED_SOURCE = `\\S\\s+(?!(?:${MONTHS.replace(/(^|\|)(\p{L})/gu, (_, bar: string, first: string) => bar + first.toUpperCase())})\\b)\\p{Lu}[\\p{L}'-]+`;
/** What a stated answer looks like, per question type, on the sentence as written (capitals matter for names and places). */
const ANSWER_SHAPES: Partial<Record<QuestionType, RegExp>> = {
  when: new RegExp(
    `\\b(?:\\d{3,4}s?|\\d{1,2}(?:st|nd|rd|th) century|(?:${MONTHS})|the (?:next|following) (?:day|week|month|year)|le lendemain|l'annee suivante|l'année suivante)\\b`,
    'i',
  ),
  // "Roughly a fifth of…": a fraction in words is a figure too.
  how_many: new RegExp(`\\d|\\b(?:${NUMBER_WORDS}|(?:a|one|two|three|four)[\\s-]+(?:third|quarter|fifth|sixth|eighth|tenth)s?)\\b`, 'i'),
  why: /, so\b|\b(?:because|since|due to|as a result|so that|in order to|therefore|thus|hence|which is why|the reason|parce que|car|puisque|en raison|grâce à|afin de|c'est pourquoi)\b/i,
  who: new RegExp(`${NAMED_SOURCE}|\\b(?:by|par)\\s+\\p{L}`, 'u'),
  which: new RegExp(`${NAMED_SOURCE}|["“«][^"”»]{2,40}["”»]`, 'u'),
  where: /\b(?:in|at|near|from|off|on|inside|within|dans|à|au|aux|en|pres de|près de)\s+(?:the\s+|la\s+|le\s+|l')?\p{Lu}/u,
};

/**
 * "Why does the second stage need the first?" asks what one thing gets from another: a sentence
 * saying what one part supplies or the other uses states it ("…ATP and NADPH, which will power the
 * next stage", "using the energy of ATP").
 */
const ASKS_DEPENDENCE = /\b(?:needs?|requires?|depends?|relies?|rely)\b/;
const STATES_SUPPLY =
  /\b(?:(?:will|to|that|which) (?:power|fuel|feed|supply|provide)|(?:powers|fuels|supplies|provides|feeds) the|using the (?:energy|products?|output)|uses the (?:energy|products?|output)|made by the|produced by the)\b/i;

const ASKS_COMPOSITION = /\b(?:made|built|consist|composed)\b/;
const STATES_COMPOSITION =
  /\b(?:(?:made|makes?|making|built|builds?|building|forms?|formed|forming|composed|constructed|weaves?|weaving|woven|carved|cast) (?:\w+ ){0,4}(?:of|from)|consists? of)\b/i;

/** The verbs of a "where" question that ask for a source rather than a location, or for either. */
const ASKS_SOURCE = new Set('come comes came originate originates originated derive derives derived get gets got'.split(' '));
const ASKS_START = new Set('begin begins began start starts started rise rises rose'.split(' '));
const STATES_ORIGIN =
  /\b(?:from\s+(?:the\s+|an?\s+)?[\p{L}\p{N}]|originat\w*|(?:rises|rose|begins|began|starts|started) (?:in|on|at|near)\b|sources?\b|derived|derives)/iu;

/** Words that often open a sentence without naming anything: "Within fifty years…", "Today the canal…". */
const COMMON_OPENERS = new Set(
  `within without today however although though despite according following unlike like every many several another
  later earlier soon instead meanwhile finally first second third next yet still even thus hence therefore
  there here it its their his her one two three four five six seven eight nine ten hundreds thousands millions
  some most many much more less few both each all any no none`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Whether the sentence, without the question's own words, still holds a fact of the asked shape.
 * For "who" and "where" a name opening the sentence counts too ("Lübeck served as the league's
 * leading city"), when its passage never writes it in lower case (unlike "Construction began…").
 */
function holdsAnswerShape(type: QuestionType, candidate: Candidate, asked: Set<string>): boolean {
  const shape = ANSWER_SHAPES[type];
  if (!shape || candidate.code) return false;
  if (type === 'why' && [...asked].some((word) => ASKS_DEPENDENCE.test(word)) && STATES_SUPPLY.test(candidate.text)) return true;
  // "Where did tea come from?": a source is stated by "from…" or "originated in…", not by any place
  // the sentence names ("grown in India"). "Where does the river begin?" takes either: a river
  // flows "from the Andes", a fire starts "in a bakery on Pudding Lane".
  if (type === 'where' && [...asked].some((word) => ASKS_SOURCE.has(word))) return STATES_ORIGIN.test(candidate.text);
  if (type === 'where' && [...asked].some((word) => ASKS_START.has(word)) && STATES_ORIGIN.test(candidate.text)) return true;
  // "What are the dams made of?": a sentence saying what something is made of or built from.
  if (type === 'which' && ASKS_COMPOSITION.test([...asked].join(' ')) && STATES_COMPOSITION.test(candidate.text)) return true;
  const unasked = candidate.text.replace(/[\p{L}\p{N}]+/gu, (word) => (asked.has(foldText(word)) ? '_' : word));
  if (shape.test(unasked)) return true;
  if (type !== 'who' && type !== 'where' && type !== 'which') return false;
  const opening = /^\p{Lu}[\p{L}'-]+/u.exec(unasked)?.[0];
  if (
    !opening ||
    /(?:ly|ing|ed|tion|ment|ness)$/.test(opening) ||
    STOPWORDS.has(foldText(opening)) ||
    COMMON_OPENERS.has(foldText(opening)) ||
    QUESTION_WORDS.has(foldText(opening))
  )
    return false;
  return !new RegExp(`(?:^|[^\\p{L}])${opening.toLowerCase()}(?![\\p{L}])`, 'u').test(candidate.passage.text);
}

/** The question's words, folded, to tell what a sentence adds to it. */
function askedWords(question: string): Set<string> {
  return new Set(words(question));
}

/** The terms before the verb of a text's first statement: "Ada Lovelace was an English…" gives ada, lovelace. */
function openingSubject(text: string): string[] {
  const first = splitSentences(segments(text).prose)[0] ?? '';
  const subject = /^(.{1,80}?)\s(?:is|was|are|were|est|sont|etait|était|étaient)\s/u.exec(first);
  return subject ? baseTerms(subject[1]!) : [];
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * The best sentence, then at most one supporting sentence that scores close to it and adds
 * something, within the length budget. "An example" and "how" questions get the best matching code
 * block of the chosen passages as the support.
 */
function choose(ranked: Scored[], type: QuestionType, parts: number): Scored[] {
  if (parts > 1) {
    // One sentence per part: the sentences that take their turn ("the first…", "the second…") first.
    const turns = ranked.filter((s) => !s.code && ORDINAL.test(plain(s.text)));
    // In the order they take: "the first stage…" before "the second…", whichever passage ranked higher.
    const order = (s: Scored) => ORDINAL_ORDER.findIndex((ordinal) => new RegExp(`\\b${ordinal}\\b`).test(plain(s.text)));
    if (turns.length >= 2)
      return turns.slice(0, parts).sort((a, b) => order(a) - order(b) || a.passage.index - b.passage.index || a.position - b.position);
  }
  const prose = ranked.filter((s) => !s.code);
  const best = ranked[0]!.code && prose.length > 0 && type !== 'example' ? prose[0]! : ranked[0]!;
  const chosen: Scored[] = [best];
  let length = wordCount(best);
  const wantsCode = type === 'example' || type === 'how';
  if (wantsCode && !best.code) {
    const block = ranked.find((s) => s.code && s.score >= best.score * 0.3);
    if (block) return [best, block];
  }
  if (best.code) {
    const lead = prose.find((s) => s.passage.index === best.passage.index && s.score >= best.score * 0.3);
    return lead ? [lead, best] : [best];
  }
  for (const sentence of prose) {
    if (chosen.length >= Math.max(MAX_SENTENCES, parts) || sentence.score < best.score * (parts > 1 ? 0.3 : SUPPORT_SCORE_FLOOR)) break;
    if (chosen.includes(sentence) || length + wordCount(sentence) > MAX_ANSWER_WORDS * (parts > 1 ? 1.6 : 1)) continue;
    if (chosen.some((c) => jaccard(c.terms, sentence.terms) >= 0.5)) continue;
    chosen.push(sentence);
    length += wordCount(sentence);
  }
  if (chosen.length === 1 && parts <= 1) {
    const runnerUp = shortRunnerUp(best, prose);
    if (runnerUp) chosen.push(runnerUp);
  }
  const [first, ...others] = chosen;
  others.sort((a, b) => a.passage.index - b.passage.index || a.position - b.position);
  return [first!, ...others];
}

/**
 * A ranking of sentences by shared words often puts the one holding the asked fact second, next to
 * a sentence that repeats the question's words. When the best sentence leaves room in the answer's
 * budget, the runner-up of its own passage joins it, even at a lower score than a support needs.
 */
function shortRunnerUp(best: Scored, prose: Scored[]): Scored | undefined {
  const room = PAIR_WORDS - wordCount(best);
  const floor = best.score * RUNNER_UP_SCORE_FLOOR;
  return prose.find(
    (s) =>
      s !== best &&
      s.passage.index === best.passage.index &&
      s.score >= floor &&
      wordCount(s) <= room &&
      jaccard(s.terms, best.terms) < 0.5,
  );
}

/** "As a result the level has been falling…": the cause a "why" asks for is in the sentence before. */
const RESULT_OPENING =
  /^(?:as a result|therefore|thus|hence|consequently|because of this|for this reason|so|en consequence|par consequent|c'est pourquoi|donc|ainsi)\b/;

function withCause(chosen: Scored[], candidates: Candidate[], type: QuestionType): Scored[] {
  const best = chosen[0]!;
  if (type !== 'why' || best.code || !RESULT_OPENING.test(plain(best.text))) return chosen;
  const cause = candidates.find((c) => c.passage.index === best.passage.index && c.position === best.position - 1 && !c.code);
  if (!cause || chosen.some((s) => s.passage.index === cause.passage.index && s.position === cause.position)) return chosen;
  return [{ ...cause, score: best.score, covered: new Map(), contextCoverage: 0, shaped: false, keyness: 0 }, best];
}

/**
 * "An example" wants one: when no chosen sentence is code, the code block that follows the best
 * sentence in its passage (examples rarely repeat the words of the explanation they illustrate).
 */
function withExampleCode(chosen: Scored[], candidates: Candidate[], type: QuestionType): Scored[] {
  if (type !== 'example' || chosen.some((s) => s.code)) return chosen;
  const best = chosen[0]!;
  const blocks = candidates.filter((c) => c.code && c.passage.index === best.passage.index);
  const block = blocks[0];
  if (!block) return chosen;
  return [best, { ...block, score: 0, covered: new Map(), contextCoverage: 0, shaped: false, keyness: 0 }];
}

/**
 * "The two stages": each part's sentence ("The first stage happens…") is introduced by the name its
 * section gives it ("The light-dependent reactions"), which the sentence itself seldom repeats.
 */
function withSectionNames(chosen: Scored[]): Scored[] {
  const named = chosen.map((s) => ({ s, name: s.code ? undefined : sectionName(s) }));
  const names = new Set(named.map(({ name }) => name));
  if (named.some(({ name }) => !name) || names.size !== chosen.length) return chosen;
  return named.map(({ s, name }) => (plain(s.text).includes(plain(name!)) ? s : { ...s, text: `${name}: ${s.text}` }));
}

/** The innermost heading of a sentence's passage ("Photosynthesis > The two stages > The Calvin cycle"), or the one just above it. */
function sectionName(sentence: Candidate): string | undefined {
  const path = sentence.passage.location?.heading?.split(' > ');
  if (path && path.length > 0) return path.at(-1)!.replace(/…$/, '') || undefined;
  const at = sentence.passage.text.indexOf(sentence.text.slice(0, 40));
  if (at < 0) return undefined;
  const headings = [...sentence.passage.text.slice(0, at).matchAll(/^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/gm)];
  return headings.at(-1)?.[1];
}

function wordCount(sentence: Candidate): number {
  return sentence.text.split(/\s+/).filter(Boolean).length;
}

/** Sentences run on as prose, list items stay items, code blocks stay blocks, each with its citation. */
function render(chosen: Scored[]): string {
  const parts: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) parts.push(paragraph.join(' '));
    paragraph = [];
  };
  // One item alone reads as a sentence; two or more items of one passage stay a list.
  const listed = new Set(chosen.filter((s) => s.item && chosen.some((o) => o !== s && o.item && o.passage.index === s.passage.index)));
  for (const s of chosen) {
    if (s.code) {
      flush();
      parts.push(`\`\`\`\n${s.text}\n\`\`\`\n[${s.passage.index}]`);
    } else if (listed.has(s)) {
      flush();
      parts.push(`- ${withCitation(s.text, s.passage.index)}`);
    } else paragraph.push(withCitation(s.text, s.passage.index));
  }
  flush();
  return parts.join('\n\n');
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

/** The latest question that named a topic (not itself a bare "an example?"). */
function lastTopicQuestion(history: ChatMessage[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].role === 'user' && contentTerms(history[i].content).length > 0) return history[i].content;
  }
  return undefined;
}

function lastTurn(history: ChatMessage[], role: 'user' | 'assistant'): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i].role === role) return history[i].content;
  return undefined;
}

function normaliseForComparison(text: string): string {
  return words(stripCitations(text)).join(' ');
}
