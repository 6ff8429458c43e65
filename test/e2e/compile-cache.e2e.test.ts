import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppProcess } from '../support/app-process';
import { TEST_ADMIN } from '../support/test-app';

/**
 * `node dist/src/main.js` keeps the code it compiled in NODE_COMPILE_CACHE: Node 22 and later by
 * itself (`module.enableCompileCache`), Node 20 with src/v8-code-cache.ts.
 */
const nodeCachesItself = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function startAndLogIn(env: Record<string, string>): Promise<void> {
  const app = await startAppProcess(env);
  try {
    const login = await app.http.post('/api/auth/login').send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const me = await app.http.get('/api/users/me').set('authorization', `Bearer ${login.body.data.access_token}`);
    assert.equal(me.status, 200);
    assert.equal(me.body.data.email, TEST_ADMIN.email);
  } finally {
    await app.stop();
  }
}

describe('the compiled-code cache of a started instance', () => {
  (nodeCachesItself ? it.skip : it)(
    'is written by the first start on Node 20, read whole by the next, and replaced when damaged',
    async () => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'lp-compile-cache-'));
      try {
        await startAndLogIn({ NODE_COMPILE_CACHE: cacheDir });
        const [cacheFile, ...others] = filesUnder(cacheDir);
        assert.ok(cacheFile, 'the first start wrote its cache');
        assert.deepEqual(others, []);
        const written = statSync(cacheFile);
        assert.ok(written.size > 1_000_000, `${written.size} bytes of code`);

        await startAndLogIn({ NODE_COMPILE_CACHE: cacheDir });
        // Rewritten (a new file renamed over it) only when some module's code was missing or refused.
        const after = statSync(cacheFile);
        assert.equal(after.ino, written.ino, 'the second start found every module it loaded in the cache');

        // A damaged file (a disk error, a write cut short) is code V8 must not run: refused, and replaced.
        const damaged = readFileSync(cacheFile);
        damaged.fill(0x5a, damaged.length - 2_000_000, damaged.length - 1_000_000);
        writeFileSync(cacheFile, damaged);
        await startAndLogIn({ NODE_COMPILE_CACHE: cacheDir });
        assert.notEqual(statSync(cacheFile).ino, after.ino, 'the damaged modules were compiled again and the file rewritten');
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    },
  );

  it('does not stop an instance from starting where the cache cannot be written', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'lp-compile-cache-'));
    const notADirectory = join(scratch, 'a-file');
    writeFileSync(notADirectory, 'not a directory');
    try {
      await startAndLogIn({ NODE_COMPILE_CACHE: join(notADirectory, 'cache') });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
