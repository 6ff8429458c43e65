import { once } from 'node:events';
import { createCipheriv, createHash } from 'node:crypto';
import { createDeflate, deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
// The encrypted test PDFs use the product's RC4; pdf.js reading the small ones checks it independently.
import { PASSWORD_PAD, rc4 } from '../../src/content/parsing/parsers/pdf-decryption';

/** A real PDF with the given text on each page (one string per page). */
export async function makePdf(pages: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = pdf.addPage([595, 842]);
    let y = 800;
    for (const line of wrap(text, 90)) {
      page.drawText(line, { x: 40, y, size: 11, font });
      y -= 16;
    }
  }
  return Buffer.from(await pdf.save());
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if ((line + ' ' + word).trim().length > width) {
      lines.push(line);
      line = word;
    } else line = `${line} ${word}`.trim();
  }
  if (line) lines.push(line);
  return lines;
}

export const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

export interface CompressedPdfOptions {
  /** Bytes each page's content stream inflates to: one line of text, then spaces. */
  inflatedBytes: number;
  pages?: number;
  /** One content stream for every page (read once per page), rather than one stream each. */
  shared?: boolean;
}

/**
 * A small PDF whose page content is compressed twice (two FlateDecode filters, which any reader
 * undoes in turn): a gigabyte of content fits in a few kilobytes, the shape of a compression bomb.
 */
export async function makeCompressedPdf({ inflatedBytes, pages = 1, shared = false }: CompressedPdfOptions): Promise<Buffer> {
  const text = Buffer.from('BT /F1 12 Tf 72 712 Td (Photosynthesis turns light into sugar.) Tj ET\n', 'latin1');
  const spaces = Buffer.alloc(1 << 20, 0x20);
  const deflate = createDeflate({ level: 9 });
  const compressed: Buffer[] = [];
  deflate.on('data', (piece: Buffer) => compressed.push(piece));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  deflate.write(text);
  for (let left = inflatedBytes - text.length; left > 0; left -= spaces.length) {
    if (!deflate.write(left >= spaces.length ? spaces : spaces.subarray(0, left))) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  const content = deflateSync(Buffer.concat(compressed));
  const stream = Buffer.concat([
    Buffer.from(`<< /Filter [/FlateDecode /FlateDecode] /Length ${content.length} >>\nstream\n`, 'latin1'),
    content,
    Buffer.from('\nendstream', 'latin1'),
  ]);
  // Objects: 1 catalog, 2 page tree, 3 font, then the pages, then the content streams.
  const pageIds = Array.from({ length: pages }, (_, i) => 4 + i);
  const contentId = (page: number) => 4 + pages + (shared ? 0 : page);
  const objects: Array<string | Buffer> = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...pageIds.map(
      (_, page) =>
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId(page)} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
    ),
    ...Array.from({ length: shared ? 1 : pages }, () => stream),
  ];
  return writeRawPdf(objects);
}

/**
 * A one-page PDF whose content stream is `data` under the given filter chain (such as
 * "[/FlateDecode /RunLengthDecode]"); `data` must already be encoded by those filters.
 */
