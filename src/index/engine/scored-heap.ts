/**
 * A binary min-heap of (score, id) pairs over typed arrays. Retrieval pushes tens of thousands of
 * candidates a query; arrays of objects would put all of them through the garbage collector.
 * A max-heap is the same heap fed negated scores.
 */
export class ScoredHeap {
  private scores: Float64Array;
  private ids: Int32Array;
  private count = 0;

  constructor(initialCapacity = 64) {
    this.scores = new Float64Array(Math.max(4, initialCapacity));
    this.ids = new Int32Array(Math.max(4, initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  /** Score of the smallest entry; only meaningful when size > 0. */
  peekScore(): number {
    return this.scores[0];
  }

  peekId(): number {
    return this.ids[0];
  }

  push(score: number, id: number): void {
    if (this.count === this.scores.length) this.grow();
    let i = this.count++;
    const scores = this.scores;
    const ids = this.ids;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (scores[parent] <= score) break;
      scores[i] = scores[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    scores[i] = score;
    ids[i] = id;
  }

  /** Removes the smallest entry and returns its id (its score is read with peekScore before). */
  pop(): number {
    const scores = this.scores;
    const ids = this.ids;
    const top = ids[0];
    const last = --this.count;
    if (last > 0) this.siftDown(scores[last], ids[last], last);
    return top;
  }

  /** Keeps the `limit` largest scores seen: pushes, then drops the smallest when over the limit. */
  pushBounded(score: number, id: number, limit: number): void {
    if (this.count < limit) {
      this.push(score, id);
    } else if (score > this.scores[0]) {
      this.siftDown(score, id, this.count);
    }
  }

  /** Empties the heap into arrays sorted by score, largest first. */
  drainDescending(): { ids: Int32Array; scores: Float64Array } {
    const n = this.count;
    const ids = new Int32Array(n);
    const scores = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      scores[i] = this.scores[0];
      ids[i] = this.pop();
    }
    return { ids, scores };
  }

  private siftDown(score: number, id: number, length: number): void {
    const scores = this.scores;
    const ids = this.ids;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && scores[right] < scores[left] ? right : left;
      if (scores[child] >= score) break;
      scores[i] = scores[child];
      ids[i] = ids[child];
      i = child;
    }
    scores[i] = score;
    ids[i] = id;
  }

  private grow(): void {
    const scores = new Float64Array(this.scores.length * 2);
    scores.set(this.scores);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.scores = scores;
    this.ids = ids;
  }
}
