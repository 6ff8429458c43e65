import type * as RemoteProviders from './llm-provider.factory';

/**
 * The factory of the remote models, loaded only when one is configured: it brings the OpenAI SDK,
 * whose 150 files cost an instance on the local models about 0.1 s of CPU at start for nothing.
 */
export function remoteProviders(): typeof RemoteProviders {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./llm-provider.factory') as typeof RemoteProviders;
}
