// The remote providers (llm-provider.factory, openai-chat.provider, remote-embedding,
// openai-clients) are imported from their own files, and only when configured: they load the
// OpenAI SDK, which an instance on the local models has no use for.
export * from './llm.types';
export * from './llm-provider';
export * from './structured-output';
export * from './retry-policy';
export * from './token-estimate';
export * from './prompt-builders';
export * from './local-llm.provider';
export { composeTutorAnswer, type TutorAnswer } from './local-tutor-answer';
export { summarizeConversation } from './local-conversation-summary';
export * from './metered-llm.provider';
