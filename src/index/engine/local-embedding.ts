import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { analyseText, stem } from '../../common/text';

export interface LocalHashingEmbeddingOptions {
  /** Length of the vectors (default 384). */
  dimensions?: number;
  /** Shortest and longest character n-gram taken from each word (default 3 and 5). */
  minGram?: number;
  maxGram?: number;
  /** Share of the vector's energy given to whole-word stems; the rest goes to n-grams (default 0.5). */
  wordWeight?: number;
  /**
   * Energy given to features naming the text's language (told by its function words), relative
   * to the words and n-grams together (default 0.1; 0 turns it off). Two texts in the same language
   * gain about that much cosine, so that a question asked in French prefers the French version
   * of a lesson taught in both languages, whose n-grams it otherwise shares almost equally.
   */
  languageWeight?: number;
}

const DEFAULT_DIMENSIONS = 384;
/**
 * Bump it whenever the vectors of the default settings change, the tokenizer of
 * src/common/text included (v2: language feature, language-aware stopwords, new stemmer).
 */
const MODEL_FAMILY = 'local-hash-v2';
const DEFAULT_LANGUAGE_WEIGHT = 0.1;
const WORD_SEED = 0x9e3779b9;
const GRAM_SEED = 0x85ebca6b;
const LANGUAGE_SEED = 0xc2b2ae35;
const LANGUAGE_FEATURES = 8;
/** Stands for the start and end of a word, so "<ab" (a prefix) differs from "ab" inside a word. */
const BOUNDARY = 0x2;

/** FNV-1a over UTF-16 code units with murmur's finaliser, so low bits are well mixed for `% dims`. */
function hashChars(text: string, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return finalise(h);
}

/** Hash of the n-gram at [start, start + n) of the word padded as "<word>", without building it. */
function hashPaddedGram(word: string, start: number, n: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  const last = word.length;
  for (let p = start; p < start + n; p++) {
    const code = p === 0 || p === last + 1 ? BOUNDARY : word.charCodeAt(p - 1);
    h ^= code;
    h = Math.imul(h, 0x01000193);
  }
  return finalise(h);
}

