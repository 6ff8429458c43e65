import { ApiError } from '../../../common/errors/api-error';
import { isEncryptedOfficePackage } from '../binary-signatures';
import { declaredUnpackedBytes } from '../zip-entries';
import { requireText, type ParsedDocument } from '../parsed-document';
import { htmlToDocument, loadHtmlparser2 } from './html-parser';

/**
 * Most a .docx may unpack to, by its own account. Mammoth reads about 7 MB of document XML a
 * second here, so a document past this would run into the parse time limit anyway (48 MB: 7 s;
 * 300 MB: stopped at 20 s); it is refused before a worker spends that time on it.
 */
const MAX_UNPACKED_BYTES = 128 * 1024 * 1024;

/**
 * Word's title and heading paragraph styles as HTML headings. Mammoth already maps "Heading 1"…
 * "Heading 6"; the Title style is added so a document's title counts as its top heading.
 */
const STYLE_MAP = ["p[style-name='Title'] => h1:fresh", 'p.Title => h1:fresh'];

/**
 * A .docx converted to HTML by mammoth, then read like any HTML so that heading paths come from
 * the Heading 1–6 paragraph styles.
 */
export async function docxToDocument(bytes: Buffer): Promise<ParsedDocument> {
  if (isEncryptedOfficePackage(bytes)) {
    throw new ApiError('unprocessable_document', 'The Word document is password-protected (encrypted); upload a copy without a password.');
  }
  if ((declaredUnpackedBytes(bytes) ?? 0) > MAX_UNPACKED_BYTES) {
    throw new ApiError(
      'unprocessable_document',
      `The Word document unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB; it may be a ZIP bomb or too large to read.`,
    );
  }
  const mammoth = (await import('mammoth')).default;
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: bytes },
      {
        styleMap: STYLE_MAP,
        // Images are not text: skip reading them instead of inlining them as base64.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
        // A document must not make the server read files or URLs it links to.
        externalFileAccess: false,
        ignoreEmptyParagraphs: true,
      },
    );
    html = result.value;
  } catch (error) {
    const apiError = new ApiError('unprocessable_document', 'The Word document is damaged or incomplete and could not be read.');
    apiError.cause = error;
    throw apiError;
  }
  return requireText(htmlToDocument(html, await loadHtmlparser2()), 'The Word document');
}
