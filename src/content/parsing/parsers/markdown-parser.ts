import { normalizeHeading, SectionBuilder, type ParsedDocument } from '../parsed-document';

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$/;
/** Longer lines are never headings; skipping them keeps the heading pattern linear. */
const MAX_HEADING_LINE = 1000;

/**
 * Reads Markdown into sections under their heading path (ATX `#` and setext headings; a `#` inside
 * a fenced code block is code, not a heading). Syntax is stripped lightly so the text reads as
 * prose: link and image targets, emphasis markers, quote markers and HTML tags go; code keeps its
 * text and its line breaks. The title is the front matter's `title:`, else the first `#` heading.
 */
export function markdownToDocument(markdown: string): ParsedDocument {
  const builder = new SectionBuilder();
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const frontMatter = readFrontMatter(lines);
  let fence: { marker: string; length: number } | undefined;
  let inComment = false;
  /** The previous line, when it was paragraph text that a setext underline may turn into a heading. */
  let paragraphLine: string | undefined;

  for (let i = frontMatter.endLine; i < lines.length; i++) {
    const line = lines[i];
    if (fence) {
      const close = FENCE.exec(line);
      if (close && close[1][0] === fence.marker && close[1].length >= fence.length && !close[2].trim()) {
        fence = undefined;
        builder.append('\n');
      } else {
        builder.append(`${line}\n`);
      }
      continue;
    }
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    const open = FENCE.exec(line);
    if (open && !(open[1][0] === '`' && open[2].includes('`'))) {
      fence = { marker: open[1][0], length: open[1].length };
      builder.append('\n');
      paragraphLine = undefined;
      continue;
    }
    const atx = line.length <= MAX_HEADING_LINE ? ATX_HEADING.exec(line) : null;
    if (atx) {
      builder.heading(atx[1].length, inlineText(atx[2] ?? ''));
      paragraphLine = undefined;
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line);
    if (underline && paragraphLine !== undefined) {
      builder.dropLastLine();
      builder.heading(underline[1][0] === '=' ? 1 : 2, paragraphLine);
      paragraphLine = undefined;
      continue;
    }
    if (THEMATIC_BREAK.test(line) || LINK_DEFINITION.test(line) || TABLE_DELIMITER.test(line)) {
      builder.append('\n');
      paragraphLine = undefined;
      continue;
    }
    // A comment opened and not closed on its line; indexOf, where a lazy /<!--[\s\S]*?-->/ went on
    // to the end of the line from every '<!--' (quadratic: 200 KB of them took 3.6 s).
    const commentStart = line.indexOf('<!--');
    if (commentStart >= 0 && line.indexOf('-->', commentStart + 4) < 0) {
      inComment = true;
      paragraphLine = undefined;
      continue;
    }
    const text = blockText(line);
    builder.append(`${text}\n`);
    paragraphLine = text.trim() && !/^\s*(?:- |\d+[.)] |\|)/.test(text) ? text : undefined;
  }

  const sections = builder.finish();
  const title = frontMatter.title ?? builder.title;
  return title ? { title, sections } : { sections };
}

