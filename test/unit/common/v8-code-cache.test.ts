import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CODE_CACHE = join(__dirname, '..', '..', '..', 'src', 'v8-code-cache.js');

/**
 * A program that loads two libraries through the code cache, as main.ts does on Node 20: one plain,
 * one that loads an ES module with `import()` (as Fastify and NestJS's injector do).
 */
function program(cacheDir: string): string {
  return `
    const cache = require(${JSON.stringify(CODE_CACHE)}).installStartUpCodeCache(${JSON.stringify(cacheDir)}, 'start.bin');
    const plain = require('plain');
    const dynamic = require('dynamic');
    cache.close();
    dynamic.load().then((esm) => console.log(plain.answer(), esm.greeting));
  `;
}

describe('the Node 20 code cache (src/v8-code-cache.ts)', () => {
  it("keeps a library's import() working when the library is loaded again from the cache", () => {
    const root = mkdtempSync(join(tmpdir(), 'lp-code-cache-'));
    try {
      mkdirSync(join(root, 'node_modules', 'plain'), { recursive: true });
      writeFileSync(join(root, 'node_modules', 'plain', 'index.js'), 'exports.answer = function () { return 42; };');
      mkdirSync(join(root, 'node_modules', 'dynamic'), { recursive: true });
      writeFileSync(join(root, 'node_modules', 'dynamic', 'index.js'), "exports.load = () => import('./greeting.mjs');");
      writeFileSync(join(root, 'node_modules', 'dynamic', 'greeting.mjs'), "export const greeting = 'hello from ESM';");
      const cacheDir = join(root, 'cache');
      for (const start of ['first', 'second']) {
        const child = spawnSync(process.execPath, ['-e', program(cacheDir)], { cwd: root, encoding: 'utf8' });
        assert.equal(child.status, 0, `${start} start: ${child.stderr}`);
        assert.equal(child.stdout.trim(), '42 hello from ESM', `${start} start`);
        assert.ok(existsSync(join(cacheDir, 'start.bin')), `${start} start: the cache file is written`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
