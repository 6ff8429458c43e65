/**
 * Decoders for the PDF stream filters other than FlateDecode that pdf.js applies to a content
 * stream, each refusing to produce more than `budget` bytes ('over'). RunLengthDecode turns 2
 * bytes into 128, LZWDecode a few kilobytes into megabytes and ASCII85Decode's `z` 1 byte into 4,
 * and each can follow FlateDecode in a chain: a 16 MB RunLength page, or a 100 KB Flate+RunLength
 * one, held a parse worker for its full 20 s at 1.4 GB resident before. Image-only filters
 * (DCTDecode, JPXDecode, CCITTFaxDecode, JBIG2Decode) are not here: reading text never decodes them.
 * Predictors (DecodeParms) are not undone; they only shrink data, so the count stays an upper bound.
 */
export type Decoded = Buffer | 'over';

export function runLengthDecode(data: Buffer, budget: number): Decoded {
  // First the size, so that a bomb is refused without writing its output.
  let size = 0;
  for (let i = 0; i < data.length;) {
    const length = data[i];
    if (length === 128) break;
    if (length < 128) {
      size += length + 1;
      i += length + 2;
    } else {
      size += 257 - length;
      i += 2;
    }
    if (size > budget) return 'over';
  }
  const out = Buffer.alloc(size);
  let at = 0;
  for (let i = 0; i < data.length && at < size;) {
    const length = data[i];
    if (length === 128) break;
    if (length < 128) {
      at += data.copy(out, at, i + 1, Math.min(data.length, i + 2 + length));
      i += length + 2;
    } else {
      const count = 257 - length;
      if (i + 1 < data.length) out.fill(data[i + 1], at, at + count);
      at += count;
      i += 2;
    }
  }
  return out.subarray(0, at);
}

export function asciiHexDecode(data: Buffer, budget: number): Decoded {
  const hex = data
    .toString('latin1')
    .replace(/>[\s\S]*$/, '')
    .replace(/[^0-9A-Fa-f]/g, '');
  const out = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  return out.length > budget ? 'over' : out;
}

export function ascii85Decode(data: Buffer, budget: number): Decoded {
  const text = data
    .toString('latin1')
    .replace(/~>[\s\S]*$/, '')
    .replace(/\s+/g, '');
  const zeros = text.split('z').length - 1;
  const size = zeros * 4 + Math.ceil(((text.length - zeros) * 4) / 5);
  if (size > budget) return 'over';
  const out = Buffer.alloc(size);
  let at = 0;
  let group = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7a && digits === 0) {
      at += 4; // Buffer.alloc already holds the zeros.
      continue;
    }
    if (c < 0x21 || c > 0x75) continue;
    group = group * 85 + (c - 0x21);
    if (++digits === 5) {
      out.writeUInt32BE(group >>> 0, at);
      at += 4;
      group = 0;
      digits = 0;
    }
  }
  if (digits > 1) {
    for (let pad = digits; pad < 5; pad++) group = group * 85 + 84;
    for (let byte = 0; byte < digits - 1; byte++) out[at++] = (group >>> (24 - 8 * byte)) & 0xff;
  }
  return out.subarray(0, at);
}

/** LZW as PDF uses it: 9- to 12-bit codes, 256 clears, 257 ends, widths changing one code early. */
export function lzwDecode(data: Buffer, budget: number, earlyChange = 1): Decoded {
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const lengths = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    lengths[i] = 1;
    prefix[i] = -1;
  }
  let out = Buffer.alloc(Math.min(budget + 1, Math.max(1024, data.length * 4)));
  let at = 0;
  let next = 258;
  let width = 9;
  let previous = -1;
  let bits = 0;
  let bitCount = 0;
  for (let i = 0; ;) {
    while (bitCount < width && i < data.length) {
      bits = ((bits << 8) | data[i++]) & 0xffffff;
      bitCount += 8;
    }
    if (bitCount < width) break;
    const code = (bits >>> (bitCount - width)) & ((1 << width) - 1);
    bitCount -= width;
    if (code === 256) {
      next = 258;
      width = 9;
      previous = -1;
      continue;
    }
    if (code === 257) break;
    let entry = code;
    if (code >= next) {
      if (previous < 0 || code > next) break; // Damaged: pdf.js stops here too.
      entry = -1;
    }
    const length = entry >= 0 ? lengths[entry] : lengths[previous] + 1;
    if (at + length > budget) return 'over';
    if (at + length > out.length) {
      const grown = Buffer.alloc(Math.min(budget + 1, Math.max(out.length * 2, at + length)));
      out.copy(grown, 0, 0, at);
      out = grown;
    }
    // The string of a code is written backwards along its prefixes.
    let walk = entry >= 0 ? entry : previous;
    let end = at + (entry >= 0 ? length : length - 1);
    while (walk >= 0) {
      out[--end] = suffix[walk];
      walk = prefix[walk];
    }
    if (entry < 0) out[at + length - 1] = out[at];
    if (previous >= 0 && next < 4096) {
      prefix[next] = previous;
      suffix[next] = out[at];
      lengths[next] = lengths[previous] + 1;
      next++;
    }
    at += length;
    previous = code;
    if (next + earlyChange >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, at);
}
