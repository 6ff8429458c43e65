/** A retrieved passage, as search, chat, grading and questions return it (API.md `passage`). */
export interface Passage {
  chunkId: string;
  resourceId: string;
  moduleId: string;
  /** The resource's title. */
  title: string;
  text: string;
  score: number;
  /**
   * Cosine similarity of the query to this passage under the local embedding, whose scale the
   * tutor's relevance floor is calibrated on; absent with other embedding models. Not sent to clients.
   */
  localSimilarity?: number;
  location: { page?: number; heading?: string };
}

/** A passage as stored beside a message, a grade or a question: its own copy, without the query's similarity. */
export function passageSnapshot({ localSimilarity: _similarity, ...passage }: Passage): Passage {
  return { ...passage, location: { ...passage.location } };
}
