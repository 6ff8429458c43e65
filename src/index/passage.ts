/** A retrieved passage, as search, chat, grading and questions return it (API.md `passage`). */
export interface Passage {
  chunkId: string;
  resourceId: string;
  moduleId: string;
  /** The resource's title. */
  title: string;
  text: string;
  score: number;
  location: { page?: number; heading?: string };
}
