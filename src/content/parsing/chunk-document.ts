import { SentenceSplitter } from '@llamaindex/core/node-parser';
import { MAX_DOCUMENT_CHUNKS, tooManyChunks } from './document-limits';
import type { ParsedDocument } from './parsed-document';
import { createTokenCounter } from './token-counter';

export interface DocumentChunk {
  text: string;
  /** 1-based PDF page the chunk comes from. */
  page?: number;
  /** Heading path joined with ' > ' (Markdown, HTML, DOCX). */
  heading?: string;
  /** 0-based order of the chunk in its document. */
  position: number;
}

export interface ChunkOptions {
  /** Chunk size in tokens of the cl100k tokenizer (LlamaIndex's default), heading included. */
  chunkSize?: number;
  /** Tokens repeated from the end of one chunk at the start of the next, within a section. */
  chunkOverlap?: number;
}

/**
 * 256 tokens (about 190 English words) keeps a chunk to one idea, which suits citation-sized
 * passages and keyword ranking; 32 tokens of overlap carry a sentence of context across a cut.
 */
export const DEFAULT_CHUNK_SIZE = 256;
export const DEFAULT_CHUNK_OVERLAP = 32;

const HEADING_SEPARATOR = ' > ';

/** The heading path never takes more than this share of a chunk's token budget. */
const MAX_HEADING_SHARE = 0.25;

/**
 * Where the splitter may cut, marked with the record-separator control character, which parsed
 * text never holds (normalisation removes control characters) and which leaves the chunks again.
 * Paragraph boundaries are marked, and so are sentence ends in a paragraph too long for one chunk
 * (lines, then words, for a sentence too long). Every marked unit fits a chunk, so LlamaIndex only
 * packs units into chunks and overlaps them: its own sentence tokenizer, which would otherwise
 * split long paragraphs, reverts each placeholder with a regex pass over the whole paragraph and
 * is quadratic (measured: a 33 KB paragraph took 2 s, 70 KB of lines without a blank line 15 s).
 */
const CUT = '\u001E';
/** Tokens a cut mark adds to a unit (the counter counts it as one). */
const CUT_ALLOWANCE = 1;

/**
 * A sentence ends at . ! ? or … (closing quotes or brackets allowed) and white space, before a
 * capital or a digit. The lookahead comes first so that the lookbehind only runs where it can match.
 */
