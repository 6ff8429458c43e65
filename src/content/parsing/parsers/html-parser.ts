import { ApiError } from '../../../common/errors/api-error';
import { normalizeHeading, SectionBuilder, type ParsedDocument } from '../parsed-document';

type Htmlparser2 = typeof import('htmlparser2');

/** htmlparser2 is ESM-only; a dynamic import() survives the CommonJS build (SWC keeps it as is). */
export function loadHtmlparser2(): Promise<Htmlparser2> {
  return import('htmlparser2');
}

/** Elements whose content is not reading matter. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas']);

/** Elements that stand as their own paragraph: a blank line before and after. */
const PARAGRAPHS = new Set(
  `p h1 h2 h3 h4 h5 h6 blockquote pre table ul ol dl figure section article header footer main aside
  nav address hr details form fieldset`.split(/\s+/),
);

/** Elements that start a new line. */
const LINES = new Set('br li tr div dt dd figcaption summary caption option legend'.split(' '));

const HEADING = /^h([1-6])$/;

/**
 * Most elements open inside one another. htmlparser2 keeps its open elements in an array it
 * shifts and unshifts at the front, so each tag costs as much as the depth and a deep document is
 * quadratic: 100,000 nested <div>s took 2.6 to 4.8 s, 400,000 unclosed <b>s 67 s (profile: all in
 * the parser's emitOpenTag and popElement). Browsers stop nesting at a similar depth (Blink's
 * parser at 512, kMaximumHTMLParserDOMTreeDepth in html_construction_site.cc); a page that goes
 * deeper is refused at that depth, in a few milliseconds.
 */
export const MAX_HTML_DEPTH = 512;

interface OpenElement {
  name: string;
  hidden: boolean;
}

/**
 * Reduces HTML to its readable text in sections under their h1–h6 heading path. Scripts, styles
 * and hidden elements are dropped, block elements become line breaks, white space is collapsed
 * except inside <pre>. The title is <title>, or else the first h1.
 */
export function htmlToDocument(html: string, { Parser }: Htmlparser2): ParsedDocument {
  const builder = new SectionBuilder();
  const open: OpenElement[] = [];
  let preDepth = 0;
  let heading: { level: number; text: string } | undefined;
  let titleText: string | undefined;
  let inTitle = false;
  /** Line breaks owed before the next text: block boundaries meet, they do not add up. */
  let pendingBreaks = 0;
  let atLineStart = true;
  let rowHasCell = false;

  const write = (text: string): void => {
    if (heading) {
      heading.text += text;
      return;
    }
    if (pendingBreaks > 0) {
      builder.append('\n'.repeat(pendingBreaks));
      pendingBreaks = 0;
    }
    builder.append(text);
    atLineStart = text.endsWith('\n');
  };
  const breakLine = (breaks: 1 | 2): void => {
    if (heading) heading.text += ' ';
    else pendingBreaks = Math.max(pendingBreaks, breaks);
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const hidden = (open.at(-1)?.hidden ?? false) || SKIPPED.has(name) || 'hidden' in attribs || attribs['aria-hidden'] === 'true';
        // Thrown out of parser.write(): the parse stops here.
        if (open.length >= MAX_HTML_DEPTH) throw tooDeep();
        open.push({ name, hidden });
        if (hidden) return;
        if (name === 'title') {
          inTitle = true;
          titleText = '';
          return;
        }
        const level = HEADING.exec(name)?.[1];
        if (level && !heading) {
          breakLine(2);
          heading = { level: Number(level), text: '' };
          return;
        }
        if (name === 'pre') preDepth++;
        if (name === 'tr') rowHasCell = false;
        if (name === 'td' || name === 'th') {
          if (rowHasCell) write(' | ');
          rowHasCell = true;
        }
        if (name === 'br') {
          if (heading) heading.text += ' ';
          else pendingBreaks = Math.min(2, pendingBreaks + 1);
        } else if (PARAGRAPHS.has(name)) breakLine(2);
        else if (LINES.has(name)) breakLine(1);
      },
      ontext(data) {
        if (inTitle) {
          titleText += data;
          return;
        }
        if (open.at(-1)?.hidden) return;
        if (preDepth > 0 && !heading) {
          write(data);
          return;
        }
        let text = data.replace(/\s+/g, ' ');
        if ((atLineStart || pendingBreaks > 0) && !heading) text = text.trimStart();
        if (text) write(text);
      },
      onclosetag(name) {
        // htmlparser2 closes every element it opened, implied ones included, in order.
        const element = open.pop();
        if (!element || element.hidden) return;
        if (name === 'title') {
          inTitle = false;
          return;
        }
        const level = HEADING.exec(name)?.[1];
        if (level && heading && heading.level === Number(level)) {
          builder.heading(heading.level, heading.text);
          heading = undefined;
          breakLine(2);
          return;
        }
        if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        if (PARAGRAPHS.has(name)) breakLine(2);
        else if (LINES.has(name) && name !== 'br') breakLine(1);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();

  const sections = builder.finish();
  const title = (titleText && normalizeHeading(titleText)) || builder.title;
  return title ? { title, sections } : { sections };
}

function tooDeep(): ApiError {
  return new ApiError(
    'unprocessable_document',
    `The document nests elements more than ${MAX_HTML_DEPTH} deep (unclosed tags add up too); close its tags or flatten it.`,
  );
}
