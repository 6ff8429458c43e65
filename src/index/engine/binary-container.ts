/**
 * One file holding a small JSON header and any number of typed arrays, each 8-byte aligned.
 * Vectors and postings are written as raw bytes, never as JSON numbers: 100,000 × 384 vectors
 * take 38 MB as int8 instead of hundreds of megabytes of decimal text, and load without parsing.
 */
const MAGIC = 0x474e4552; // "RENG" read little-endian
const FORMAT_VERSION = 1;

export type StoredArray = Int8Array | Uint8Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const CONSTRUCTORS = {
  Int8Array,
  Uint8Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;

type ArrayKind = keyof typeof CONSTRUCTORS;

interface SectionEntry {
  name: string;
  kind: ArrayKind;
  offset: number;
  length: number;
}

interface Header {
  meta: unknown;
  sections: SectionEntry[];
  totalBytes: number;
}

export class CorruptIndexFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptIndexFileError';
  }
}

const align8 = (n: number): number => (n + 7) & ~7;

function kindOf(array: StoredArray): ArrayKind {
  const name = array.constructor.name;
  if (!Object.hasOwn(CONSTRUCTORS, name)) throw new TypeError(`cannot store a ${name}`);
  return name as ArrayKind;
}

export function encodeContainer(meta: unknown, sections: Record<string, StoredArray>): Buffer {
  const entries: SectionEntry[] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(sections)) {
    entries.push({ name, kind: kindOf(array), offset, length: array.length });
    offset = align8(offset + array.byteLength);
  }
  const bodyBytes = offset;
  // The header records the body's start, which depends on the header's own length: measure once
  // with a placeholder, then fix the total.
  const draft: Header = { meta, sections: entries, totalBytes: 0 };
  let headerJson = Buffer.from(JSON.stringify(draft), 'utf8');
  const prefixBytes = () => align8(12 + headerJson.length);
  draft.totalBytes = prefixBytes() + bodyBytes;
  headerJson = Buffer.from(JSON.stringify(draft), 'utf8');
  // The total's digits may have grown the header; recompute until stable (at most twice).
  while (prefixBytes() + bodyBytes !== draft.totalBytes) {
    draft.totalBytes = prefixBytes() + bodyBytes;
    headerJson = Buffer.from(JSON.stringify(draft), 'utf8');
  }
  const start = prefixBytes();
  const out = Buffer.alloc(draft.totalBytes);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(FORMAT_VERSION, 4);
  out.writeUInt32LE(headerJson.length, 8);
  headerJson.copy(out, 12);
  for (const entry of entries) {
    const array = sections[entry.name];
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    out.set(bytes, start + entry.offset);
  }
  return out;
}

export interface DecodedContainer {
  meta: unknown;
  /**
   * Each array is a view of the file's memory, not a copy: at 100,000 chunks copying the sections
   * cost about a third of the index's load (bench:startup). The arrays keep the file buffer alive
   * and writing to them writes to it; callers copy what they will grow or keep apart.
   */
  get<K extends ArrayKind>(name: string, kind: K): InstanceType<(typeof CONSTRUCTORS)[K]>;
}

export function decodeContainer(file: Buffer): DecodedContainer {
  if (file.length < 12 || file.readUInt32LE(0) !== MAGIC) {
    throw new CorruptIndexFileError('not an index file');
  }
  const version = file.readUInt32LE(4);
  if (version !== FORMAT_VERSION) {
    throw new CorruptIndexFileError(`unsupported index file version ${version}`);
  }
  const headerLength = file.readUInt32LE(8);
  let header: Header;
  try {
    header = JSON.parse(file.toString('utf8', 12, 12 + headerLength)) as Header;
  } catch {
    throw new CorruptIndexFileError('unreadable index file header');
  }
  if (header.totalBytes !== file.length) {
    throw new CorruptIndexFileError(`index file is ${file.length} bytes, expected ${header.totalBytes} (truncated?)`);
  }
  const start = align8(12 + headerLength);
  const byName = new Map(header.sections.map((s) => [s.name, s]));
  return {
    meta: header.meta,
    get(name, kind) {
      const entry = byName.get(name);
      if (!entry || entry.kind !== kind) {
        throw new CorruptIndexFileError(`index file has no ${kind} section "${name}"`);
      }
      const Ctor = CONSTRUCTORS[kind];
      const byteLength = entry.length * Ctor.BYTES_PER_ELEMENT;
      const from = start + entry.offset;
      const at = file.byteOffset + from;
      // A buffer read from disk starts its own memory; one cut from a shared pool may leave a
      // section unaligned for its element size, which a typed-array view cannot take.
      if (at % Ctor.BYTES_PER_ELEMENT !== 0) {
        const copy = new Uint8Array(byteLength);
        copy.set(file.subarray(from, from + byteLength));
        return new Ctor(copy.buffer) as InstanceType<(typeof CONSTRUCTORS)[typeof kind]>;
      }
      return new Ctor(file.buffer as ArrayBuffer, at, entry.length) as InstanceType<(typeof CONSTRUCTORS)[typeof kind]>;
    },
  };
}
