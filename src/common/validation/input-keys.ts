import { ApiError, FieldError } from '../errors/api-error';

/** Deepest nesting of objects and arrays a JSON body may have (API.md, "Input and limits"). */
export const MAX_JSON_DEPTH = 32;
/**
 * Most items one array or object of a JSON body may hold, and most in the whole body. The largest
 * list a route takes is a rubric of 20 criteria; validating 250,000 items took 23 s of the event
 * loop and gave a detail per item.
 */
export const MAX_JSON_ITEMS = 1_000;
export const MAX_JSON_TOTAL_ITEMS = 10_000;

/**
 * Keys refused anywhere in a body or query (API.md): the three that can reach an object's
 * prototype when some code copies or merges input, and `$`-prefixed ones, which MongoDB reads as
 * operators (OWASP's NoSQL injection notes). Refused rather than stripped, so a client learns
 * that its key was not taken.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isRefusedKey(key: string): boolean {
  return key.charCodeAt(0) === 0x24 /* $ */ || PROTOTYPE_KEYS.has(key);
}

function refusal(field: string, key: string): FieldError {
  return { field, message: key.startsWith('$') ? 'keys starting with "$" are not allowed' : `the key "${key}" is not allowed` };
}

const tooDeep = (): ApiError =>
  ApiError.validation([{ field: 'body', message: `the body is nested deeper than ${MAX_JSON_DEPTH} levels` }]);

interface Scan {
  /** A key that is refused, or spelled with escapes and so to be decoded before deciding. */
  suspectKeys: boolean;
  /** A `\u` escape of a surrogate, which may leave a string that is not valid Unicode. */
  surrogateEscapes: boolean;
}

/** The characters that end a run of plain string content. */
const STRING_SPECIAL = /["\\]/g;

/**
 * One pass over JSON text, without recursion and without building anything: it measures nesting
 * (refusing past MAX_JSON_DEPTH at once, however deep the text goes on), notices refused keys and
 * surrogate escapes. It does not check the syntax, which JSON.parse does next; on broken text it
 * may see keys where there are none, which only costs the walk that looks for them in the parsed value.
 */
function scanJson(text: string): Scan {
  let depth = 0;
  let suspectKeys = false;
  let surrogateEscapes = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      let escaped = false;
      let end = -1;
      // Jump from one quote or backslash to the next; a backslash always takes the character after it.
      for (let at = start; ;) {
        STRING_SPECIAL.lastIndex = at;
        const found = STRING_SPECIAL.exec(text);
        if (!found) break;
        if (text.charCodeAt(found.index) === 0x22) {
          end = found.index;
          break;
        }
        escaped = true;
        if (text.charCodeAt(found.index + 1) === 0x75 /* u */ && (text.charCodeAt(found.index + 2) | 0x20) === 0x64 /* d */) {
          const digit = text.charCodeAt(found.index + 3) | 0x20;
          if ((digit >= 0x38 && digit <= 0x39) || (digit >= 0x61 && digit <= 0x66)) surrogateEscapes = true;
        }
        at = found.index + 2;
      }
      if (end === -1) break;
      i = end;
      if (!suspectKeys) {
        let next = end + 1;
        while (next < length && isJsonSpace(text.charCodeAt(next))) next++;
        if (text.charCodeAt(next) === 0x3a /* : */) suspectKeys = escaped || isRefusedKey(text.slice(start, end));
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_JSON_DEPTH) throw tooDeep();
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return { suspectKeys, surrogateEscapes };
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A UTF-16 surrogate without its pair: JSON can spell one (`"\ud800"`), no UTF-8 text can hold one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const NOT_UNICODE = 'must be valid Unicode text (it holds a lone surrogate escape)';

/**
 * Refused keys of an already parsed value, with the path of each (`rubric.0.$gt`), and, when
 * `unicode` is set, strings that are not valid Unicode (which string validators and UTF-8 stores
 * choke on). Walks with an explicit stack, so no input can exhaust the call stack, and stops at
 * MAX_JSON_DEPTH + 1 levels.
 */
export function refusedKeys(value: unknown, unicode = false): FieldError[] {
  const found: FieldError[] = [];
  const stack: { value: unknown; path: string; key?: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.key !== undefined && isRefusedKey(item.key)) found.push(refusal(item.path, item.key));
    else if (unicode && item.key !== undefined && LONE_SURROGATE.test(item.key)) found.push({ field: item.path, message: NOT_UNICODE });
    if (unicode && typeof item.value === 'string' && LONE_SURROGATE.test(item.value))
      found.push({ field: item.path || 'body', message: NOT_UNICODE });
    if (item.value === null || typeof item.value !== 'object' || item.depth > MAX_JSON_DEPTH) continue;
    // Children are pushed last first, so they are visited in order: the details list keys as the body has them.
    const keys = Object.keys(item.value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const path = item.path ? `${item.path}.${key}` : key;
      stack.push({ value: (item.value as Record<string, unknown>)[key], path, key, depth: item.depth + 1 });
    }
  }
  return found;
}

/**
 * The first array or object holding more than MAX_JSON_ITEMS items, by its path ('body' for the
 * body itself), or 'body' once the whole holds more than MAX_JSON_TOTAL_ITEMS. Counts without
 * looking inside strings; the depth was already bounded by scanJson.
 */
function oversized(value: unknown): FieldError | undefined {
  let total = 0;
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    const keys = Object.keys(item.value);
    const field = item.path || 'body';
    if (keys.length > MAX_JSON_ITEMS) {
      return { field, message: `must hold at most ${MAX_JSON_ITEMS} ${Array.isArray(item.value) ? 'items' : 'fields'}` };
    }
    total += keys.length;
    if (total > MAX_JSON_TOTAL_ITEMS) return { field: 'body', message: `the body holds more than ${MAX_JSON_TOTAL_ITEMS} values` };
    for (const key of keys) {
      stack.push({ value: (item.value as Record<string, unknown>)[key], path: item.path ? `${item.path}.${key}` : key });
    }
  }
  return undefined;
}

