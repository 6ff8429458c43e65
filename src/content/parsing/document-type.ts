import { isUtf8 } from 'node:buffer';
import { ApiError } from '../../common/errors/api-error';
import {
  describeKnownBinary,
  describeTextualNonDocument,
  isEncryptedOfficePackage,
  isOleCompoundFile,
  startsWith,
} from './binary-signatures';
import { isZip, zipEntryNames } from './zip-entries';

export type DocumentType = 'pdf' | 'docx' | 'markdown' | 'text' | 'html';

export const MIME_TYPES: Record<DocumentType, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  markdown: 'text/markdown',
  text: 'text/plain',
  html: 'text/html',
};

const ACCEPTED = 'only PDF, DOCX, Markdown, plain text or HTML files can be uploaded';

/**
 * Markdown, plain text and HTML are all text: one can be named or declared as another without
 * that being a lie (a `.txt` holding Markdown is still text). PDF and DOCX are binary containers
 * and must match exactly.
 */
type Family = 'pdf' | 'docx' | 'text';

const FAMILY_OF: Record<DocumentType, Family> = {
  pdf: 'pdf',
  docx: 'docx',
  markdown: 'text',
  text: 'text',
  html: 'text',
};

const FAMILY_NAME: Record<Family, string> = { pdf: 'a PDF', docx: 'a Word (DOCX) document', text: 'text' };

/** Maps, since they are looked up with names and types a client chose (a file named `x.constructor`). */
const EXTENSION_TYPES = new Map<string, DocumentType>([
  ['pdf', 'pdf'],
  ['docx', 'docx'],
  ['md', 'markdown'],
  ['markdown', 'markdown'],
  ['mdown', 'markdown'],
  ['mkd', 'markdown'],
  ['mkdn', 'markdown'],
  ['txt', 'text'],
  ['text', 'text'],
  ['html', 'html'],
  ['htm', 'html'],
  ['xhtml', 'html'],
]);

/**
 * Extensions of formats we know and do not accept. Extensions outside both lists (.csv, .log,
 * .rst…) make no claim: the content alone decides, so plain text under any such name is text.
 */
const REFUSED_EXTENSIONS = new Set(
  `doc docm dot dotx dotm xls xlsx xlsm xlsb ppt pptx pptm odt ods odp rtf epub pages key numbers
  zip gz tgz tar 7z rar bz2 xz png jpg jpeg gif webp bmp tif tiff heic svg ico psd mp3 mp4 m4a wav
  ogg mov avi mkv webm exe dll so dylib bin msi dmg iso apk jar class wasm ps eps sqlite db`
    .split(/\s+/)
    .filter(Boolean),
);

const MIME_TYPE_CLAIMS = new Map<string, DocumentType>([
  ['application/pdf', 'pdf'],
  ['application/x-pdf', 'pdf'],
  [MIME_TYPES.docx, 'docx'],
  ['text/markdown', 'markdown'],
  ['text/x-markdown', 'markdown'],
  ['text/plain', 'text'],
  ['text/html', 'html'],
  ['application/xhtml+xml', 'html'],
]);

/** What clients send when they do not know; such a declaration claims nothing. */
const GENERIC_MIME_TYPES = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/binary',
  'application/unknown',
  'application/x-download',
  'application/force-download',
  '*/*',
]);

/** A DOCX is a ZIP package, and some clients declare it by its container. */
const ZIP_MIME_TYPES = new Set(['application/zip', 'application/x-zip-compressed', 'application/x-zip']);

/** Text formats that are not one of ours by name but are honest text (text/csv, application/json). */
function isOtherTextMimeType(mime: string): boolean {
  return mime.startsWith('text/') || /^application\/(?:json|xml|x-yaml|yaml)$|\+(?:xml|json)$/.test(mime);
}

/** A statement about the file that does not come from its content: its name or its declared type. */
type Claim = { source: string; family: Family; type?: DocumentType } | { source: string; family: 'refused' };

