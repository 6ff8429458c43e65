import { normalizeText, requireText, type ParsedDocument } from '../parsed-document';

/**
 * Plain text as one section: it has no structure to keep, and the chunker splits it on
 * paragraphs and sentences anyway.
 */
export function textToDocument(text: string): ParsedDocument {
  return requireText({ sections: [{ text: normalizeText(text) }] });
}
