import { constants, inflateSync } from 'node:zlib';
import { emptyPasswordDecryptor, type StreamDecryptor } from './pdf-decryption';
import { ascii85Decode, asciiHexDecode, type Decoded, lzwDecode, runLengthDecode } from './pdf-stream-filters';

/**
 * Whether a PDF's content streams decode to more than `limit` bytes, each counted once per
 * reference to it (a page content stream that 50 pages share is read 50 times). pdf.js has no
 * limit of its own: it inflates a content stream whole into one growing buffer, outside the
 * worker's V8 heap limit, so a 2 KB file whose stream inflates to 1 GB held a parse worker for
 * the full 20 s and took the process to 2.3 GB. Here each stream is inflated by zlib with its
 * output capped at what is left of the budget, so a bomb is found after inflating at most
 * `limit` bytes.
 *
 * Image streams and embedded files are left out: reading text never decodes them. The other
 * filters pdf.js applies to content (RunLength, LZW, ASCII85, ASCIIHex) are decoded too, alone or
 * chained after FlateDecode, each within the budget (pdf-stream-filters.ts). Streams of a PDF that
 * opens without a password are decrypted first (pdf-decryption.ts).
 */
export function pdfInflatesPast(bytes: Uint8Array, limit: number): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const found = [...streams(text, bytes)];
  const decrypt = emptyPasswordDecryptor(text);
  const references = new Map<string, number>();
  countReferences(text, references);
  let budget = limit;
  const dictionaries = [text];
  // Object streams first: their objects' references weigh the other streams.
  for (const stream of found.filter((s) => OBJECT_STREAM.test(s.dict))) {
    const inflated = inflate(stream, budget, decrypt);
    if (inflated === 'over') return true;
    if (!inflated) continue;
    budget -= inflated.length;
    dictionaries.push(inflated.toString('latin1'));
    countReferences(dictionaries[dictionaries.length - 1], references);
  }
  const calls = new Map<string, number>();
  const forms: { id: string | undefined; size: number; calls: Map<string, number> }[] = [];
  for (const stream of found) {
    if (OBJECT_STREAM.test(stream.dict) || SKIPPED.test(stream.dict)) continue;
    if (FORM.test(stream.dict)) {
      const inflated = inflate(stream, budget, decrypt);
      if (inflated === 'over') return true;
      const content = inflated ?? stream.data;
      forms.push({ id: stream.id, size: content.length, calls: countCalls(content, 1, new Map()) });
      continue;
    }
    const weight = Math.max(1, (stream.id === undefined ? undefined : references.get(stream.id)) ?? 1);
    const inflated = inflate(stream, Math.floor(budget / weight), decrypt);
    if (inflated === 'over') return true;
    if (!inflated) continue;
    budget -= inflated.length * weight;
    countCalls(inflated, weight, calls);
  }
  return formsReadPast(forms, calls, xobjectNames(dictionaries), references, budget);
}

/**
 * Whether the form XObjects, each read once per `Do` that invokes it, pass `budget` bytes. pdf.js
 * reads a form's content again at every invocation: a 7.5 KB PDF whose page invokes a 2 MB form
 * 20,000 times held a parse worker for its full 20 s before. A form invoked from another form is
 * read as often as that one is, times its own calls; the weights are spread through nested forms
 * a few levels deep (pdf.js itself refuses a form that invokes itself).
 */
function formsReadPast(
  forms: { id: string | undefined; size: number; calls: Map<string, number> }[],
  pageCalls: Map<string, number>,
  names: Map<string, Set<string>>,
  references: Map<string, number>,
  budget: number,
): boolean {
  // Each object's resource names, so that a level costs one pass over the calls and the names.
  const namesOf = new Map<string, string[]>();
  for (const [name, ids] of names) for (const id of ids) namesOf.set(id, [...(namesOf.get(id) ?? []), name]);
  let weights = forms.map((form) => Math.max(1, (form.id === undefined ? undefined : references.get(form.id)) ?? 1));
  for (let level = 0; level < MAX_FORM_NESTING; level++) {
    const callsByName = new Map(pageCalls);
    forms.forEach((form, i) => {
      for (const [name, count] of form.calls) callsByName.set(name, (callsByName.get(name) ?? 0) + count * weights[i]);
    });
    weights = forms.map((form, i) => {
      const invoked = (form.id === undefined ? [] : (namesOf.get(form.id) ?? [])).reduce(
        (total, name) => total + (callsByName.get(name) ?? 0),
        0,
      );
      return Math.max(weights[i], Math.min(Number.MAX_SAFE_INTEGER, invoked));
    });
    if (forms.reduce((total, form, i) => total + form.size * weights[i], 0) > budget) return true;
  }
  return false;
}

/** Levels of forms within forms whose invocations are followed. */
const MAX_FORM_NESTING = 8;

const FORM = /\/Subtype\s*\/Form\b/;

/** Adds `weight` for each `/Name Do` of the content to its name's count. */
function countCalls(content: Uint8Array, weight: number, calls: Map<string, number>): Map<string, number> {
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1');
  for (const match of text.matchAll(/\/([^\s/<>[\]()]+)\s*Do\b/g)) calls.set(match[1], (calls.get(match[1]) ?? 0) + weight);
  return calls;
}

