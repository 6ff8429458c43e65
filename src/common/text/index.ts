export * from './stopwords';
export * from './tokenize';
export * from './clip';
