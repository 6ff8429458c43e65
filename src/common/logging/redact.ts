import pino from 'pino';

export const REDACTED = '[redacted]';

/**
 * Whether a key names a secret, however it is spelled or cased: passwords, tokens, secrets, keys
 * and credentials of HTTP headers (`Authorization`, `Cookie`, `api-key`). Compared without case,
 * `-` or `_`, so `new_password`, `refreshToken` and `x-api-key` all match; `tokens` (usage counts)
 * does not.
 */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return (
    k.endsWith('password') ||
    k.endsWith('token') ||
    k.endsWith('secret') ||
    k.endsWith('apikey') ||
    k === 'authorization' ||
    k === 'proxyauthorization' ||
    k === 'cookie' ||
    k === 'setcookie' ||
    k === 'credentials'
  );
}

/** A URL or path without its query string, which may carry a token (`/x?token=...`). */
export function withoutQuery(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : `${url.slice(0, mark)}?${REDACTED}`;
}

/** The path of a request URL, for log lines: its query string may carry a token or personal data. */
export function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}

/** Past this depth a logged object is cut, so a deep or self-referencing value cannot stall a log call. */
const MAX_DEPTH = 16;

/**
 * A copy of a logged object with every secret replaced, at any depth: keys that name a secret
 * (isSecretKey) and the query strings of `url` fields. Errors are serialised as pino does (type,
 * message, stack, own fields, causes) and then cleaned the same way, since a client library's error
 * often carries the request it made, headers included. The caller's object is never changed.
 */
export function redactSecrets(value: Record<string, unknown>): Record<string, unknown> {
  return clean(value, 0, new WeakSet()) as Record<string, unknown>;
}

function clean(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.constructor.name} of ${value.byteLength} bytes]`;
  if (value instanceof Date) return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1, ancestors));
    const source = value instanceof Error ? (pino.stdSerializers.err(value) as unknown as Record<string, unknown>) : value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      if (key === 'raw' && value instanceof Error) continue;
      const child = (source as Record<string, unknown>)[key];
      if (isSecretKey(key)) out[key] = REDACTED;
      else if (key === 'url' && typeof child === 'string') out[key] = withoutQuery(child);
      else out[key] = clean(child, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
