/** Deterministic uniform numbers in [0, 1) (xorshift32), so that a failing test reproduces and bench:search indexes the same text every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
