import { decode, encode } from 'gpt-tokenizer';

/** A run this long without white space, or of white space, is counted by estimate. */
const LONG_RUN = /\S{40,}|\s{40,}/;
const LONG_RUNS = new RegExp(LONG_RUN.source, 'g');
/**
 * Byte-pair encodings of such runs (sequences, hashes, rules of dashes) average 2–4 ASCII
 * characters a token; other characters (accents, CJK) are counted a token each, an over-count.
 */
const ASCII_CHARS_PER_TOKEN = 3;
/** Remembered counts per counter; beyond this many the memory starts over. */
const MAX_REMEMBERED = 50_000;

/** LlamaIndex's tokenizer shape, what SentenceSplitter accepts. */
interface Encoder {
  encode(text: string): Uint32Array;
  decode(tokens: Uint32Array): string;
}

export interface TokenCounter extends Encoder {
  count(text: string): number;
}

/**
 * Special tokens such as `<|endoftext|>` are words like any other in a document (a course on
 * language models quotes them): the tokenizer's default refuses text holding one.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const exact = (text: string): number => encode(text, AS_PLAIN_TEXT).length;

/**
 * The cl100k tokenizer LlamaIndex counts with (gpt-tokenizer, which @llamaindex/env prefers to
 * js-tiktoken when installed), for counting only, made safe and quicker for chunking:
 *
 * - byte-pair merging slows down super-linearly on a long run without white space (gpt-tokenizer:
 *   4,000 repeated "é" take 0.13 s, 16,000 take 0.8 s; js-tiktoken was slower still), so such runs
 *   are estimated, on the high side; ordinary prose is counted exactly.
 * - Text holding `cutMark` (a one-token control character) is counted as the sum of its pieces
 *   plus one per mark, and pieces are remembered: the splitter then re-counts nothing the chunker
 *   already counted, and encoding runs about once over the text instead of three times.
 */
export function createTokenCounter(cutMark?: string): TokenCounter {
  const remembered = new Map<string, number>();

  const countPiece = (text: string): number => {
    const known = remembered.get(text);
    if (known !== undefined) return known;
    const count = LONG_RUN.test(text) ? countWithLongRuns(text) : exact(text);
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    remembered.set(text, count);
    return count;
  };
  const countWithLongRuns = (text: string): number => {
    let count = 0;
    let last = 0;
    for (const run of text.matchAll(LONG_RUNS)) {
      count += exact(text.slice(last, run.index)) + estimateTokens(run[0]);
      last = run.index + run[0].length;
    }
    return count + exact(text.slice(last));
  };
  const count = (text: string): number => {
    if (!cutMark || !text.includes(cutMark)) return countPiece(text);
    const pieces = text.split(cutMark);
    return pieces.reduce((sum, piece) => sum + (piece ? countPiece(piece) : 0), pieces.length - 1);
  };

  return {
    count,
    // Only the length is ever read: the splitter counts with this tokenizer, it never decodes.
    encode: (text: string): Uint32Array => new Uint32Array(count(text)),
    decode: (tokens: Uint32Array): string => decode(tokens),
  };
}

function estimateTokens(run: string): number {
  const nonAscii = run.replace(/[\x00-\x7F]+/g, '').length;
  return Math.ceil((run.length - nonAscii) / ASCII_CHARS_PER_TOKEN) + nonAscii;
}
