import { describe, it, expect } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runInWorker } from '../../../src/content/parsing/run-in-worker';

const worker = (name: string): string => join(__dirname, 'workers', `${name}.worker.js`);

describe('runInWorker', () => {
  it('should return what the worker answers', async () => {
    const outcome = await runInWorker(worker('echo'), { n: 1 }, { timeoutMs: 5_000, maxHeapMb: 64 });
    expect(outcome).toEqual({ status: 'done', value: { echoed: { n: 1 } } });
  });

  it('should stop a worker stuck in a loop at the time limit', async () => {
    const started = Date.now();
    const outcome = await runInWorker(worker('spin-forever'), undefined, { timeoutMs: 300, maxHeapMb: 64 });
    const elapsed = Date.now() - started;
    expect(outcome).toEqual({ status: 'timed_out' });
    assert.ok(elapsed >= 300 && elapsed < 5_000, `stopped after ${elapsed} ms`);
  });

  it('should report a worker that outgrows its heap limit instead of taking the process down', async () => {
    const outcome = await runInWorker(worker('exhaust-heap'), undefined, { timeoutMs: 20_000, maxHeapMb: 24 });
    expect(outcome).toEqual({ status: 'out_of_memory' });
  });
});
