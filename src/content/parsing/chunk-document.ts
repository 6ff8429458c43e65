import { SentenceSplitter } from '@llamaindex/core/node-parser';
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
 * Where the splitter may cut, marked with a private-use character that extracted text never holds
 * and that is removed from the chunks again. Every paragraph boundary is marked, and so is every
 * sentence end in a paragraph longer than a chunk. LlamaIndex then packs the marked units into
 * chunks and overlaps them as usual, but does not run its own sentence tokenizer on long
 * paragraphs: that tokenizer reverts each placeholder with a regex pass over the whole paragraph,
 * which is quadratic (measured: a 33 KB paragraph took 2 s, 70 KB of lines without a blank line
 * 15 s, a dense 300-page PDF 4.4 s; with the marks 0.36 s for the 70 KB).
 */
const CUT = '\uE000';

/**
 * A unit longer than this many characters per token of chunk size is cut at lines, then spaces.
 * A single word longer than that is sliced every `chunkSize / 2` characters: a slice then fits a
 * chunk even at one token per character and beside a heading, so the splitter never falls back
 * to single characters.
 */
const MAX_UNIT_CHARS_PER_TOKEN = 4;

/**
 * A sentence ends at . ! ? or … (closing quotes or brackets allowed) and white space, before a
 * capital or a digit. The lookahead comes first so that the lookbehind only runs where it can match.
 */
const SENTENCE_END = /(?=[\p{Lu}\p{N}"'“‘«(\[¿¡])(?<=[.!?…]["'”’)\]]*\s+)/u;

/** Abbreviations that end in a full stop without ending a sentence, and initials ("J. Smith"). */
const NOT_A_SENTENCE_END = /(?:\b(?:e\.g|i\.e|cf|vs|Mr|Mrs|Ms|Dr|Prof|St|Fig|No|pp?|Mme|Mlle)|(?<![\p{L}\p{N}])\p{Lu})\.\s+$/u;

const QUIET_LOGGER = { log() {}, warn() {}, error() {} };

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
  const splitter = new SentenceSplitter({
    chunkSize,
    chunkOverlap,
    paragraphSeparator: CUT,
    // Added to LlamaIndex's list; its matching is not word-bounded, so only unambiguous ones.
    extraAbbreviations: ['e.g.'],
    logger: QUIET_LOGGER,
    tokenizer: createTokenCounter(),
  });

  const chunks: DocumentChunk[] = [];
  for (const section of doc.sections) {
    const heading = boundedHeading(section.headingPath ?? [], splitter, chunkSize);
    if (!section.text.trim()) continue;
    const text = markCuts(section.text, chunkSize * MAX_UNIT_CHARS_PER_TOKEN, Math.floor(chunkSize / 2));
    const pieces = heading
      ? splitter.splitTextMetadataAware(text, embeddingPrefix(heading))
      : splitter.splitText(text);
    for (const piece of pieces) {
      const chunkText = piece.replaceAll(CUT, '').trim();
      if (!chunkText) continue;
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
function boundedHeading(path: string[], splitter: SentenceSplitter, chunkSize: number): string | undefined {
  const budget = Math.floor(chunkSize * MAX_HEADING_SHARE);
  let parts = path.filter((part) => part.trim());
  while (parts.length > 1 && splitter.tokenSize(embeddingPrefix(parts.join(HEADING_SEPARATOR))) > budget) {
    parts = parts.slice(1);
  }
  let heading = parts.join(HEADING_SEPARATOR);
  while (heading && splitter.tokenSize(embeddingPrefix(heading)) > budget) {
    heading = `${heading.slice(0, Math.floor(heading.length * 0.75)).trimEnd()}…`;
  }
  return heading || undefined;
}

/**
 * The text with CUT between paragraphs and, inside paragraphs longer than `maxChars`, between
 * sentences; a longer sentence is packed into pieces by lines, then words, and a longer word is
 * sliced short enough to fit a chunk. Linear time; the text between the marks is unchanged.
 */
function markCuts(text: string, maxChars: number, maxSliceChars: number): string {
  return text
    .replaceAll(CUT, '')
    .split(/(?<=\n\n)(?=[^\n])/)
    .map((paragraph) =>
      paragraph.length <= maxChars ? paragraph : [...units(paragraph, maxChars, maxSliceChars)].join(CUT),
    )
    .join(CUT);
}

function* units(paragraph: string, maxChars: number, maxSliceChars: number): Generator<string> {
  for (const sentence of sentences(paragraph)) {
    if (sentence.length <= maxChars) {
      yield sentence;
      continue;
    }
    const lines = sentence.split(/(?<=\n)/);
    yield* pack(lines, maxChars, (line) =>
      pack(line.split(/(?<=\s)(?=\S)/), maxChars, (word) => slices(word, maxSliceChars)),
    );
  }
}

/** Consecutive parts joined into pieces of at most `maxChars`; a longer part is broken by `breakUp`. */
function* pack(parts: Iterable<string>, maxChars: number, breakUp: (part: string) => Iterable<string>): Generator<string> {
  let current = '';
  for (const part of parts) {
    if (part.length > maxChars) {
      if (current) yield current;
      current = '';
      yield* breakUp(part);
      continue;
    }
    if (current.length + part.length > maxChars) {
      yield current;
      current = '';
    }
    current += part;
  }
  if (current) yield current;
}

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