type Sniffed = { family: 'pdf' } | { family: 'docx' } | { family: 'text'; head: string } | { family: 'refused'; description: string };

/**
 * Decides what an upload is from its bytes, then checks that its name and declared type agree.
 * Throws `unsupported_media_type` for formats we do not read and for any disagreement, naming
 * what was found and what was claimed.
 */
export function detectDocumentType(bytes: Buffer, filename: string | undefined, declaredMime: string | undefined): DocumentType {
  const sniffed = sniff(bytes);
  if (sniffed.family === 'refused') {
    throw new ApiError('unsupported_media_type', `The file is ${sniffed.description}; ${ACCEPTED}.`);
  }
  const claims = [claimFromFilename(filename), claimFromMimeType(declaredMime)].filter((claim): claim is Claim => claim !== undefined);
  for (const claim of claims) {
    if (claim.family === 'refused') {
      throw new ApiError('unsupported_media_type', `The file is ${claim.source}; ${ACCEPTED}.`);
    }
  }
  // Nothing to sniff reads as text: an empty report.pdf was refused as 'text, not a PDF'.
  if (bytes.length === 0) throw new ApiError('unprocessable_document', 'The file is empty.');
  for (const claim of claims) {
    if (claim.family === 'refused') continue;
    if (claim.family !== sniffed.family) {
      throw new ApiError(
        'unsupported_media_type',
        `The file is ${claim.source}, but its content is ${FAMILY_NAME[sniffed.family]}, not ${FAMILY_NAME[claim.family]}.`,
      );
    }
  }
  if (sniffed.family !== 'text') return sniffed.family;
  const named = claims.map((claim) => ('type' in claim ? claim.type : undefined)).find(Boolean);
  return textTypeOf(sniffed.head, named);
}

function sniff(bytes: Buffer): Sniffed {
  if (startsWith(bytes, [...Buffer.from('%PDF-')])) return { family: 'pdf' };
  if (isZip(bytes)) return sniffZip(bytes);
  if (isEncryptedOfficePackage(bytes)) {
    // Could be any protected Office file; treated as Word so that the parser reports the
    // encryption (422) instead of calling a protected .docx a foreign format.
    return { family: 'docx' };
  }
  if (isOleCompoundFile(bytes)) {
    return { family: 'refused', description: 'a legacy Office document (.doc, .xls or .ppt); save it as .docx' };
  }
  const textual = describeTextualNonDocument(bytes);
  if (textual) return { family: 'refused', description: textual };
  const kind = textKind(bytes);
  if (kind !== 'utf8') {
    const known = describeKnownBinary(bytes);
    if (known) return { family: 'refused', description: known };
    return {
      family: 'refused',
      description: kind === 'other-encoding' ? 'text in an encoding other than UTF-8 (save it as UTF-8)' : 'binary data, not text',
    };
  }
  const head = bytes
    .subarray(0, 16 * 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return { family: 'text', head };
}

function sniffZip(bytes: Buffer): Sniffed {
  const names = zipEntryNames(bytes);
  if (names.has('word/document.xml') && names.has('[Content_Types].xml')) return { family: 'docx' };
  if (names.has('xl/workbook.xml')) return { family: 'refused', description: 'an Excel spreadsheet' };
  if (names.has('ppt/presentation.xml')) return { family: 'refused', description: 'a PowerPoint presentation' };
  if (names.has('mimetype')) return { family: 'refused', description: 'an OpenDocument or EPUB file' };
  return { family: 'refused', description: 'a ZIP archive' };
}

/**
 * Text is UTF-8 without NUL bytes and with at most a stray control character per thousand bytes.
 * Other encodings are refused rather than guessed (a wrong 8-bit guess would index garbled text
 * without anyone noticing), but named as such so the uploader knows the fix.
 */
function textKind(bytes: Buffer): 'utf8' | 'other-encoding' | 'binary' {
  let controls = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0) return 'binary';
    if ((byte < 0x20 && (byte < 0x09 || byte > 0x0d)) || byte === 0x7f) controls++;
  }
  if (controls * 1000 > bytes.length) return 'binary';
  return isUtf8(bytes) ? 'utf8' : 'other-encoding';
}