function finalise(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A growable scratch buffer of feature hashes, reused across calls to avoid allocation. */
class HashBuffer {
  values = new Uint32Array(1024);
  length = 0;

  push(hash: number): void {
    if (this.length === this.values.length) {
      const bigger = new Uint32Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = hash;
  }
}

/**
 * Adds the features of `buffer` into `target` with sublinear term frequency (1 + ln tf) and a
 * sign taken from the hash, so colliding features cancel on average instead of piling up.
 * Returns the squared norm of what was added.
 */
function accumulate(buffer: HashBuffer, target: Float64Array): void {
  const n = buffer.length;
  if (n === 0) return;
  const sorted = buffer.values.subarray(0, n).sort();
  const dims = target.length;
  let i = 0;
  while (i < n) {
    const hash = sorted[i];
    let j = i + 1;
    while (j < n && sorted[j] === hash) j++;
    const weight = 1 + Math.log(j - i);
    const sign = hash & 0x80000000 ? -1 : 1;
    target[(hash & 0x7fffffff) % dims] += sign * weight;
    i = j;
  }
}

function norm(vector: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  return Math.sqrt(sum);
}

/**
 * A deterministic text embedding that needs no model file and no network: feature hashing of
 * stemmed content words (exact topical overlap) and of character 3–5-grams of the folded words
 * (typos, inflections, and French/English cognates such as "fonction"/"function" share most of
 * their n-grams), plus a few features naming the text's language. Vectors are L2-normalised, so cosine
 * similarity is their dot product; texts with nothing in common score about 0.
 *
 * It is deliberately independent of the indexed corpus (no IDF): a vector never changes when
 * other chunks are added, so indexes can be updated chunk by chunk and saved.
 *
 * It captures surface similarity, not meaning: synonyms with no shared letters stay unrelated.
 * That is why local retrieval fuses it with BM25 rather than relying on it alone.
 */
export class LocalHashingEmbedding extends BaseEmbedding {
  readonly modelName: string;
  readonly dimensions: number;
  private readonly minGram: number;
  private readonly maxGram: number;
  private readonly wordWeight: number;
  private readonly languageWeight: number;
  private readonly wordFeatures = new HashBuffer();
  private readonly gramFeatures = new HashBuffer();
  private readonly wordPart: Float64Array;
  private readonly gramPart: Float64Array;

  constructor(options: LocalHashingEmbeddingOptions = {}) {
    super();
    this.dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
    this.minGram = options.minGram ?? 3;
    this.maxGram = options.maxGram ?? 5;
    this.wordWeight = options.wordWeight ?? 0.5;
    this.languageWeight = options.languageWeight ?? DEFAULT_LANGUAGE_WEIGHT;
    if (!Number.isInteger(this.dimensions) || this.dimensions < 1) {
      throw new RangeError('dimensions must be a positive integer');
    }
    if (this.minGram < 1 || this.maxGram < this.minGram) {
      throw new RangeError('n-gram range must satisfy 1 <= minGram <= maxGram');
    }
    if (!(this.wordWeight >= 0 && this.wordWeight <= 1)) {
      throw new RangeError('wordWeight must be between 0 and 1');
    }
    if (!(this.languageWeight >= 0 && this.languageWeight <= 1)) {
      throw new RangeError('languageWeight must be between 0 and 1');
    }
    // The name changes with every setting that changes the vectors (dimensions are recorded
    // beside it), so an index built with other settings is detected as a different model.
    const defaults = this.minGram === 3 && this.maxGram === 5 && this.wordWeight === 0.5 && this.languageWeight === DEFAULT_LANGUAGE_WEIGHT;
    const variant = defaults ? '' : `:g${this.minGram}-${this.maxGram}:w${this.wordWeight}:l${this.languageWeight}`;
    this.modelName = `${MODEL_FAMILY}${variant}`;
    this.embedInfo = { dimensions: this.dimensions };
    this.wordPart = new Float64Array(this.dimensions);
    this.gramPart = new Float64Array(this.dimensions);
    this.getTextEmbeddings = (texts: string[]) => Promise.resolve(texts.map((t) => Array.from(this.embed(t))));
  }

  /** LlamaIndex-style alias: OpenAI-like embeddings expose their model name as `model`. */
  get model(): string {
    return this.modelName;
  }

  getTextEmbedding(text: string): Promise<number[]> {
    return Promise.resolve(Array.from(this.embed(text)));
  }

  /** Synchronous embedding into a fresh Float32Array (the fast path for local indexing). */
  embed(text: string): Float32Array {
    const out = new Float32Array(this.dimensions);
    this.embedInto(text, out);
    return out;
  }

  /** Writes the unit-length embedding of `text` into `out`; an empty text gives the zero vector. */
  embedInto(text: string, out: Float32Array): void {
    const wordFeatures = this.wordFeatures;
    const gramFeatures = this.gramFeatures;
    wordFeatures.length = 0;
    gramFeatures.length = 0;
    const content = analyseText(text);
    for (const word of content.words) {
      const stemmed = stem(word);
      wordFeatures.push(hashChars(stemmed, 0, stemmed.length, WORD_SEED));
      const padded = word.length + 2;
      for (let n = this.minGram; n <= this.maxGram; n++) {
        // A word shorter than the n-gram still yields itself once, padded, so "ai" is not lost.
        if (n > padded) {
          if (n === this.minGram) gramFeatures.push(hashPaddedGram(word, 0, padded, GRAM_SEED));
          break;
        }
        for (let start = 0; start + n <= padded; start++) {
          gramFeatures.push(hashPaddedGram(word, start, n, GRAM_SEED + n));
        }
      }
    }
    const wordPart = this.wordPart.fill(0);
    const gramPart = this.gramPart.fill(0);
    accumulate(wordFeatures, wordPart);
    accumulate(gramFeatures, gramPart);
    const wordNorm = norm(wordPart);
    const gramNorm = norm(gramPart);
    // Each part is scaled to unit length first, so long words with many n-grams do not drown
    // the whole-word signal, then mixed with the configured share of energy.
    const a = wordNorm > 0 ? Math.sqrt(this.wordWeight) / wordNorm : 0;
    const b = gramNorm > 0 ? Math.sqrt(1 - this.wordWeight) / gramNorm : 0;
    for (let i = 0; i < this.dimensions; i++) gramPart[i] = a * wordPart[i] + b * gramPart[i];
    if (content.language && this.languageWeight > 0 && (wordNorm > 0 || gramNorm > 0)) {
      // Spread over a few features so that no single component stands out, which would coarsen
      // the int8 quantisation of the whole vector in the vector store.
      const amplitude = Math.sqrt(this.languageWeight / LANGUAGE_FEATURES);
      for (let f = 0; f < LANGUAGE_FEATURES; f++) {
        const hash = hashChars(content.language, 0, content.language.length, LANGUAGE_SEED + f);
        gramPart[(hash & 0x7fffffff) % this.dimensions] += (hash & 0x80000000 ? -1 : 1) * amplitude;
      }
    }
    let total = 0;
    for (let i = 0; i < this.dimensions; i++) total += gramPart[i] * gramPart[i];
    const scale = total > 0 ? 1 / Math.sqrt(total) : 0;
    for (let i = 0; i < this.dimensions; i++) out[i] = gramPart[i] * scale;
  }
}
