import * as nodeModule from 'node:module';

/**
 * Node 22.1 and later keep the code they compile on disk (`module.enableCompileCache`), so a
 * restart skips compiling the application and its libraries again: a tenth or more of a start
 * (measured by `npm run bench:startup`). Node 20 has no such cache and starts as before.
 * Imported first by main.ts: only modules loaded after the call are cached.
 */
const { enableCompileCache } = nodeModule as { enableCompileCache?: () => unknown };
enableCompileCache?.();