/** Each XObject resource name with the objects it names in any `/XObject << … >>` dictionary. */
function xobjectNames(texts: string[]): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const text of texts) {
    for (const dict of text.matchAll(/\/XObject\s*<<([^>]*)>>/g)) {
      for (const entry of dict[1].matchAll(/\/([^\s/<>[\]()]+)\s+(\d+)\s+(\d+)\s+R\b/g)) {
        const ids = names.get(entry[1]) ?? new Set<string>();
        names.set(entry[1], ids.add(`${entry[2]} ${entry[3]}`));
      }
    }
  }
  return names;
}

const OBJECT_STREAM = /\/Type\s*\/ObjStm\b/;

/** Streams that reading a PDF's text never decodes. */
const SKIPPED = /\/Subtype\s*\/Image\b|\/Type\s*\/EmbeddedFile\b/;

/** How far before `stream` its object's header may be: a stream dictionary is short. */
const MAX_DICT_CHARS = 16 * 1024;

interface RawStream {
  /** "12 0" of "12 0 obj", when found. */
  id: string | undefined;
  dict: string;
  data: Uint8Array;
}

/** Each `N G obj << … >> stream … endstream` of the file, found by its keywords. */
function* streams(text: string, bytes: Uint8Array): Generator<RawStream> {
  let at = 0;
  for (;;) {
    const keyword = text.indexOf('stream', at);
    if (keyword < 0) return;
    // The header is looked for after the previous stream only, so the search stays linear.
    const previousEnd = at;
    at = keyword + 6;
    if (
      text.startsWith('end', keyword - 3) ||
      !text
        .slice(Math.max(previousEnd, keyword - 64), keyword)
        .trimEnd()
        .endsWith('>>')
    )
      continue;
    let start = keyword + 6;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    const windowStart = Math.max(previousEnd, keyword - MAX_DICT_CHARS);
    const header = text.slice(windowStart, keyword).lastIndexOf('obj');
    const dict = header >= 0 ? text.slice(windowStart + header + 3, keyword) : '';
    const id = header >= 0 ? /(\d+)\s+(\d+)\s*$/.exec(text.slice(Math.max(0, windowStart + header - 24), windowStart + header)) : null;
    const declared = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    const declaredEnd = declared ? start + Number(declared[1]) : -1;
    const end =
      declaredEnd > start && /^\s*endstream/.test(text.slice(declaredEnd, declaredEnd + 12))
        ? declaredEnd
        : text.indexOf('endstream', start);
    if (end < 0) return;
    at = end;
    yield { id: id ? `${id[1]} ${id[2]}` : undefined, dict, data: bytes.subarray(start, end) };
  }
}

function countReferences(text: string, references: Map<string, number>): void {
  for (const match of text.matchAll(/(\d+)\s+(\d+)\s+R\b/g)) {
    const id = `${match[1]} ${match[2]}`;
    references.set(id, (references.get(id) ?? 0) + 1);
  }
}

/** Each filter pdf.js decodes a content stream with, by its name and its abbreviation. */
const DECODERS: Record<string, (data: Buffer, budget: number) => Decoded | undefined> = {
  FlateDecode: inflateWithin,
  Fl: inflateWithin,
  RunLengthDecode: runLengthDecode,
  RL: runLengthDecode,
  ASCII85Decode: ascii85Decode,
  A85: ascii85Decode,
  ASCIIHexDecode: asciiHexDecode,
  AHx: asciiHexDecode,
  LZWDecode: (data, budget) => lzwDecode(data, budget),
  LZW: (data, budget) => lzwDecode(data, budget),
};

/**
 * The stream through its leading filters of those above, or 'over' when that would pass `budget`
 * bytes; undefined when its first filter is none of them or it cannot be decoded (pdf.js judges
 * those). A stream without filters is itself. Every filter of a chain counts: each can multiply what the one before it produced.
 */
function inflate(stream: RawStream, budget: number, decrypt: StreamDecryptor | undefined): Buffer | 'over' | undefined {
  const filters = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(stream.dict)?.[1].match(/\/[A-Za-z0-9]+/g) ?? [];
  let data: Buffer = Buffer.from(stream.data.buffer, stream.data.byteOffset, stream.data.byteLength);
  // Cross-reference streams are never encrypted.
  if (decrypt && !/\/Type\s*\/XRef\b/.test(stream.dict)) data = decrypt(stream.id, data);
  // An uncompressed stream counts as it is: shared by 9,000 pages, 2 MB of it is read 9,000 times.
  if (filters.length === 0) return data.length > budget ? 'over' : data;
  let decoded = false;
  for (const filter of filters) {
    const decode = DECODERS[filter.slice(1)];
    if (!decode) break;
    const result = decode(data, budget);
    if (result === 'over') return 'over';
    if (!result) return undefined;
    data = result;
    decoded = true;
  }
  return decoded ? data : undefined;
}

function inflateWithin(data: Buffer, budget: number): Decoded | undefined {
  try {
    // Z_SYNC_FLUSH keeps what a truncated stream gives, as pdf.js does.
    const inflated = inflateSync(data, { maxOutputLength: Math.max(1, budget + 1), finishFlush: constants.Z_SYNC_FLUSH });
    return inflated.length > budget ? 'over' : inflated;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return 'over';
    return undefined;
  }
}
