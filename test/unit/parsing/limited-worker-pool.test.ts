import { afterEach, describe, expect, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LimitedWorkerPool } from '../../../src/content/parsing/limited-worker-pool';
import type { WorkerOutcome } from '../../../src/content/parsing/worker-reply';
import type { Behaviour } from './workers/misbehaving.worker';

type Echo = { echoed: unknown; threadId: number };

describe('LimitedWorkerPool', () => {
  let pool: LimitedWorkerPool<Behaviour, Echo>;
  const start = (threads: number, maxHeapMb = 64) => {
    pool = new LimitedWorkerPool({ filename: join(__dirname, 'workers', 'misbehaving.worker.js'), threads, maxHeapMb });
    return pool;
  };
  afterEach(() => pool.close());

  const echo = (value: unknown, timeoutMs = 10_000) => pool.run({ kind: 'echo', value }, { timeoutMs });

  it('should answer with what the worker returns, from long-lived workers', async () => {
    start(2);
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => echo({ n: i })));
    outcomes.forEach((outcome, i) => expect(outcome).toMatchObject({ status: 'done', value: { echoed: { n: i } } }));
    const threads = new Set(outcomes.map((outcome) => (outcome.status === 'done' ? outcome.value.threadId : -1)));
    assert.ok(threads.size <= 2, `8 tasks ran on ${threads.size} threads, not one thread each`);
  });

  it('should stop a task stuck in a loop at its time limit while the other workers finish theirs', async () => {
    start(2);
    const started = Date.now();
    const runaway = pool.run({ kind: 'spin' }, { timeoutMs: 300 });
    const others = Array.from({ length: 6 }, (_, i) => echo(i));
    expect(await runaway).toEqual({ status: 'timed_out' });
    assert.ok(Date.now() - started < 10_000, `stopped after ${Date.now() - started} ms`);
    for (const outcome of await Promise.all(others)) expect(outcome.status).toBe('done');
    await expectReplaced(2);
  });

  it('should not count the time a task waits for a free worker', async () => {
    start(1);
    const slow = pool.run({ kind: 'spin' }, { timeoutMs: 400 });
    // Queued behind the spinning task for 400 ms, longer than its own limit of 200 ms.
    const queued = echo('after', 200);
    expect(await slow).toEqual({ status: 'timed_out' });
    expect(await queued).toMatchObject({ status: 'done', value: { echoed: 'after' } });
  });

  it('should report a task that outgrows the heap limit, replace its worker and keep serving', async () => {
    start(2, 24);
    const others = Array.from({ length: 4 }, (_, i) => echo(i));
    const bomb: WorkerOutcome<Echo> = await pool.run({ kind: 'hoard' }, { timeoutMs: 30_000 });
    expect(bomb).toEqual({ status: 'out_of_memory' });
    for (const outcome of await Promise.all(others)) expect(outcome.status).toBe('done');
    await expectReplaced(2);
    expect(await echo('still here')).toMatchObject({ status: 'done', value: { echoed: 'still here' } });
  });

  /** The pool is back to its size once piscina has replaced the worker it lost. */
  async function expectReplaced(threads: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (pool.threads !== threads && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(pool.threads, threads);
  }
});
