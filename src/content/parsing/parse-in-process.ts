import type { DocumentType } from './document-type';
import { requireText, type ParsedDocument } from './parsed-document';
import { docxToDocument } from './parsers/docx-parser';
import { htmlToDocument, loadHtmlparser2 } from './parsers/html-parser';
import { markdownToDocument } from './parsers/markdown-parser';
import { pdfToDocument } from './parsers/pdf-parser';
import { textToDocument } from './parsers/text-parser';

/**
 * Parses in the calling thread, with no time or memory limit. It is what the parse worker runs;
 * call it directly only on content you trust (fixtures, demo content). Asynchronous because
 * pdf.js and mammoth are.
 */
export async function parseDocumentInProcess(bytes: Uint8Array, type: DocumentType): Promise<ParsedDocument> {
  switch (type) {
    case 'pdf':
      return pdfToDocument(bytes);
    case 'docx':
      return docxToDocument(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    case 'html':
      return requireText(htmlToDocument(decodeUtf8(bytes), await loadHtmlparser2()));
    case 'markdown':
      return requireText(markdownToDocument(decodeUtf8(bytes)));
    case 'text':
      return textToDocument(decodeUtf8(bytes));
  }
}

/** Detection has already required UTF-8; the decoder drops a byte-order mark. */
function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
