import { ApiError } from '../../../common/errors/api-error';
import { normalizeHeading, normalizeText, requireText, type ParsedDocument, type ParsedSection } from '../parsed-document';
import { MAX_INFLATED_BYTES, MAX_INFLATED_MB } from '../document-limits';
import { pdfInflatesPast } from './pdf-inflated-size';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocument = Awaited<ReturnType<Pdfjs['getDocument']>['promise']>;
type TextContent = Awaited<ReturnType<Awaited<ReturnType<PdfDocument['getPage']>>['getTextContent']>>;

/**
 * Most pages a PDF may have. Reading pages costs more the more there are (2,000 one-line pages:
 * 2.7 s, 5,000: 8.5 s, 10,000: past the 20 s parse limit), so a longer one is refused before a
 * worker spends that limit on it.
 */
const MAX_PAGES = 10_000;

/** A vertical gap this many line heights wide between two lines is a paragraph break. */
const PARAGRAPH_GAP = 1.8;

/**
 * Text of a PDF, one section per page with its 1-based page number. Password protection, damage
 * and a missing text layer (scans) are each refused with their own reason.
 */
export async function pdfToDocument(bytes: Uint8Array): Promise<ParsedDocument> {
  // pdfjs-dist is ESM-only; SWC keeps this import() as is in the CommonJS build. The legacy build
  // is the one meant for Node. It runs its "worker" in this thread, which is itself a worker.
  if (pdfInflatesPast(bytes, MAX_INFLATED_BYTES)) {
    throw new ApiError(
      'unprocessable_document',
      `The PDF's page content decodes to more than ${MAX_INFLATED_MB} MB; it may be a compression bomb or too large to read.`,
    );
  }
  const pdfjs: Pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({
    // A plain view: pdf.js copies (and warns about) Node Buffers.
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    // No code generation from document content (the font-compilation path of CVE-2024-4367).
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let pdf: PdfDocument;
  try {
    pdf = await task.promise;
  } catch (error) {
    throw openingError(error);
  }
  try {
    if (pdf.numPages > MAX_PAGES) {
      throw new ApiError(
        'unprocessable_document',
        `The PDF has more than ${MAX_PAGES.toLocaleString('en')} pages (${pdf.numPages.toLocaleString('en')}); split it into smaller files.`,
      );
    }
    const sections: ParsedSection[] = [];
    let unreadablePages = 0;
    for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber++) {
      try {
        const page = await pdf.getPage(pageNumber);
        const text = normalizeText(pageText(await page.getTextContent()));
        page.cleanup();
        if (text) sections.push({ text, page: pageNumber });
      } catch {
        // One broken page should not cost the reader the others.
        unreadablePages++;
      }
    }
    if (unreadablePages === pdf.numPages) {
      throw withCause(new ApiError('unprocessable_document', 'The PDF is damaged and none of its pages could be read.'));
    }
    if (sections.length === 0) {
      throw new ApiError(
        'unprocessable_document',
        'The PDF has no text layer (it may be a scanned image); upload a version with selectable text.',
      );
    }
    const title = await documentTitle(pdf);
    return requireText(title ? { title, sections } : { sections }, 'The PDF');
  } finally {
    await task.destroy();
  }
}

function openingError(error: unknown): ApiError {
  const name = error instanceof Error ? error.name : '';
  if (name === 'PasswordException') {
    return withCause(
      new ApiError('unprocessable_document', 'The PDF is password-protected (encrypted); upload a copy without a password.'),
      error,
    );
  }
  return withCause(new ApiError('unprocessable_document', 'The PDF is damaged or incomplete and could not be read.'), error);
}

function withCause(apiError: ApiError, cause?: unknown): ApiError {
  if (cause !== undefined) apiError.cause = cause;
  return apiError;
}

/**
 * Joins the page's text items in reading order as pdf.js gives them: its end-of-line marks become
 * line breaks, and a wide vertical gap before a line becomes a blank line, so that the chunker can
 * keep paragraphs together.
 */
function pageText(content: TextContent): string {
  let text = '';
  let previous: { y: number; height: number } | undefined;
  for (const item of content.items) {
    if (!('str' in item)) continue;
    const y = Number(item.transform[5]) || 0;
    const height = Math.abs(item.height) || Math.abs(Number(item.transform[3])) || 0;
    if (previous && item.str && text.endsWith('\n')) {
      const lineHeight = Math.max(previous.height, height, 1);
      if (Math.abs(previous.y - y) > PARAGRAPH_GAP * lineHeight) text += '\n';
    }
    text += item.str;
    if (item.hasEOL) text += '\n';
    if (item.str) previous = { y, height };
  }
  return text;
}

/** The Title of the document information dictionary, else the XMP dc:title. */
async function documentTitle(pdf: PdfDocument): Promise<string | undefined> {
  try {
    const { info, metadata } = await pdf.getMetadata();
    const infoTitle = (info as { Title?: unknown }).Title;
    const candidates = [typeof infoTitle === 'string' ? infoTitle : undefined, metadata?.get('dc:title')];
    for (const candidate of candidates) {
      const title = typeof candidate === 'string' ? normalizeHeading(candidate) : '';
      if (title) return title;
    }
  } catch {
    // A broken metadata stream costs the title only.
  }
  return undefined;
}
