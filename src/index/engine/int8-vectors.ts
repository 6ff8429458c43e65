import { INT8_DOT_WASM } from './int8-dot.wasm';

/** Components per SIMD block: a stored vector is padded with zeros to a whole number of blocks. */
const BLOCK = 16;
const PAGE_BYTES = 65_536;
/** WebAssembly memory is addressed with 32 bits: 4 GiB. */
const MAX_PAGES = 65_536;
const INT32_MAX = 2 ** 31 - 1;
const INT16_MAX = 32_767;

interface Int8DotKernel {
  dotQuery(query: number, vector: number, blocks: number): number;
  dotVectors(a: number, b: number, blocks: number): number;
}

let compiled: WebAssembly.Module | undefined;

/**
 * Unit vectors stored as int8 with one float scale each (symmetric quantisation: the largest
 * component maps to ±127), so that 384 dimensions take 388 bytes instead of 1,536, and cosine
 * similarity is a dot product of integers times the two scales.
 *
 * The vectors live in WebAssembly memory and are compared by the SIMD kernel in int8-dot.wat. The
 * graph computes tens of thousands of similarities per search, and the same loop in JavaScript
 * converts every component to a double: at 384 dimensions the kernel takes about a tenth of the
 * time per similarity, and a third where the vectors must come from main memory. With the
 * JavaScript loop, bench:search missed its target at 100,000 chunks (hybrid median 5.0 to 5.4 ms
 * against 5 ms; with the kernel 2.8 to 3.0 ms: README, Benchmarks). The kernel is our own: the
 * graph is, and no maintained package offers an int8 dot product for Node.
 *
 * A query is quantised to int16 (15 bits of precision, against the stored vectors' 7), bounded so
 * that no dot product can leave the int32 range whatever the dimensions.
 */
export class Int8Vectors {
  readonly dimensions: number;
  /** Bytes per stored vector: the dimensions rounded up to whole blocks. */
  readonly stride: number;
  private readonly blocks: number;
  private readonly queryMax: number;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: Int8DotKernel;
  /** Where the vectors start in memory; the query lies before them. */
  private readonly vectorsOffset: number;
  private bytes: Int8Array;
  private query: Int16Array;
  private queryStep = 0;
  private scaleOf = new Float32Array(0);
  private slots = 0;