function claimFromFilename(filename: string | undefined): Claim | undefined {
  const base = filename?.split(/[\\/]/).pop()?.trim() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return undefined;
  const extension = base.slice(dot + 1).toLowerCase();
  const source = `named .${extension}`;
  const type = EXTENSION_TYPES.get(extension);
  if (type) return { source, family: FAMILY_OF[type], type };
  if (REFUSED_EXTENSIONS.has(extension)) return { source, family: 'refused' };
  return undefined;
}

function claimFromMimeType(declaredMime: string | undefined): Claim | undefined {
  const mime = declaredMime?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!mime || GENERIC_MIME_TYPES.has(mime)) return undefined;
  const source = `declared as ${mime}`;
  const type = MIME_TYPE_CLAIMS.get(mime);
  if (type) return { source, family: FAMILY_OF[type], type };
  if (ZIP_MIME_TYPES.has(mime)) return { source, family: 'docx' };
  if (isOtherTextMimeType(mime)) return { source, family: 'text' };
  return { source, family: 'refused' };
}

/**
 * Within the text family the name or declared type decides (the uploader knows whether a file is
 * meant as Markdown), with one exception: a `.md` holding a whole HTML page is read as HTML, which
 * is how Markdown itself treats raw HTML. Unnamed text is classified by its structure.
 */
function textTypeOf(head: string, named: DocumentType | undefined): DocumentType {
  if (named === 'markdown' && looksLikeHtmlDocument(head)) return 'html';
  if (named) return named;
  if (looksLikeHtmlDocument(head) || looksLikeHtmlFragment(head)) return 'html';
  if (looksLikeMarkdown(head)) return 'markdown';
  return 'text';
}

const LEADING_NOISE = /^(?:\s+|<\?xml[^>]*\?>|<!--[\s\S]*?-->)*/;

function looksLikeHtmlDocument(head: string): boolean {
  const start = head.replace(LEADING_NOISE, '').slice(0, 512);
  return /^<!doctype\s+html\b/i.test(start) || /^<(?:html|head|body)\b[^>]*>/i.test(start);
}

function looksLikeHtmlFragment(head: string): boolean {
  const start = head.replace(LEADING_NOISE, '').slice(0, 512);
  return /^<(?:div|p|h[1-6]|section|article|main|header|nav|table|ul|ol|span|a|meta|title|link|style|script|br|img|form|blockquote|pre|figure)\b[^>]*>/i.test(
    start,
  );
}

/**
 * Structural signs of Markdown, weighted; plain prose with a dash list does not qualify. Every
 * repetition is bounded so that a crafted line cannot make these patterns slow.
 */
function looksLikeMarkdown(head: string): boolean {
  const signs: Array<[RegExp, number]> = [
    [/^ {0,3}#{1,6}[ \t]+\S/m, 2],
    [/^ {0,3}(?:```|~~~)/m, 2],
    [/\[[^\]\n]{1,200}\]\([^)\s]{1,500}\)/, 2],
    [/^\|?[^\n|]{0,200}\|[^\n]{0,500}\n\|? *:?-{3,}/m, 2],
    [/^\S[^\n]{0,200}\n {0,3}=+[ \t]*$/m, 1],
    [/(?:\*\*|__)\S[^\n]{0,200}?\S(?:\*\*|__)/, 1],
    [/`[^`\n]{1,200}`/, 1],
    [/^ {0,3}> /m, 0.5],
    [/^ {0,3}[-*+] \S/m, 0.5],
  ];
  const score = signs.reduce((sum, [pattern, weight]) => sum + (pattern.test(head) ? weight : 0), 0);
  return score >= 2;
}
