const LOCAL_FILE_HEADER = 0x04034b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** The end record is 22 bytes plus a comment of at most 65,535 bytes. */
const MAX_END_RECORD_DISTANCE = 22 + 0xffff;

export function isZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === LOCAL_FILE_HEADER;
}

/**
 * Names of the entries of a ZIP archive, read without inflating anything. The central directory
 * is the authority; when it is missing (a truncated upload) the local headers are walked instead,
 * so a cut-off Word file is still recognised as one and then reported as damaged, not as foreign.
 */
export function zipEntryNames(bytes: Buffer): Set<string> {
  return namesFromCentralDirectory(bytes) ?? namesFromLocalHeaders(bytes);
}

/**
 * The sizes the central directory declares for the entries once inflated, summed; undefined when
 * there is no readable central directory. A ZIP can lie about them (inflating still stops at the
 * parse limits), but an honest bomb says at once what it would cost.
 */
export function declaredUnpackedBytes(bytes: Buffer): number | undefined {
  return centralDirectory(bytes)?.reduce((total, entry) => total + entry.unpackedBytes, 0);
}

function namesFromCentralDirectory(bytes: Buffer): Set<string> | undefined {
  const entries = centralDirectory(bytes);
  return entries && new Set(entries.map((entry) => entry.name));
}

/** The central directory's entries, or undefined when it is missing, cut short or ZIP64. */
function centralDirectory(bytes: Buffer): { name: string; unpackedBytes: number }[] | undefined {
  const end = findEndRecord(bytes);
  if (end === undefined) return undefined;
  const entryCount = bytes.readUInt16LE(end + 10);
  const directoryOffset = bytes.readUInt32LE(end + 16);
  // ZIP64 archives mark these fields as 0xFFFF/0xFFFFFFFF; the local headers still name the parts.
  if (entryCount === 0xffff || directoryOffset === 0xffffffff) return undefined;
  const entries: { name: string; unpackedBytes: number }[] = [];
  let offset = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) {
      return undefined;
    }
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    if (offset + 46 + nameLength > bytes.length) return undefined;
    entries.push({
      name: bytes.toString('utf8', offset + 46, offset + 46 + nameLength),
      unpackedBytes: bytes.readUInt32LE(offset + 24),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndRecord(bytes: Buffer): number | undefined {
  const lowest = Math.max(0, bytes.length - MAX_END_RECORD_DISTANCE);
  for (let offset = bytes.length - 22; offset >= lowest; offset--) {
    if (bytes.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return undefined;
}

function namesFromLocalHeaders(bytes: Buffer): Set<string> {
  const names = new Set<string>();
  const signature = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  // Sizes in local headers can be deferred to a data descriptor, so entries cannot be skipped by
  // length reliably: the next signature is searched for instead. Resuming after the name keeps the
  // work linear even for bytes made of nothing but signatures.
  let offset = bytes.indexOf(signature);
  while (offset >= 0 && offset + 30 <= bytes.length) {
    const nameEnd = offset + 30 + bytes.readUInt16LE(offset + 26);
    if (nameEnd > bytes.length) break;
    names.add(bytes.toString('utf8', offset + 30, nameEnd));
    offset = bytes.indexOf(signature, Math.max(nameEnd, offset + 4));
  }
  return names;
}
