import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartUpCodeCache } from './v8-code-cache';

/**
 * Node 22.1 and later keep the code they compile on disk (`module.enableCompileCache`), so a
 * restart skips compiling the application and its libraries again: on Node 24 and two cores, an
 * empty instance's start took 2.6–3.1 s of CPU with it, 3.1–3.5 s without. Node 20 has no such
 * cache: there the libraries' code is cached by src/v8-code-cache.ts, in the same directory
 * (NODE_COMPILE_CACHE, or the temporary directory) and turned off by the same variable
 * (NODE_DISABLE_COMPILE_CACHE). Imported first by main.ts: only modules loaded after it are cached.
 */
const { enableCompileCache } = nodeModule as { enableCompileCache?: () => unknown };

let startUpCache: StartUpCodeCache | undefined;
if (enableCompileCache) enableCompileCache();
else if (!process.env.NODE_DISABLE_COMPILE_CACHE) {
  // Required here: Node 22 and later never load them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { installStartUpCodeCache } = require('./v8-code-cache') as typeof import('./v8-code-cache');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const base = process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache');
  const user = process.getuid?.() ?? 'user';
  // One file per installation (its entry point) and Node version: V8 refuses another version's code.
  const entry = createHash('sha256')
    .update(require.main?.filename ?? process.cwd())
    .digest('hex')
    .slice(0, 16);
  startUpCache = installStartUpCodeCache(join(base, `v8-code-cache-${user}`), `${entry}-${process.version}-${process.arch}.bin`);
}

/** Called once the application has started: Node 20 then writes the code it compiled, when any was new. */
export function startedUp(): void {
  startUpCache?.close();
  startUpCache = undefined;
}
