import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { BoundedWork, WorkQueueFull } from '../../../src/common/bounded-work';

describe('bounded work', () => {
  it('should run at most `concurrency` tasks at once, queue a few more in order and refuse the rest at once', async () => {
    const work = new BoundedWork(2, 3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (n: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      order.push(n);
      return n;
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => work.run(task(n))));
    assert.equal(peak, 2);
    const done = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value);
    assert.deepEqual(done, [0, 1, 2, 3, 4]);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    for (const refused of outcomes.slice(5)) {
      assert.equal(refused.status, 'rejected');
      assert.ok((refused as PromiseRejectedResult).reason instanceof WorkQueueFull);
    }
    assert.equal(work.pending, 0);
    // Room again once the queue has drained; a failing task frees its slot too.
    await assert.rejects(
      work.run(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await work.run(() => Promise.resolve('after')), 'after');
    assert.equal(work.pending, 0);
  });
});
