/**
 * Signatures of common formats we do not accept, so a refusal can say what the file is
 * ("a PNG image") rather than only what it is not. Binary signatures are only consulted once the
 * content has failed the text test: two bytes such as "MZ" also begin ordinary sentences.
 */
interface Signature {
  description: string;
  bytes: number[];
  offset?: number;
}

const SIGNATURES: Signature[] = [
  { description: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { description: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { description: 'a GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { description: 'a WebP image', bytes: [0x57, 0x45, 0x42, 0x50], offset: 8 },
  { description: 'a TIFF image', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { description: 'a TIFF image', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { description: 'an audio or video file', bytes: [0x66, 0x74, 0x79, 0x70], offset: 4 },
  { description: 'an audio file', bytes: [0x49, 0x44, 0x33] },
  { description: 'an audio or video file', bytes: [0x4f, 0x67, 0x67, 0x53] },
  { description: 'a WAVE audio file', bytes: [0x57, 0x41, 0x56, 0x45], offset: 8 },
  { description: 'a gzip archive', bytes: [0x1f, 0x8b] },
  { description: 'a 7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { description: 'a RAR archive', bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { description: 'an executable program', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { description: 'an executable program', bytes: [0x4d, 0x5a] },
  { description: 'an executable program', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { description: 'a WebAssembly module', bytes: [0x00, 0x61, 0x73, 0x6d] },
  { description: 'an SQLite database', bytes: [...Buffer.from('SQLite format 3')] },
  { description: 'UTF-16 text (save it as UTF-8)', bytes: [0xff, 0xfe] },
  { description: 'UTF-16 text (save it as UTF-8)', bytes: [0xfe, 0xff] },
];

/** Formats that are valid text on the surface but are not documents we can read as text. */
const TEXTUAL_SIGNATURES: Signature[] = [
  { description: 'an RTF document', bytes: [...Buffer.from('{\\rtf')] },
  { description: 'a PostScript file', bytes: [...Buffer.from('%!PS')] },
];

/** The compound-file container of legacy Office formats and of password-protected Office files. */
const OLE_COMPOUND_FILE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

export function startsWith(bytes: Buffer, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

export function describeKnownBinary(bytes: Buffer): string | undefined {
  return SIGNATURES.find((s) => startsWith(bytes, s.bytes, s.offset))?.description;
}

export function describeTextualNonDocument(bytes: Buffer): string | undefined {
  return TEXTUAL_SIGNATURES.find((s) => startsWith(bytes, s.bytes, s.offset))?.description;
}

export function isOleCompoundFile(bytes: Buffer): boolean {
  return startsWith(bytes, OLE_COMPOUND_FILE);
}

/**
 * Office encrypts a protected .docx by wrapping it in a compound file whose stream is named
 * "EncryptedPackage" (MS-OFFCRYPTO); directory names are UTF-16LE.
 */
export function isEncryptedOfficePackage(bytes: Buffer): boolean {
  return isOleCompoundFile(bytes) && bytes.includes(Buffer.from('EncryptedPackage', 'utf16le'));
}
