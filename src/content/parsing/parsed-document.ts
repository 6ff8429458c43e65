import { ApiError } from '../../common/errors/api-error';
import { clipText } from '../../common/text/clip';
import { isBlank } from '../../common/text/invisible';
import { MAX_DOCUMENT_CHUNKS, tooManyChunks } from './document-limits';

export interface ParsedSection {
  text: string;
  /** 1-based page of a PDF. */
  page?: number;
  /** Headings above this section, outermost first (Markdown, HTML, DOCX). */
  headingPath?: string[];
}

export interface ParsedDocument {
  title?: string;
  sections: ParsedSection[];
}

/** Headings are metadata on every chunk below them, so an absurd one must not crowd out the text. */
const MAX_HEADING_LENGTH = 200;

/**
 * Cleans extracted text the same way for every format: one kind of line break, no control
 * characters, no trailing blanks, at most one empty line between paragraphs (a blank line is the
 * paragraph boundary the chunker splits on first).
 */
export function normalizeText(text: string): string {
  return (
    text
      // The Stream-Safe Text Format of Unicode's normalization forms (UAX #15, section 13): no more
      // than 30 combining marks in a row. Composition sorts a run of marks by insertion, which is
      // quadratic: one letter under 500,000 marks (1 MB) held a parse worker for its full 20 s.
      // Longer runs are decoration ("Zalgo" text), not letters; the marks past 30 are left out.
      .replace(/(\p{M}{30})\p{M}+/gu, '$1')
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/[\f\v\u2028\u2029]/g, '\n')
      .replace(/[\u0000-\u0008\u000E-\u001F\u007F\uFFFD]/g, '')
      // The lookbehind starts a match only at the beginning of a run: linear even on long runs.
      .replace(/(?<![ \t\u00A0])[ \t\u00A0]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+/, '')
      .trimEnd()
  );
}

/** A heading as one trimmed line of bounded length. */
export function normalizeHeading(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_HEADING_LENGTH ? `${clipText(line, MAX_HEADING_LENGTH - 1)}…` : line;
}

/**
 * Collects sections for formats with headings: text accumulates under the current heading path;
 * a new heading closes the section and replaces every heading of its level or deeper.
 */
export class SectionBuilder {
  private readonly sections: ParsedSection[] = [];
  private readonly headings: Array<{ level: number; text: string }> = [];
  private buffer: string[] = [];
  private firstTopHeading: string | undefined;

  append(text: string): void {
    this.buffer.push(text);
  }

  /** Takes back the last appended piece (a line that turned out to be a setext heading). */
  dropLastLine(): void {
    this.buffer.pop();
  }

  heading(level: number, rawText: string): void {
    const text = normalizeHeading(rawText);
    if (!text) return;
    this.flush();
    while ((this.headings.at(-1)?.level ?? 0) >= level) this.headings.pop();
    this.headings.push({ level, text });
    if (level === 1 && this.firstTopHeading === undefined) this.firstTopHeading = text;
  }

  /** The first level-1 heading: the document's own title when it has no better one. */
  get title(): string | undefined {
    return this.firstTopHeading;
  }

  finish(): ParsedSection[] {
    this.flush();
    return this.sections;
  }

  private flush(): void {
    const text = normalizeText(this.buffer.join(''));
    this.buffer = [];
    if (!text) return;
    // Each section is a chunk at least: a document of more is refused while it is read, not after.
    if (this.sections.length >= MAX_DOCUMENT_CHUNKS) throw tooManyChunks();
    const section: ParsedSection = { text };
    if (this.headings.length > 0) section.headingPath = this.headings.map((h) => h.text);
    this.sections.push(section);
  }
}

/** Refuses a document from which nothing readable came out: blanks and zero-width characters are not text. */
export function requireText(document: ParsedDocument, what = 'The document'): ParsedDocument {
  if (document.sections.every((section) => isBlank(section.text))) {
    throw new ApiError('unprocessable_document', `${what} contains no readable text.`);
  }
  return document;
}