  constructor(dimensions: number) {
    this.dimensions = dimensions;
    this.blocks = Math.ceil(dimensions / BLOCK);
    this.stride = this.blocks * BLOCK;
    this.queryMax = Math.min(INT16_MAX, Math.floor(INT32_MAX / (this.stride * 127)));
    if (this.queryMax < 127) throw new RangeError(`${dimensions} dimensions are too many for int8 vectors`);
    this.vectorsOffset = this.stride * 2;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(this.vectorsOffset / PAGE_BYTES) || 1 });
    compiled ??= new WebAssembly.Module(Buffer.from(INT8_DOT_WASM, 'base64'));
    this.kernel = new WebAssembly.Instance(compiled, { env: { memory: this.memory } }).exports as unknown as Int8DotKernel;
    this.bytes = new Int8Array(this.memory.buffer);
    this.query = new Int16Array(this.memory.buffer, 0, this.stride);
  }

  /** Vectors the storage holds without growing. */
  get capacity(): number {
    return this.slots;
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength + this.scaleOf.byteLength;
  }

  /** Grows the storage to hold at least `slots` vectors; new slots hold zero vectors. */
  ensureCapacity(slots: number): void {
    if (slots <= this.slots) return;
    const needed = Math.ceil((this.vectorsOffset + slots * this.stride) / PAGE_BYTES);
    const pages = this.memory.buffer.byteLength / PAGE_BYTES;
    if (needed > MAX_PAGES) throw new RangeError(`${slots} vectors of ${this.dimensions} dimensions exceed 4 GiB`);
    if (needed > pages) {
      this.memory.grow(needed - pages);
      // Growing replaces the memory's buffer: views over the old one are empty.
      this.bytes = new Int8Array(this.memory.buffer);
      this.query = new Int16Array(this.memory.buffer, 0, this.stride);
    }
    const scales = new Float32Array(slots);
    scales.set(this.scaleOf);
    this.scaleOf = scales;
    this.slots = slots;
  }

  /** Stores a unit vector (or zeros) in a slot. */
  set(slot: number, unit: ArrayLike<number>): void {
    const maxAbs = this.largestMagnitude(unit);
    const base = this.vectorsOffset + slot * this.stride;
    if (maxAbs === 0) {
      this.bytes.fill(0, base, base + this.stride);
      this.scaleOf[slot] = 0;
      return;
    }
    const step = maxAbs / 127;
    for (let d = 0; d < this.dimensions; d++) this.bytes[base + d] = Math.round(unit[d] / step);
    this.bytes.fill(0, base + this.dimensions, base + this.stride);
    this.scaleOf[slot] = step;
  }

  /** The stored vector of a slot, as floats. */
  get(slot: number): Float32Array {
    const out = new Float32Array(this.dimensions);
    const base = this.vectorsOffset + slot * this.stride;
    const step = this.scaleOf[slot];
    for (let d = 0; d < this.dimensions; d++) out[d] = this.bytes[base + d] * step;
    return out;
  }

  /** Sets the query that `similarityToQuery` compares with, until the next call. */
  loadQuery(unit: ArrayLike<number>): void {
    const maxAbs = this.largestMagnitude(unit);
    const query = this.query;
    if (maxAbs === 0) {
      query.fill(0);
      this.queryStep = 0;
      return;
    }
    const step = maxAbs / this.queryMax;
    for (let d = 0; d < this.dimensions; d++) query[d] = Math.round(unit[d] / step);
    this.queryStep = step;
  }

  /** Cosine similarity of the loaded query to a stored vector. */
  similarityToQuery(slot: number): number {
    const dot = this.kernel.dotQuery(0, this.vectorsOffset + slot * this.stride, this.blocks);
    return dot * this.queryStep * this.scaleOf[slot];
  }

  /** Cosine similarity between two stored vectors. */
  similarityBetween(a: number, b: number): number {
    const dot = this.kernel.dotVectors(this.vectorsOffset + a * this.stride, this.vectorsOffset + b * this.stride, this.blocks);
    return dot * this.scaleOf[a] * this.scaleOf[b];
  }

  /**
   * The first `count` vectors as they are saved: `dimensions` codes each, then one scale each. The
   * arrays may be views of this store's memory: read them before it next grows.
   */
  export(count: number): { codes: Int8Array; scales: Float32Array } {
    const scales = this.scaleOf.subarray(0, count);
    if (this.stride === this.dimensions) {
      return { codes: new Int8Array(this.memory.buffer, this.vectorsOffset, count * this.dimensions), scales };
    }
    const codes = new Int8Array(count * this.dimensions);
    for (let slot = 0; slot < count; slot++) {
      const base = this.vectorsOffset + slot * this.stride;
      codes.set(this.bytes.subarray(base, base + this.dimensions), slot * this.dimensions);
    }
    return { codes, scales };
  }

  /** Loads saved vectors (what `export` returned) into a new, empty store. */
  import(codes: Int8Array, scales: Float32Array): void {
    const count = scales.length;
    this.ensureCapacity(count);
    if (this.stride === this.dimensions) {
      this.bytes.set(codes, this.vectorsOffset);
    } else {
      for (let slot = 0; slot < count; slot++) {
        const base = this.vectorsOffset + slot * this.stride;
        this.bytes.set(codes.subarray(slot * this.dimensions, (slot + 1) * this.dimensions), base);
      }
    }
    this.scaleOf.set(scales);
  }

  /** The largest absolute component: it is quantised to the largest code. */
  private largestMagnitude(unit: ArrayLike<number>): number {
    let maxAbs = 0;
    for (let d = 0; d < this.dimensions; d++) maxAbs = Math.max(maxAbs, Math.abs(unit[d]));
    return maxAbs;
  }
}