export function makeFilteredPdf(filter: string, data: Buffer): Buffer {
  const stream = Buffer.concat([
    Buffer.from(`<< /Filter ${filter} /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
  return writeRawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>',
    stream,
  ]);
}

/**
 * A one-page PDF whose page content invokes one form XObject `invocations` times; the form draws
 * one line of text, repeated until its content is about `formBytes` long. Both are Flate-compressed.
 */
export function makeFormInvokingPdf({ formBytes, invocations }: { formBytes: number; invocations: number }): Buffer {
  const line = 'BT /F1 12 Tf 72 712 Td (Photosynthesis turns light into sugar.) Tj ET\n';
  const form = deflateSync(Buffer.from(line.repeat(Math.max(1, Math.round(formBytes / line.length))), 'latin1'));
  const content = deflateSync(Buffer.from('/Fm1 Do\n'.repeat(invocations), 'latin1'));
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
  return writeRawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /Fm1 6 0 R >> >> >>',
    stream('/Filter /FlateDecode', content),
    stream('/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Filter /FlateDecode', form),
  ]);
}

/** `pages` pages sharing one uncompressed content stream of about `contentBytes`: one line of text, then spaces. */
export function makeSharedRawContentPdf({ contentBytes, pages }: { contentBytes: number; pages: number }): Buffer {
  const text = 'BT /F1 12 Tf 72 712 Td (Photosynthesis turns light into sugar.) Tj ET\n';
  const content = Buffer.concat([Buffer.from(text, 'latin1'), Buffer.alloc(Math.max(0, contentBytes - text.length), 0x20)]);
  const pageIds = Array.from({ length: pages }, (_, i) => 4 + i);
  const contentId = 4 + pages;
  return writeRawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...pageIds.map(
      () => `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
    ),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`, 'latin1'), content, Buffer.from('\nendstream', 'latin1')]),
  ]);
}

/** RunLengthDecode data for one line of page text followed by `spaces` spaces (2 bytes per 128). */
export function runLengthPage(spaces: number): Buffer {
  const text = Buffer.from('BT /F1 12 Tf 72 712 Td (Photosynthesis turns light into sugar.) Tj ET\n', 'latin1');
  const run = Buffer.from([257 - 128, 0x20]);
  return Buffer.concat([Buffer.from([text.length - 1]), text, Buffer.alloc(Math.ceil(spaces / 128) * 2, run), Buffer.from([128])]);
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

/** `length` bytes that look random but are the same in every run, so a failing fixture can be replayed. */
function fixedBytes(label: string, length: number): Buffer {
  return createHash('sha512').update(label).digest().subarray(0, length);
}

export type PdfCipher = 'rc4' | 'aes-128' | 'aes-256';

const aesCbc = (bits: 128 | 256, key: Buffer, iv: Buffer, data: Buffer, pad: boolean) => {
  const cipher = createCipheriv(`aes-${bits}-cbc`, key, iv).setAutoPadding(pad);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

/** Algorithm 2.B of ISO 32000-2 (revision 6) for the empty password. */
function revision6Hash(salt: Buffer): Buffer {
  let k = createHash('sha256').update(salt).digest();
  for (let round = 0; ; round++) {
    const e = aesCbc(128, k.subarray(0, 16), k.subarray(16, 32), Buffer.concat(Array.from({ length: 64 }, () => k)), false);
    const sum = e.subarray(0, 16).reduce((total, byte) => total + byte, 0);
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3])
      .update(e)
      .digest();
    if (round >= 63 && e[e.length - 1] <= round - 31) return k.subarray(0, 32);
  }
}

/**
 * `makeCompressedPdf`'s bomb encrypted by the Standard security handler (RC4 revision 2, AES-128
 * revision 4 or AES-256 revision 6) with an empty user password: any reader opens it without
 * asking, as it does the many PDFs "protected" only against printing or copying.
 */
export async function makeEncryptedCompressedPdf(inflatedBytes: number, cipher: PdfCipher = 'rc4'): Promise<Buffer> {
  const plain = await makeCompressedPdf({ inflatedBytes });
  const match = /5 0 obj\n<< \/Filter \[\/FlateDecode \/FlateDecode\] \/Length (\d+) >>\nstream\n/.exec(plain.toString('latin1'));
  if (!match) throw new Error('no content stream');
  const content = plain.subarray(match.index + match[0].length, match.index + match[0].length + Number(match[1]));
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(-44);
  let encrypted: Buffer;
  let handler: string;
  if (cipher === 'aes-256') {
    const fileKey = fixedBytes('1', 32);
    const [validationSalt, keySalt] = [fixedBytes('2', 8), fixedBytes('3', 8)];
    const user = Buffer.concat([revision6Hash(validationSalt), validationSalt, keySalt]);
    const userKey = aesCbc(256, revision6Hash(keySalt), Buffer.alloc(16), fileKey, false);
    const iv = fixedBytes('4', 16);
    encrypted = Buffer.concat([iv, aesCbc(256, fileKey, iv, content, true)]);
    handler =
      '<< /Filter /Standard /V 5 /R 6 /Length 256 /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >> /StmF /StdCF /StrF /StdCF ' +
      `/O <${fixedBytes('5', 48).toString('hex')}> /OE <${fixedBytes('6', 32).toString('hex')}> /U <${user.toString('hex')}> ` +
      `/UE <${userKey.toString('hex')}> /Perms <${fixedBytes('7', 16).toString('hex')}> /P -44 >>`;
  } else {
    const revision = cipher === 'rc4' ? 2 : 4;
    const length = revision === 2 ? 5 : 16;
    const owner = fixedBytes('8', 32);
    let fileKey = md5(PASSWORD_PAD, owner, permissions, id);
    if (revision >= 3) for (let i = 0; i < 50; i++) fileKey = md5(fileKey.subarray(0, length));
    fileKey = fileKey.subarray(0, length);
    let user = rc4(fileKey, revision === 2 ? PASSWORD_PAD : md5(PASSWORD_PAD, id));
    if (revision >= 3) {
      for (let i = 1; i <= 19; i++) user = rc4(Buffer.from(fileKey.map((byte) => byte ^ i)), user);
      user = Buffer.concat([user, Buffer.alloc(16)]);
    }
    const salt = cipher === 'rc4' ? Buffer.alloc(0) : Buffer.from('sAlT');
    const objectKey = md5(fileKey, Buffer.from([5, 0, 0, 0, 0]), salt).subarray(0, Math.min(length + 5, 16));
    const iv = fixedBytes('9', 16);
    encrypted = cipher === 'rc4' ? rc4(objectKey, content) : Buffer.concat([iv, aesCbc(128, objectKey, iv, content, true)]);
    const filter =
      cipher === 'rc4'
        ? '/V 1 /R 2'
        : '/V 4 /R 4 /Length 128 /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> /StmF /StdCF /StrF /StdCF';
    handler = `<< /Filter /Standard ${filter} /O <${owner.toString('hex')}> /U <${user.toString('hex')}> /P -44 >>`;
  }
  return writeRawPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R /Resources << /Font << /F1 3 0 R >> >> >>',
      Buffer.concat([
        Buffer.from(`<< /Filter [/FlateDecode /FlateDecode] /Length ${encrypted.length} >>\nstream\n`, 'latin1'),
        encrypted,
        Buffer.from('\nendstream', 'latin1'),
      ]),
      handler,
    ],
    `/Encrypt 6 0 R /ID [<${id.toString('hex')}> <${id.toString('hex')}>]`,
  );
}

/** Numbered objects (1, 2, …; object 1 is the catalog) with a correct cross-reference table. */
function writeRawPdf(objects: Array<string | Buffer>, trailerExtra = ''): Buffer {
  const parts = [Buffer.from('%PDF-1.4\n', 'latin1')];
  let length = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), Buffer.from(body), Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(length);
    parts.push(object);
    length += object.length;
  });
  const xref = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${length}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}
