import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * Decryption of a PDF's streams under the empty user password, for the inflated-size pre-scan.
 * pdf.js opens such a PDF without asking (most "protected" PDFs only forbid printing or copying),
 * so its streams must be counted like any other: encrypted, they looked like no Flate stream at
 * all, and a 1 GB page bomb under RC4 held a parse worker for 18 s and was then stored.
 * Standard security handler, revisions 2–6 (RC4, AES-128, AES-256); ISO 32000-2, 7.6.
 */
export type StreamDecryptor = (id: string | undefined, data: Buffer) => Buffer;

/** The padding string of the Standard security handler (ISO 32000-1, 7.6.3.3). */
export const PASSWORD_PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

/** undefined when the PDF is not encrypted or its handler is not one read here (pdf.js judges those). */
export function emptyPasswordDecryptor(text: string): StreamDecryptor | undefined {
  const reference = /\/Encrypt\s+(\d+)\s+(\d+)\s+R/.exec(text);
  if (!reference) return undefined;
  const header = new RegExp(`(?:^|[^0-9])${reference[1]}\\s+${reference[2]}\\s+obj\\b`).exec(text);
  if (!header) return undefined;
  const end = text.indexOf('endobj', header.index);
  const dict = text.slice(header.index, end < 0 ? undefined : end);
  if (!/\/Filter\s*\/Standard\b/.test(dict)) return undefined;
  const revision = Number(/\/R\s+(\d+)/.exec(dict)?.[1]);
  const owner = pdfString(dict, 'O');
  const user = pdfString(dict, 'U');
  if (!owner || !user) return undefined;
  const method = /\/StmF\s*\/(\w+)/.exec(dict)?.[1] === 'Identity' ? 'none' : (/\/CFM\s*\/(\w+)/.exec(dict)?.[1] ?? 'V2');
  if (method === 'none') return (_id, data) => data;
  if (revision >= 5) {
    const ownerKey = pdfString(dict, 'UE');
    if (!ownerKey || user.length < 48) return undefined;
    const salt = user.subarray(40, 48);
    const intermediate = revision === 5 ? createHash('sha256').update(salt).digest() : hardenedHash(salt);
    const decipher = createDecipheriv('aes-256-cbc', intermediate, Buffer.alloc(16)).setAutoPadding(false);
    const fileKey = Buffer.concat([decipher.update(ownerKey.subarray(0, 32)), decipher.final()]);
    return (_id, data) => aesDecrypt('aes-256-cbc', fileKey, data);
  }
  const id = /\/ID\s*\[\s*(<[0-9A-Fa-f\s]*>|\((?:\\[\s\S]|[^\\)])*\))/.exec(text)?.[1];
  const length = revision === 2 ? 5 : Number(/\/Length\s+(\d+)/.exec(dict)?.[1] ?? 40) / 8;
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(Number(/\/P\s+(-?\d+)/.exec(dict)?.[1] ?? 0) | 0);
  const parts = [PASSWORD_PAD, owner.subarray(0, 32), permissions, id ? stringBytes(id) : Buffer.alloc(0)];
  if (revision >= 4 && /\/EncryptMetadata\s+false/.test(dict)) parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  let fileKey = md5(Buffer.concat(parts));
  if (revision >= 3) for (let i = 0; i < 50; i++) fileKey = md5(fileKey.subarray(0, length));
  fileKey = fileKey.subarray(0, length);
  const aes = method === 'AESV2';
  return (objectId, data) => {
    // Without its object number a stream's key is unknown; pdf.js judges such a stream.
    if (objectId === undefined) return data;
    const [number, generation] = objectId.split(' ').map(Number);
    const salt = Buffer.from([number, number >> 8, number >> 16, generation, generation >> 8]);
    const key = md5(Buffer.concat([fileKey, salt, aes ? Buffer.from('sAlT') : Buffer.alloc(0)])).subarray(0, Math.min(length + 5, 16));
    return aes ? aesDecrypt('aes-128-cbc', key, data) : rc4(key, data);
  };
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

/**
 * Algorithm 2.B of ISO 32000-2 for the empty password and no user key data: at least 64 rounds,
 * then on while the last byte of E is above (rounds done − 32).
 */
function hardenedHash(salt: Buffer): Buffer {
  let k = createHash('sha256').update(salt).digest();
  for (let round = 0; ; round++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => k));
    const encrypted = encryptAesCbc(k.subarray(0, 16), k.subarray(16, 32), k1);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += encrypted[i];
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3])
      .update(encrypted)
      .digest();
    if (round >= 63 && encrypted[encrypted.length - 1] <= round - 31) return k.subarray(0, 32);
  }
}

function encryptAesCbc(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** AES-CBC with the IV in the first 16 bytes; a damaged stream decrypts to what can be. */
function aesDecrypt(algorithm: string, key: Buffer, data: Buffer): Buffer {
  if (data.length < 32 || data.length % 16 !== 0) return Buffer.alloc(0);
  const decipher = createDecipheriv(algorithm, key, data.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  const pad = plain[plain.length - 1];
  return pad >= 1 && pad <= 16 ? plain.subarray(0, plain.length - pad) : plain;
}

/** RC4 (its own inverse): node:crypto offers no RC4 under OpenSSL 3's default provider. */
export function rc4(key: Buffer, data: Buffer): Buffer {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]) & 0xff;
    const t = s[i];
    s[i] = s[j];
    s[j] = t;
    out[n] = data[n] ^ s[(s[i] + s[j]) & 0xff];
  }
  return out;
}

/** The bytes of the dictionary entry `/name` when it is a string, hex or literal. */
function pdfString(dict: string, name: string): Buffer | undefined {
  const match = new RegExp(`/${name}\\s*(<[0-9A-Fa-f\\s]*>|\\((?:\\\\[\\s\\S]|[^\\\\)])*\\))`).exec(dict);
  return match ? stringBytes(match[1]) : undefined;
}

function stringBytes(token: string): Buffer {
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1).replace(/\s+/g, '');
    return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  }
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  const body = token
    .slice(1, -1)
    .replace(/\\(?:([0-7]{1,3})|\r?\n|([\s\S]))/g, (_all, octal: string | undefined, other: string | undefined) =>
      octal ? String.fromCharCode(parseInt(octal, 8) & 0xff) : other === undefined ? '' : (escapes[other] ?? other),
    );
  return Buffer.from(body, 'latin1');
}
