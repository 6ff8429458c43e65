export * from './stopwords';
export * from './tokenize';