const SENTENCE_END = /(?=[\p{Lu}\p{N}"'“‘«(\[¿¡])(?<=[.!?…]["'”’)\]]*\s+)/u;

/** Abbreviations that end in a full stop without ending a sentence, and initials ("J. Smith"). */
const NOT_A_SENTENCE_END = /(?:\b(?:e\.g|i\.e|cf|vs|Mr|Mrs|Ms|Dr|Prof|St|Fig|No|pp?|Mme|Mlle)|(?<![\p{L}\p{N}])\p{Lu})\.\s+$/u;

const QUIET_LOGGER = { log() {}, warn() {}, error() {} };

type CountTokens = (text: string) => number;

/**
 * Splits a parsed document into retrieval chunks with LlamaIndex's SentenceSplitter, one section
 * at a time so that a chunk never straddles two pages or two headings and its metadata is exact.
 *
 * The heading stays out of `text`, which is the document's own words, quotable as a citation. It
 * is context for retrieval all the same: embed and index `chunkTextForEmbedding(chunk)`, which
 * puts the heading first, and whose size the splitter has already budgeted (LlamaIndex's
 * metadata-aware splitting), so heading plus text stays within `chunkSize` tokens.
 */
export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = {}): DocumentChunk[] {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const chunkOverlap = options.chunkOverlap ?? Math.min(DEFAULT_CHUNK_OVERLAP, Math.floor(chunkSize / 8));
  if (!Number.isInteger(chunkSize) || chunkSize < 16) {
    throw new RangeError(`chunkSize must be an integer of at least 16 tokens, not ${chunkSize}.`);
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize / 2) {
    throw new RangeError(`chunkOverlap must be an integer from 0 to less than half of chunkSize, not ${chunkOverlap}.`);
  }
  const tokenizer = createTokenCounter(CUT);
  const countTokens: CountTokens = tokenizer.count;
  const splitter = new SentenceSplitter({
    chunkSize,
    chunkOverlap,
    paragraphSeparator: CUT,
    // Added to LlamaIndex's list; its matching is not word-bounded, so only unambiguous ones.
    extraAbbreviations: ['e.g.'],
    logger: QUIET_LOGGER,
    tokenizer,
  });

  const chunks: DocumentChunk[] = [];
  for (const section of doc.sections) {
    if (!section.text.trim()) continue;
    const heading = boundedHeading(section.headingPath ?? [], countTokens, chunkSize);
    const prefix = heading ? embeddingPrefix(heading) : '';
    // What LlamaIndex's metadata-aware splitting leaves for the text itself.
    const budget = chunkSize - (prefix ? countTokens(prefix) : 0) - CUT_ALLOWANCE;
    const text = markCuts(section.text, budget, countTokens);
    const pieces = heading ? splitter.splitTextMetadataAware(text, prefix) : splitter.splitText(text);
    for (const piece of pieces) {
      const chunkText = piece.replaceAll(CUT, '').trim();
      if (!chunkText) continue;
      if (chunks.length >= MAX_DOCUMENT_CHUNKS) throw tooManyChunks();
      const chunk: DocumentChunk = { text: chunkText, position: chunks.length };
      if (section.page !== undefined) chunk.page = section.page;
      if (heading) chunk.heading = heading;
      chunks.push(chunk);
    }
  }
  return chunks;
}

/** The text to embed and to rank by keywords: the heading path first, then the chunk's words. */
export function chunkTextForEmbedding(chunk: Pick<DocumentChunk, 'text' | 'heading'>): string {
  return chunk.heading ? `${embeddingPrefix(chunk.heading)}${chunk.text}` : chunk.text;
}

function embeddingPrefix(heading: string): string {
  return `${heading}\n\n`;
}

/**
 * The heading path within its share of the budget: outer headings go first (the innermost one
 * says most about the text), then the innermost is shortened.
 */
function boundedHeading(path: string[], countTokens: CountTokens, chunkSize: number): string | undefined {
  const budget = Math.floor(chunkSize * MAX_HEADING_SHARE);
  let parts = path.filter((part) => part.trim());
  while (parts.length > 1 && countTokens(embeddingPrefix(parts.join(HEADING_SEPARATOR))) > budget) {
    parts = parts.slice(1);
  }
  let heading = parts.join(HEADING_SEPARATOR);
  while (heading && countTokens(embeddingPrefix(heading)) > budget) {
    heading = `${heading.slice(0, Math.floor(heading.length * 0.75)).trimEnd()}…`;
  }
  return heading || undefined;
}

/**
 * The text with CUT between its paragraphs and, in a paragraph over `budget` tokens, between its
 * sentences; a sentence over budget is packed into pieces by lines, then words, and a word over
 * budget is sliced. Linear time; the text between the marks is unchanged.
 */
function markCuts(text: string, budget: number, countTokens: CountTokens): string {
  const fits = fitsWithin(budget, countTokens);
  const clean = text.replaceAll(CUT, '').replace(/\n{3,}/g, '\n\n');
  if (fits(clean)) return clean;
  return clean
    .split(/(?<=\n\n)(?=[^\n])/)
    .map((paragraph) => (fits(paragraph) ? paragraph : [...units(paragraph, budget, countTokens)].join(CUT)))
    .join(CUT);
}

/**
 * Whether a text is within budget. Text of more than 16 characters per token of budget is taken
 * as over without counting it; were it not, its units would merely be packed together again.
 */
function fitsWithin(budget: number, countTokens: CountTokens): (text: string) => boolean {
  return (text) => text.length <= budget * 16 && countTokens(text) <= budget;
}

function* units(paragraph: string, budget: number, countTokens: CountTokens): Generator<string> {
  const fits = fitsWithin(budget, countTokens);
  const pack = (parts: string[], breakUp: (part: string) => Iterable<string>) => packWithin(parts, budget, countTokens, breakUp);
  for (const sentence of sentences(paragraph)) {
    if (fits(sentence)) {
      yield sentence;
      continue;
    }
    yield* pack(sentence.split(/(?<=\n)/), (line) => pack(line.split(/(?<=\s)(?=\S)/), (word) => slices(word, Math.max(1, budget))));
  }
}

/**
 * Consecutive parts joined into pieces of at most `budget` tokens; a part over budget on its own
 * is broken by `breakUp`. Pieces are first gathered by length (a generous three characters a
 * token) and then counted, one count per piece rather than per part; a piece found over budget is
 * gathered again from half as many characters.
 */
function* packWithin(
  parts: string[],
  budget: number,
  countTokens: CountTokens,
  breakUp: (part: string) => Iterable<string>,
): Generator<string> {
  let maxChars = budget * 3;
  let start = 0;
  while (start < parts.length) {
    let end = start + 1;
    let chars = parts[start].length;
    while (end < parts.length && chars + parts[end].length <= maxChars) chars += parts[end++].length;
    const piece = parts.slice(start, end).join('');
    if (countTokens(piece) <= budget) {
      yield piece;
      start = end;
    } else if (end - start === 1) {
      yield* breakUp(piece);
      start = end;
    } else {
      maxChars = Math.max(1, Math.floor(chars / 2));
    }
  }
}

/** A word over budget, in slices of `length` characters: at most a token per character. */
function* slices(word: string, length: number): Generator<string> {
  for (let start = 0; start < word.length; start += length) yield word.slice(start, start + length);
}

function* sentences(paragraph: string): Generator<string> {
  let pending = '';
  for (const part of paragraph.split(SENTENCE_END)) {
    pending += part;
    if (NOT_A_SENTENCE_END.test(pending.slice(-16))) continue;
    yield pending;
    pending = '';
  }
  if (pending) yield pending;
}
