import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const DIST_SRC = join(__dirname, '..', '..', '..', 'src');

/** Runs `program` in a fresh Node process the way main.ts starts: source maps set up first. */
function stackOfThrow(program: string): string {
  const setUp = `require(${JSON.stringify(join(DIST_SRC, 'source-maps.js'))});`;
  const child = spawnSync(process.execPath, ['-e', setUp + program], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return child.stdout;
}

describe('stack traces of the started application', () => {
  it('point at the TypeScript source line of an application file, without --enable-source-maps', () => {
    // The embedding refuses a vector length of 0 with a RangeError thrown in its constructor.
    const stack = stackOfThrow(`
      const { LocalHashingEmbedding } = require(${JSON.stringify(join(DIST_SRC, 'index', 'engine', 'local-embedding.js'))});
      try { new LocalHashingEmbedding({ dimensions: 0 }); } catch (error) { console.log(error.stack); }
    `);
    assert.match(stack, /RangeError: dimensions must be a positive integer/);
    assert.match(stack, /src[\\/]index[\\/]engine[\\/]local-embedding\.ts:\d+:\d+/);
    assert.doesNotMatch(stack, /local-embedding\.js/);
  });
});
