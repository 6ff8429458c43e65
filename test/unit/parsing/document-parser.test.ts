import { afterAll, describe, it, expect } from '@jest/globals';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/common/errors/api-error';
import { DocumentParser } from '../../../src/content/parsing/document-parser';
import { buildDocx, buildEncryptedPdf, buildPdf, buildPdfWithoutText, buildZip } from '../../support/fixtures-builders/documents';

/** Asserts a 422 `unprocessable_document` whose message matches. */
async function assertUnprocessable(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'unprocessable_document');
    assert.equal(error.status, 422);
    assert.match(error.message, message);
    return true;
  });
}

describe('DocumentParser', () => {
  const parser = new DocumentParser({ parsing: { workers: 2 } });
  afterAll(() => parser.onApplicationShutdown());
  const parseDocument = parser.parse.bind(parser);
  const parseAndChunkDocument = parser.parseAndChunk.bind(parser);

  it('should read a PDF page by page with page numbers and its own title', async () => {
    const pdf = await buildPdf([['Cells are the units of life.', 'They divide.'], [], ['Plants make sugar from light.']], {
      title: 'Biology 101',
    });
    const document = await parseDocument(pdf, 'pdf');
    assert.equal(document.title, 'Biology 101');
    expect(document.sections).toEqual([
      { text: 'Cells are the units of life.\nThey divide.', page: 1 },
      { text: 'Plants make sugar from light.', page: 3 },
    ]);
  });

  it('should keep page numbers on chunks when a page is longer than one chunk', async () => {
    const markers = ['alpha', 'bravo', 'charlie'];
    const pages = markers.map((marker) =>
      Array.from({ length: 24 }, (_, i) => `Sentence ${i + 1} of the ${marker} page talks about ${marker} things.`),
    );
    const { document, chunks } = await parseAndChunkDocument(await buildPdf(pages), 'pdf', {
      chunkSize: 64,
      chunkOverlap: 8,
    });
    assert.equal(document.sections.length, 3);
    assert.ok(chunks.length > 3, 'each page should need several chunks');
    for (const chunk of chunks) {
      const marker = markers.find((m) => chunk.text.includes(m));
      assert.ok(marker, `chunk ${chunk.position} carries a page marker`);
      assert.equal(chunk.page, markers.indexOf(marker) + 1, `chunk "${chunk.text.slice(0, 40)}…" is on its page`);
      assert.ok(!markers.some((m) => m !== marker && chunk.text.includes(m)), 'a chunk never spans two pages');
    }
    expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, i) => i));
  });

  it('should refuse at once a PDF of more than 10,000 pages, which would run past the time limit', async () => {
    // 10,000 one-line pages took over 20 s to read (5,000: 8.5 s), so such a PDF held a parse
    // worker for the whole time limit before its 422.
    const pages = Array.from({ length: 10_001 }, (_, i) => [`Page ${i + 1}.`]);
    const pdf = await buildPdf(pages);
    const started = Date.now();
    await assertUnprocessable(parseDocument(pdf, 'pdf'), /more than 10,000 pages/);
    assert.ok(Date.now() - started < 3_000, `${Date.now() - started} ms`);
  });

  it('should refuse a password-protected PDF as unprocessable', async () => {
    await assertUnprocessable(parseDocument(buildEncryptedPdf(), 'pdf'), /password-protected/);
  });

  it('should refuse a PDF without a text layer as unprocessable', async () => {
    await assertUnprocessable(parseDocument(await buildPdfWithoutText(), 'pdf'), /no text layer/);
  });

  it('should refuse a truncated PDF as unprocessable', async () => {
    const pdf = await buildPdf([['Some text on a page.'], ['More text.']]);
    await assertUnprocessable(parseDocument(pdf.subarray(0, Math.floor(pdf.length / 3)), 'pdf'), /damaged/);
  });

  it('should read a Word document with heading paths from its heading styles', async () => {
    const docx = await buildDocx([
      { text: 'Biology Course', style: 'Title' },
      { text: 'Cells', style: 'Heading1' },
      { text: 'Cells are the units of life.' },
      { text: 'Mitochondria', style: 'Heading2' },
      { text: 'They make ATP & heat.' },
      { text: 'Ribosomes', style: 'Heading2' },
      { text: 'They make proteins.' },
      { text: 'Plants', style: 'Heading1' },
      { text: 'Plants make sugar.' },
    ]);
    const document = await parseDocument(docx, 'docx');
    assert.equal(document.title, 'Biology Course');
    expect(document.sections).toEqual([
      { text: 'Cells are the units of life.', headingPath: ['Cells'] },
      { text: 'They make ATP & heat.', headingPath: ['Cells', 'Mitochondria'] },
      { text: 'They make proteins.', headingPath: ['Cells', 'Ribosomes'] },
      { text: 'Plants make sugar.', headingPath: ['Plants'] },
    ]);
  });

  it('should refuse a truncated Word document as unprocessable', async () => {
    const docx = await buildDocx([{ text: 'Cells are the units of life.' }]);
    await assertUnprocessable(parseDocument(docx.subarray(0, docx.length - 40), 'docx'), /damaged/);
  });

  it('should refuse at once a Word document that unpacks to hundreds of megabytes (a ZIP bomb)', async () => {
    // 200 MB of one letter deflate to 200 KB; reading them ran into the 20 s time limit.
    const bomb = await buildZip({
      '[Content_Types].xml': '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
      '_rels/.rels':
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '</Relationships>',
      'word/document.xml': `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${'a'.repeat(200 * 1024 * 1024)}</w:t></w:r></w:p></w:body></w:document>`,
    });
    assert.ok(bomb.length < 1024 * 1024);
    const started = Date.now();
    await assertUnprocessable(parseDocument(bomb, 'docx'), /unpacks to more than/);
    assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
  });

  it('should refuse a Word document with no text as unprocessable', async () => {
    await assertUnprocessable(parseDocument(await buildDocx([{ text: '   ' }]), 'docx'), /no readable text/);
  });

  it('should refuse a text file that is only white space as unprocessable', async () => {
    await assertUnprocessable(parseDocument(Buffer.from(' \n\t\n '), 'text'), /no readable text/);
  });

  it('should stop at the time limit and call the document too slow to read', async () => {
    // Forty pages take tens of milliseconds even to a warm worker: well past a 1 ms limit.
    const pdf = await buildPdf(Array.from({ length: 40 }, (_, page) => [`Page ${page + 1} says something.`, 'And more.']));
    const started = Date.now();
    await assertUnprocessable(parseDocument(pdf, 'pdf', { timeoutMs: 1 }), /took too long/);
    assert.ok(Date.now() - started < 5_000);
  });

  it('should leave the caller’s buffer intact', async () => {
    const bytes = Buffer.from('# Title\n\nBody text.');
    await parseDocument(bytes, 'markdown');
    assert.equal(bytes.toString(), '# Title\n\nBody text.');
  });
});
