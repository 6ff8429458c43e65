import * as nodeModule from 'node:module';

/**
 * Node 22.1 and later keep the code they compile on disk (`module.enableCompileCache`), so a
 * restart skips compiling the application and its libraries again: on Node 24 and two cores, an
 * empty instance's start took 2.6–3.1 s of CPU with it, 3.1–3.5 s without. Node 20 has no such
 * cache and starts as before. Imported first by main.ts: only modules loaded after the call are cached.
 */
const { enableCompileCache } = nodeModule as { enableCompileCache?: () => unknown };
enableCompileCache?.();
