import type { Bm25Index } from './bm25-index';
import type { LocalVectorStore } from './vector-index';

export type RetrievalMode = 'keyword' | 'vector' | 'hybrid';

export const RETRIEVAL_MODES: readonly RetrievalMode[] = ['keyword', 'vector', 'hybrid'];

export interface RetrievalHit {
  chunkId: string;
  /**
   * Relevance relative to the best candidates of this query, 0–1, best first: the weighted mean of
   * the chunk's BM25 score divided by the query's best BM25 score and of its vector similarity
   * rescaled from the "unrelated" floor (0) to the query's best similarity (1), over the lists the
   * mode uses. 1 means best in every list used; in hybrid mode with equal weights, a chunk best in
   * one list and unrelated in the other scores 0.5. It is not comparable across queries; for an
   * absolute signal use `vectorSimilarity` (cosine) or `keywordScore` (BM25).
   */
  score: number;
  /** 1-based rank in the keyword list, when the chunk is in it. */
  keywordRank?: number;
  keywordScore?: number;
  /** 1-based rank in the vector list, when the chunk is in it. */
  vectorRank?: number;
  /** Cosine similarity to the query, when the chunk is in the vector list or was scored for fusion. */
  vectorSimilarity?: number;
}

export interface HybridOptions {
  /** Relative weights of the keyword and the vector score in hybrid mode (default 1 and 1). */
  keywordWeight?: number;
  vectorWeight?: number;
  /**
   * The similarity that means "unrelated" for the embedding model: similarities are rescaled from
   * it (0) to the query's best (1). When not set, the lowest similarity among the vector
   * candidates is taken (min-max), which adapts to models whose unrelated texts score 0.7 as well
   * as to those whose unrelated texts score 0. The engine sets 0 for the local hashing embedding.
   */
  similarityFloor?: number;
  /** How deep each list is read before fusion (default 50, never less than k). */
  candidates?: number;
}

export interface RetrieveOptions {
  k: number;
  mode?: RetrievalMode;
  /** Only chunks of these modules. */
  moduleIds?: readonly string[];
}

/** Embeds a query; a zero-length or all-zero vector means "nothing to compare". */
export type QueryEmbedder = (query: string) => Promise<ArrayLike<number> | null>;

/**
 * Fuses BM25 and vector similarity by a convex combination of normalised scores: each score is
 * divided by the query's best (BM25 has a theoretical minimum of 0; similarities are rescaled from
 * the "unrelated" floor), then mixed by weight. Bruch, Gai and Ingber ("An Analysis of Fusion
 * Functions for Hybrid Retrieval", ACM TOIS 2023) found this more accurate than reciprocal rank
 * fusion, which throws away how far ahead a top hit is: here, with a strong BM25 match, a chunk
 * that the weaker vector side ranks low keeps its place, and a chunk that shares no word with the
 * query can still rise on similarity alone.
 *
 * Keyword candidates the vector search did not reach get their exact similarity from the vector
 * store, so both halves of their score are real. Vector candidates outside the keyword list count
 * as BM25 0, which is exact when the keyword list is shorter than the depth read (no shared term).
 */
export class HybridRetriever {
  private readonly keywordShare: number;
  private readonly similarityFloor: number | undefined;
  private readonly candidates: number;

  constructor(
    private readonly keyword: Bm25Index,
    private readonly vectors: LocalVectorStore,
    private readonly embedQuery: QueryEmbedder,
    options: HybridOptions = {},
  ) {
    const keywordWeight = options.keywordWeight ?? 1;
    const vectorWeight = options.vectorWeight ?? 1;
    if (!(keywordWeight >= 0 && vectorWeight >= 0) || keywordWeight + vectorWeight === 0) {
      throw new RangeError('fusion weights must not be negative, and not both 0');
    }
    this.keywordShare = keywordWeight / (keywordWeight + vectorWeight);
    this.similarityFloor = options.similarityFloor;
    this.candidates = Math.max(1, Math.floor(options.candidates ?? 50));
  }

  async retrieve(query: string, options: RetrieveOptions): Promise<RetrievalHit[]> {
    const k = Math.max(0, Math.floor(options.k));
    const mode = options.mode ?? 'hybrid';
    if (k === 0) return [];
    // Single modes read as deep as hybrid too, so that their scores are normalised the same way.
    const depth = Math.max(k, this.candidates);
    const useKeyword = mode !== 'vector';
    const useVector = mode !== 'keyword';
    const keywordShare = useKeyword ? (useVector ? this.keywordShare : 1) : 0;
    const vectorShare = 1 - keywordShare;

    const fused = new Map<string, RetrievalHit>();
    const hitFor = (chunkId: string): RetrievalHit => {
      let hit = fused.get(chunkId);
      if (!hit) {
        hit = { chunkId, score: 0 };
        fused.set(chunkId, hit);
      }
      return hit;
    };

    if (useKeyword) {
      const hits = this.keyword.search(query, { k: depth, moduleIds: options.moduleIds });
      const best = hits.length > 0 ? hits[0].score : 0;
      hits.forEach((h, i) => {
        const hit = hitFor(h.chunkId);
        hit.keywordRank = i + 1;
        hit.keywordScore = h.score;
        hit.score += best > 0 ? (keywordShare * h.score) / best : keywordShare;
      });
    }
    if (useVector) {
      const vector = await this.embedQuery(query);
      const hits = vector && !isZero(vector) ? this.vectors.search(vector, { k: depth, moduleIds: options.moduleIds }) : [];
      if (vector && hits.length > 0) {
        hits.forEach((h, i) => {
          const hit = hitFor(h.chunkId);
          hit.vectorRank = i + 1;
          hit.vectorSimilarity = h.similarity;
        });
        if (useKeyword) {
          const unreached = [...fused.values()].filter((hit) => hit.vectorSimilarity === undefined).map((hit) => hit.chunkId);
          for (const [chunkId, similarity] of this.vectors.similarities(vector, unreached)) {
            hitFor(chunkId).vectorSimilarity = similarity;
          }
        }
        const best = hits[0].similarity;
        const floor = this.similarityFloor ?? hits[hits.length - 1].similarity;
        const range = best - floor;
        for (const hit of fused.values()) {
          const similarity = hit.vectorSimilarity;
          if (similarity === undefined) continue;
          // No spread: under min-max, the candidates all tie for best (1); at or under a fixed
          // floor, nothing is similar (0).
          const share = range > 0 ? (similarity - floor) / range : this.similarityFloor === undefined && similarity >= best ? 1 : 0;
          hit.score += vectorShare * Math.min(1, Math.max(0, share));
        }
      }
    }

    // Insertion order (keyword list first) breaks ties, since the sort is stable.
    const ranked = [...fused.values()].sort((a, b) => b.score - a.score);
    return ranked.slice(0, k);
  }
}

function isZero(vector: ArrayLike<number>): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) return false;
  return true;
}
