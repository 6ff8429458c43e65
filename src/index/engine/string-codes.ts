/**
 * Gives each distinct string (a module or resource id) a small integer code, so per-chunk
 * metadata fits in an Int32Array and a filter is a lookup in a flag array.
 */
export class StringCodes {
  private readonly codes = new Map<string, number>();
  private readonly values: string[] = [];

  static from(values: string[]): StringCodes {
    const table = new StringCodes();
    for (const value of values) table.codeOf(value);
    return table;
  }

  get size(): number {
    return this.values.length;
  }

  /** The code of `value`, assigning a new one the first time it is seen. */
  codeOf(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.codes.set(value, code);
      this.values.push(value);
    }
    return code;
  }

  /** The code of `value` if it was ever seen, else -1 (never assigns). */
  find(value: string): number {
    return this.codes.get(value) ?? -1;
  }

  valueOf(code: number): string {
    return this.values[code];
  }

  toArray(): string[] {
    return this.values.slice();
  }
}

/** Grows a typed array to hold at least `needed` elements, doubling to keep appends amortised O(1). */
export function ensureCapacity<T extends Int32Array | Uint32Array | Float32Array | Uint8Array | Int8Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  let capacity = Math.max(16, array.length);
  while (capacity < needed) capacity *= 2;
  const Ctor = array.constructor as new (length: number) => T;
  const bigger = new Ctor(capacity);
  bigger.set(array);
  return bigger;
}