/** YAML front matter between `---` lines at the very top; only its title matters here. */
function readFrontMatter(lines: string[]): { endLine: number; title?: string } {
  if (lines[0]?.trim() !== '---') return { endLine: 0 };
  for (let i = 1; i < Math.min(lines.length, 200); i++) {
    if (/^(?:---|\.\.\.)\s*$/.test(lines[i])) {
      const titleLine = lines.slice(1, i).find((l) => /^title\s*:/i.test(l));
      const title = titleLine && normalizeHeading(titleLine.replace(/^title\s*:\s*/i, '').replace(/^(['"])(.*)\1$/, '$2'));
      return title ? { endLine: i + 1, title } : { endLine: i + 1 };
    }
  }
  return { endLine: 0 };
}

/** One line of a block: container markers (quotes, bullets, table pipes) reduced, inlines stripped. */
function blockText(line: string): string {
  let text = line.replace(/^( {0,3}>[ \t]?)+/, '');
  text = text.replace(/^(\s*)[-*+][ \t]+(?:\[[ xX]\][ \t]+)?/, '$1- ');
  if (/^\s*\|.*\|\s*$/.test(text)) text = text.trim().slice(1, -1).trim();
  // A trailing backslash is a hard line break; trailing spaces go with normalisation.
  text = text.replace(/\\$/, '');
  return inlineText(text);
}

/** Inline syntax stripped outside code spans; code spans keep their content verbatim. */
function inlineText(text: string): string {
  let out = '';
  let last = 0;
  for (const span of codeSpans(text)) {
    out += stripInline(text.slice(last, span.start)) + text.slice(span.contentStart, span.contentEnd);
    last = span.end;
  }
  return out + stripInline(text.slice(last));
}

interface CodeSpan {
  start: number;
  contentStart: number;
  contentEnd: number;
  end: number;
}

/**
 * The code spans of a line (CommonMark: a run of backticks, then text, then the next run of exactly
 * as many; an opening run without one is literal text), found in one pass over the runs. A pattern
 * tried from every backtick went back over every shorter opening and on to the end of its reach
 * each time: a 1 MB line of runs of growing length took 10 s.
 */
function codeSpans(text: string): CodeSpan[] {
  const runs: { start: number; end: number }[] = [];
  for (let i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i)) {
    const start = i;
    while (text.charCodeAt(i) === 96) i++;
    runs.push({ start, end: i });
  }
  // The next run of the same length, for each run: filled from the right, so one pass.
  const nextOfLength = new Array<number>(runs.length);
  const latest = new Map<number, number>();
  for (let r = runs.length - 1; r >= 0; r--) {
    const length = runs[r].end - runs[r].start;
    nextOfLength[r] = latest.get(length) ?? -1;
    latest.set(length, r);
  }
  const spans: CodeSpan[] = [];
  for (let r = 0; r < runs.length; r++) {
    const close = nextOfLength[r];
    if (close < 0) continue;
    spans.push({ start: runs[r].start, contentStart: runs[r].end, contentEnd: runs[close].start, end: runs[close].end });
    r = close;
  }
  return spans;
}

/**
 * Repetitions are bounded: a crafted line must not make these patterns quadratic. A pattern's
 * text never holds its own opening ('[' in a link text, '(' in an image's address, '<!--' in a
 * comment), so that a line of nothing but openings fails each at the next one: with the opening
 * allowed, 2 MB of '[' took 5.9 s, and of '<http:' or '![a](' about as long.
 */
function stripInline(text: string): string {
  return text
    .replace(/!\[([^[\]]{0,500})\]\([^()]{0,2000}\)/g, '$1')
    .replace(/\[([^[\]]{1,500})\]\((?:[^()\s]|\([^()\s]{0,500}\)){0,2000}(?:\s+(?:"[^"]{0,500}"|'[^']{0,500}'))?\)/g, '$1')
    .replace(/\[([^[\]]{1,500})\]\[[^[\]]{0,500}\]/g, '$1')
    .replace(/<((?:https?|ftp|mailto):[^<>\s]{1,2000})>/gi, '$1')
    .replace(/<!--(?:(?!<!--).){0,2000}?-->/g, '')
    .replace(/<\/?[A-Za-z][A-Za-z0-9-]{0,50}(?:\s[^<>]{0,1000})?\/?>/g, '')
    .replace(/(\*\*|__)(?=\S)(.{0,1000}?\S)\1/g, '$2')
    .replace(/(^|[^*\w])\*(?=\S)([^*]{0,1000}?\S)\*(?![*\w])/g, '$1$2')
    .replace(/(^|[^_\w])_(?=\S)([^_]{0,1000}?\S)_(?![_\w])/g, '$1$2')
    .replace(/~~(?=\S)(.{0,1000}?\S)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1');
}
