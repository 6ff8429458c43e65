export * from './stopwords';
export * from './tokenize';
export * from './clip';
export * from './file-name';
