export { LocalHashingEmbedding, type LocalHashingEmbeddingOptions } from './local-embedding';
export { Bm25Index, type Bm25Options, type KeywordHit, type KeywordSearchOptions } from './bm25-index';
export { HnswGraph, type HnswOptions, type GraphHits } from './hnsw-graph';
export {
  LocalVectorStore,
  UnsupportedVectorQueryError,
  filterFromMetadata,
  type LocalVectorStoreOptions,
  type VectorEntry,
  type VectorFilter,
  type VectorHit,
  type VectorSearchOptions,
} from './vector-index';
export {
  HybridRetriever,
  RETRIEVAL_MODES,
  type HybridOptions,
  type QueryEmbedder,
  type RetrievalHit,
  type RetrievalMode,
  type RetrieveOptions,
} from './hybrid-retriever';
export {
  RetrievalEngine,
  EmbeddingModelChanged,
  IndexNotFound,
  describeEmbedding,
  type AddChunksOptions,
  type EmbeddingIdentity,
  type EngineChunk,
  type EngineOptions,
  type EngineSearchOptions,
  type EngineStats,
  type IndexManifest,
} from './retrieval-engine';
export { CorruptIndexFileError } from './binary-container';
