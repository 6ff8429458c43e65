import { once } from 'node:events';
import { createDeflate, deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';

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

/** RunLengthDecode data for one line of page text followed by `spaces` spaces (2 bytes per 128). */
export function runLengthPage(spaces: number): Buffer {
  const text = Buffer.from('BT /F1 12 Tf 72 712 Td (Photosynthesis turns light into sugar.) Tj ET\n', 'latin1');
  const run = Buffer.from([257 - 128, 0x20]);
  return Buffer.concat([Buffer.from([text.length - 1]), text, Buffer.alloc(Math.ceil(spaces / 128) * 2, run), Buffer.from([128])]);
}

/** Numbered objects (1, 2, …; object 1 is the catalog) with a correct cross-reference table. */
function writeRawPdf(objects: Array<string | Buffer>): Buffer {
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
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(parts);
}