/**
 * Parses a JSON request body under the input rules of API.md: nesting is bounded before any
 * parsing (a body nested 100,000 deep never reaches a recursive walk such as class-transformer's),
 * then refused keys, strings that are not valid Unicode and lists too long to validate, anywhere,
 * are 400 `validation_failed`;
 * text that is not JSON is `invalid_json`.
 */
export function parseJsonBody(text: string): unknown {
  // No content is no body (a DELETE some clients send with a JSON Content-Type), not broken JSON;
  // a route that needs fields then says which are missing.
  if (/^\s*$/.test(text)) return undefined;
  const { suspectKeys, surrogateEscapes } = scanJson(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON.');
  }
  if (suspectKeys || surrogateEscapes) {
    const found = refusedKeys(value, surrogateEscapes);
    if (found.length > 0) throw ApiError.validation(found);
  }
  const tooMany = oversized(value);
  if (tooMany) throw ApiError.validation([tooMany]);
  return value;
}

/** Throws 400 `validation_failed` when a flat set of keys (a query string, a form) holds a refused key. */
export function assertNoRefusedKeys(keys: Iterable<string>): void {
  const found: FieldError[] = [];
  for (const key of keys) if (isRefusedKey(key)) found.push(refusal(key, key));
  if (found.length > 0) throw ApiError.validation(found);
}

/** What every object inherits from Object.prototype: `toString`, `valueOf`, `hasOwnProperty`… */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Keys of a body or query named like a member every object inherits, with the path of each. No
 * DTO declares such a field, so each is an unknown field; but class-transformer skips a key whose
 * name the new instance already answers with a function, so the whitelist never sees it, and a
 * body with `toString` was taken while one with `foo` was refused (API.md: any word is a word).
 * Walks like refusedKeys.
 */
export function inheritedNameKeys(value: unknown): FieldError[] {
  const found: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object' || item.depth > MAX_JSON_DEPTH) continue;
    const keys = Object.keys(item.value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const path = item.path ? `${item.path}.${key}` : key;
      if (INHERITED_NAMES.has(key) && !isRefusedKey(key)) found.push({ field: path, message: `property ${key} should not exist` });
      else stack.push({ value: (item.value as Record<string, unknown>)[key], path, depth: item.depth + 1 });
    }
  }
  return found.reverse();
}
