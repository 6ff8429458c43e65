import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ascii85Decode, asciiHexDecode, lzwDecode, runLengthDecode } from '../../../src/content/parsing/parsers/pdf-stream-filters';

/** LZW codes packed MSB first at the widths a PDF reader expects (EarlyChange 1). */
function packLzw(codes: number[]): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let count = 0;
  let next = 258;
  let width = 9;
  let first = true;
  for (const code of codes) {
    bits = (bits << width) | code;
    count += width;
    while (count >= 8) {
      bytes.push((bits >>> (count - 8)) & 0xff);
      count -= 8;
    }
    bits &= (1 << count) - 1;
    if (code === 256) {
      next = 258;
      width = 9;
      first = true;
      continue;
    }
    // A reader adds a dictionary entry for every code but the first after a clear.
    if (!first && next < 4096) next++;
    first = false;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  if (count) bytes.push((bits << (8 - count)) & 0xff);
  return Buffer.from(bytes);
}

describe('PDF stream filters decoded within a budget', () => {
  it('should decode the LZW example of the PDF specification', () => {
    const encoded = Buffer.from('800b6050220c0c8501', 'hex');
    assert.equal(String(lzwDecode(encoded, 100)), '-----A---B');
  });

  it('should refuse an LZW stream of ever longer runs once past the budget', () => {
    // Codes 32, 258, 259, …: each one space longer than the last; 3,837 codes (5.6 KB) make 7.4 MB.
    const codes = [32, ...Array.from({ length: 4095 - 258 }, (_, i) => 258 + i), 257];
    const encoded = packLzw(codes);
    assert.ok(encoded.length < 6 * 1024, `${encoded.length} bytes`);
    assert.equal(lzwDecode(encoded, 1024 * 1024), 'over');
    const whole = lzwDecode(encoded, 64 * 1024 * 1024);
    assert.ok(Buffer.isBuffer(whole));
    assert.equal(whole.length, (3838 * 3839) / 2);
    assert.ok(whole.every((byte) => byte === 0x20));
  });

  it('should decode RunLength runs and literals, and refuse runs past the budget before writing them', () => {
    const encoded = Buffer.from([2, 0x61, 0x62, 0x63, 257 - 4, 0x7a, 128]);
    assert.equal(String(runLengthDecode(encoded, 100)), 'abczzzz');
    assert.equal(runLengthDecode(Buffer.alloc(2_000, Buffer.from([129, 0x20])), 1024), 'over');
  });

  it('should decode ASCII85 with its z shorthand and a short last group, and ASCIIHex with an odd last digit', () => {
    assert.equal(String(ascii85Decode(Buffer.from('87cURD]i,"Ebo80~>'), 100)), 'Hello World!');
    assert.deepEqual(ascii85Decode(Buffer.from('z~>'), 100), Buffer.alloc(4));
    assert.equal(ascii85Decode(Buffer.from('z'.repeat(1_000)), 100), 'over');
    assert.deepEqual(asciiHexDecode(Buffer.from('48 65 6c6C 7>'), 100), Buffer.from([0x48, 0x65, 0x6c, 0x6c, 0x70]));
  });
});
