export * from './fake-azure-openai.server';
