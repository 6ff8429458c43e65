import type { Bm25Index } from './bm25-index';
import type { LocalVectorStore } from './vector-index';

export type RetrievalMode = 'keyword' | 'vector' | 'hybrid';

export const RETRIEVAL_MODES: readonly RetrievalMode[] = ['keyword', 'vector', 'hybrid'];

export interface RetrievalHit {
  chunkId: string;
  /**
   * Reciprocal-rank-fusion score scaled to 0–1: 1 means ranked first by every list the mode uses
   * (in hybrid mode, a chunk first in one list and absent from the other scores about 0.5 with
   * equal weights). It orders results; it is not a calibrated relevance. For an absolute signal
   * use `vectorSimilarity` (cosine) or `keywordScore` (BM25).
   */
  score: number;
  /** 1-based rank in the keyword list, when the chunk is in it. */
  keywordRank?: number;
  keywordScore?: number;
  /** 1-based rank in the vector list, when the chunk is in it. */
  vectorRank?: number;
  vectorSimilarity?: number;
}

export interface HybridOptions {
  /** The constant of reciprocal rank fusion: larger flattens the advantage of top ranks (default 60). */
  rrfK?: number;
  keywordWeight?: number;
  vectorWeight?: number;
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
 * Fuses BM25 and vector similarity by reciprocal rank fusion (Cormack et al., 2009): each list
 * contributes weight / (rrfK + rank). Ranks, not raw scores, are fused because BM25 scores and
 * cosines live on unrelated scales; a chunk that both lists like rises above one only one likes.
 */
export class HybridRetriever {
  private readonly rrfK: number;
  private readonly keywordWeight: number;
  private readonly vectorWeight: number;
  private readonly candidates: number;

  constructor(
    private readonly keyword: Bm25Index,
    private readonly vectors: LocalVectorStore,
    private readonly embedQuery: QueryEmbedder,
    options: HybridOptions = {},
  ) {
    this.rrfK = options.rrfK ?? 60;
    this.keywordWeight = options.keywordWeight ?? 1;
    this.vectorWeight = options.vectorWeight ?? 1;
    this.candidates = options.candidates ?? 50;
    if (this.rrfK < 0 || this.keywordWeight < 0 || this.vectorWeight < 0) {
      throw new RangeError('fusion constant and weights must not be negative');
    }
  }

  async retrieve(query: string, options: RetrieveOptions): Promise<RetrievalHit[]> {
    const k = Math.max(0, Math.floor(options.k));
    const mode = options.mode ?? 'hybrid';
    if (k === 0) return [];
    const depth = mode === 'hybrid' ? Math.max(k, this.candidates) : k;
    const useKeyword = mode !== 'vector';
    const useVector = mode !== 'keyword';

    const fused = new Map<string, RetrievalHit>();
    const hitFor = (chunkId: string): RetrievalHit => {
      let hit = fused.get(chunkId);
      if (!hit) {
        hit = { chunkId, score: 0 };
        fused.set(chunkId, hit);
      }
      return hit;
    };

    if (useVector) {
      const vector = await this.embedQuery(query);
      if (vector && !isZero(vector)) {
        const hits = this.vectors.search(vector, { k: depth, moduleIds: options.moduleIds });
        hits.forEach((h, i) => {
          const hit = hitFor(h.chunkId);
          hit.vectorRank = i + 1;
          hit.vectorSimilarity = h.similarity;
          hit.score += this.vectorWeight / (this.rrfK + i + 1);
        });
      }
    }
    if (useKeyword) {
      const hits = this.keyword.search(query, { k: depth, moduleIds: options.moduleIds });
      hits.forEach((h, i) => {
        const hit = hitFor(h.chunkId);
        hit.keywordRank = i + 1;
        hit.keywordScore = h.score;
        hit.score += this.keywordWeight / (this.rrfK + i + 1);
      });
    }

    const best = (useKeyword ? this.keywordWeight : 0) + (useVector ? this.vectorWeight : 0);
    const scale = best > 0 ? (this.rrfK + 1) / best : 0;
    const ranked = [...fused.values()];
    for (const hit of ranked) hit.score *= scale;
    ranked.sort(
      (a, b) =>
        b.score - a.score ||
        (b.vectorSimilarity ?? -Infinity) - (a.vectorSimilarity ?? -Infinity) ||
        (b.keywordScore ?? 0) - (a.keywordScore ?? 0),
    );
    return ranked.slice(0, k);
  }
}

function isZero(vector: ArrayLike<number>): boolean {
  for (let i = 0; i < vector.length; i++) if (vector[i] !== 0) return false;
  return true;
}
