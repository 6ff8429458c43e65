import { ApiError } from '../../../common/errors/api-error';
import { isEncryptedOfficePackage } from '../binary-signatures';
import { MAX_INFLATED_BYTES, MAX_INFLATED_MB } from '../document-limits';
import { declaredUnpackedBytes } from '../zip-entries';
import { requireText, type ParsedDocument } from '../parsed-document';
import { htmlToDocument, loadHtmlparser2 } from './html-parser';

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
  if ((declaredUnpackedBytes(bytes) ?? 0) > MAX_INFLATED_BYTES) {
    throw new ApiError(
      'unprocessable_document',
      `The Word document unpacks to more than ${MAX_INFLATED_MB} MB; it may be a ZIP bomb or too large to read.`,
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
