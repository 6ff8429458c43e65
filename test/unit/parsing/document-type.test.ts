import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/common/errors/api-error';
import { detectDocumentType, MIME_TYPES } from '../../../src/content/parsing/document-type';
import { buildDocx, buildPdf, buildXlsxLikeZip, buildZip, PNG_BYTES } from '../../support/fixtures-builders/documents';

/** Asserts a 415 whose message contains every given fragment. */
function assertUnsupported(action: () => unknown, ...fragments: RegExp[]): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'unsupported_media_type');
    assert.equal(error.status, 415);
    for (const fragment of fragments) assert.match(error.message, fragment);
    return true;
  });
}

const text = (content: string): Buffer => Buffer.from(content, 'utf8');

describe('detectDocumentType', () => {
  it('should recognise a PDF by its header when name and declared type agree', async () => {
    const pdf = await buildPdf([['Hello']]);
    assert.equal(detectDocumentType(pdf, 'notes.pdf', 'application/pdf'), 'pdf');
    assert.equal(detectDocumentType(pdf, undefined, undefined), 'pdf');
  });

  it('should call an empty file empty (422), whatever document name it has, not text posing as a PDF (415)', () => {
    for (const [name, mime] of [
      ['notes.pdf', 'application/pdf'],
      ['notes.docx', MIME_TYPES.docx],
      ['notes.md', 'text/markdown'],
      [undefined, undefined],
    ]) {
      assert.throws(
        () => detectDocumentType(Buffer.alloc(0), name, mime),
        (error: unknown) => error instanceof ApiError && error.code === 'unprocessable_document' && /empty/.test(error.message),
        String(name),
      );
    }
    assertUnsupported(() => detectDocumentType(Buffer.alloc(0), 'setup.exe', undefined), /executable|\.exe/);
  });

  it('should recognise a Word document by the parts inside its ZIP package', async () => {
    const docx = await buildDocx([{ text: 'Hello' }]);
    assert.equal(detectDocumentType(docx, 'Course.DOCX', MIME_TYPES.docx), 'docx');
    assert.equal(detectDocumentType(docx, 'course.docx', 'application/octet-stream'), 'docx');
    assert.equal(detectDocumentType(docx, undefined, 'application/zip'), 'docx');
  });

  it('should still recognise a truncated Word document so that reading it can report the damage', async () => {
    const docx = await buildDocx([{ text: 'Hello' }]);
    assert.equal(detectDocumentType(docx.subarray(0, docx.length - 40), 'course.docx', undefined), 'docx');
  });

  it('should reject a text file named .pdf', () => {
    assertUnsupported(() => detectDocumentType(text('Just some notes.'), 'notes.pdf', undefined), /\.pdf/, /text/);
  });

  it('should reject text declared as a PDF even without a file name', () => {
    assertUnsupported(() => detectDocumentType(text('Just some notes.'), undefined, 'application/pdf'), /application\/pdf/);
  });

  it('should reject PDF bytes named .txt', async () => {
    const pdf = await buildPdf([['Hello']]);
    assertUnsupported(() => detectDocumentType(pdf, 'notes.txt', 'text/plain'), /\.txt/, /PDF/);
  });

  it('should reject a Word document declared as HTML', async () => {
    const docx = await buildDocx([{ text: 'Hello' }]);
    assertUnsupported(() => detectDocumentType(docx, undefined, 'text/html'), /text\/html/, /Word/);
  });

  it('should reject a PNG image whatever it is called', () => {
    assertUnsupported(() => detectDocumentType(PNG_BYTES, 'photo.png', 'image/png'), /PNG image/);
    assertUnsupported(() => detectDocumentType(PNG_BYTES, 'notes.txt', 'text/plain'), /PNG image/);
  });

  it('should reject a spreadsheet even when it is named .docx', async () => {
    const xlsx = await buildXlsxLikeZip();
    assertUnsupported(() => detectDocumentType(xlsx, 'grades.xlsx', undefined), /spreadsheet/);
    assertUnsupported(() => detectDocumentType(xlsx, 'grades.docx', MIME_TYPES.docx), /spreadsheet/);
  });

  it('should reject a plain ZIP archive', async () => {
    const zip = await buildZip({ 'notes.txt': 'hello' });
    assertUnsupported(() => detectDocumentType(zip, 'notes.zip', 'application/zip'), /ZIP archive/);
  });

  it('should reject UTF-16 text and binary garbage named .txt', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Hello there', 'utf16le')]);
    assertUnsupported(() => detectDocumentType(utf16, 'notes.txt', 'text/plain'), /UTF-16/);
    const utf16WithoutMark = Buffer.from('Hello there', 'utf16le');
    assertUnsupported(() => detectDocumentType(utf16WithoutMark, 'notes.txt', undefined), /not text/);
    const garbage = Buffer.from([0x13, 0x37, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x7f, 0x80]);
    assertUnsupported(() => detectDocumentType(garbage, 'notes.txt', undefined), /not text/);
  });

  it('should reject text that is not UTF-8 and say how to fix it', () => {
    const latin1 = Buffer.from("Élève à l'école", 'latin1');
    assertUnsupported(() => detectDocumentType(latin1, 'notes.txt', undefined), /other than UTF-8/, /save it as UTF-8/);
  });

  it('should reject a legacy Word .doc and an RTF file with a hint of what to do', () => {
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);
    assertUnsupported(() => detectDocumentType(ole, 'old.doc', 'application/msword'), /legacy Office/, /\.docx/);
    assertUnsupported(() => detectDocumentType(text('{\\rtf1\\ansi Hello}'), 'letter.rtf', undefined), /RTF/);
  });

  it('should reject a format we do not read by its name even when its content is text', () => {
    assertUnsupported(() => detectDocumentType(text('not really a program'), 'setup.exe', undefined), /\.exe/);
    assertUnsupported(() => detectDocumentType(text('plain words'), undefined, 'image/png'), /image\/png/);
  });

  it('should read a .txt holding Markdown as plain text, as named', () => {
    assert.equal(detectDocumentType(text('# Title\n\nSome **bold** text.'), 'notes.txt', undefined), 'text');
  });

  it('should let the name or the declared type choose among the text formats', () => {
    assert.equal(detectDocumentType(text('Plain words.'), 'notes.md', 'text/plain'), 'markdown');
    assert.equal(detectDocumentType(text('Plain words.'), undefined, 'text/markdown; charset=utf-8'), 'markdown');
    assert.equal(detectDocumentType(text('Plain <b>words</b>.'), 'page.html', undefined), 'html');
    assert.equal(detectDocumentType(text('Plain words.'), 'data.csv', 'text/csv'), 'text');
  });

  it('should read a .md that holds a whole HTML page as HTML', () => {
    const page = text('<!DOCTYPE html>\n<html><body><h1>Cells</h1><p>Text</p></body></html>');
    assert.equal(detectDocumentType(page, 'notes.md', undefined), 'html');
  });

  it('should classify unnamed text by its structure', () => {
    assert.equal(detectDocumentType(text('<!-- saved page -->\n<!doctype html><p>Hi</p>'), undefined, undefined), 'html');
    assert.equal(detectDocumentType(text('<div><p>Hi</p></div>'), undefined, undefined), 'html');
    assert.equal(detectDocumentType(text('# Cells\n\nSee [the atlas](https://example.org).'), undefined, undefined), 'markdown');
    assert.equal(detectDocumentType(text('Shopping list:\n- eggs\n- milk\n'), undefined, undefined), 'text');
    assert.equal(detectDocumentType(text('\uFEFFPlain words with a byte-order mark.'), 'notes', undefined), 'text');
  });
});
