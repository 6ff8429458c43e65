import { afterEach, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/app-config';
import { InProcessJobQueue } from '../../../src/infrastructure/jobs/in-process-job-queue';
import { JobContext, JobHandler, throwIfInterrupted } from '../../../src/infrastructure/jobs/job-queue';
import { MetricsService } from '../../../src/observability/metrics.service';
import { waitFor } from '../../support/redis-server';

const BACKOFF_MS = 40;

/** A handler that fails its first `failures` attempts, recording each one. */
function flakyHandler(failures: number) {
  const attempts: { attempt: number; at: number; data: unknown }[] = [];
  const failed: Error[] = [];
  const handler: JobHandler<unknown> = {
    name: 'test.flaky',
    run: (data, context) => {
      attempts.push({ attempt: context.attempt, at: Date.now(), data });
      return attempts.length <= failures ? Promise.reject(new Error(`failure ${attempts.length}`)) : Promise.resolve();
    },
    failed: (_data, error) => {
      failed.push(error);
      return Promise.resolve();
    },
  };
  return { handler, attempts, failed };
}

describe('InProcessJobQueue', () => {
  const queues: InProcessJobQueue[] = [];
  const metrics = new MetricsService();
  const newQueue = (env: Record<string, string> = {}) => {
    const config = loadConfig({ NODE_ENV: 'test', JOBS_ATTEMPTS: '3', JOBS_BACKOFF_MS: String(BACKOFF_MS), ...env });
    const queue = new InProcessJobQueue(config, metrics);
    queues.push(queue);
    return queue;
  };
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.beforeApplicationShutdown();
  });

  it('should retry a failing job with pauses that double, then succeed without calling failed', async () => {
    const queue = newQueue();
    const { handler, attempts, failed } = flakyHandler(2);
    queue.register(handler);
    queue.onApplicationBootstrap();
    await queue.add('test.flaky', { n: 1 });
    await waitFor(() => Promise.resolve(attempts.length === 3), 5_000, 5);
    assert.deepEqual(
      attempts.map((a) => a.attempt),
      [1, 2, 3],
    );
    assert.ok(attempts[1]!.at - attempts[0]!.at >= BACKOFF_MS - 5);
    assert.ok(attempts[2]!.at - attempts[1]!.at >= 2 * BACKOFF_MS - 5);
    assert.ok(attempts.every((a) => JSON.stringify(a.data) === '{"n":1}'));
    await waitFor(async () => (await queue.counts()).active === 0, 1_000, 5);
    assert.deepEqual(failed, []);
  });

  it('should call failed once, with the last error, when every attempt failed', async () => {
    const queue = newQueue();
    const { handler, attempts, failed } = flakyHandler(10);
    queue.register(handler);
    queue.onApplicationBootstrap();
    await queue.add('test.flaky', {});
    await waitFor(() => Promise.resolve(failed.length === 1), 5_000, 5);
    assert.equal(attempts.length, 3);
    assert.equal(failed[0]!.message, 'failure 3');
    assert.deepEqual(await queue.counts(), { waiting: 0, active: 0, delayed: 0 });
  });

  it('should hold jobs until the application has started, and not queue the same id twice', async () => {
    const queue = newQueue();
    const { handler, attempts } = flakyHandler(0);
    queue.register(handler);
    await queue.add('test.flaky', { n: 1 }, { id: 'same' });
    await queue.add('test.flaky', { n: 2 }, { id: 'same' });
    await queue.add('test.flaky', { n: 3 }, { id: 'other' });
    assert.deepEqual(await queue.counts(), { waiting: 2, active: 0, delayed: 0 });
    assert.equal(attempts.length, 0);
    queue.onApplicationBootstrap();
    await waitFor(() => Promise.resolve(attempts.length === 2), 1_000, 5);
    assert.deepEqual(
      attempts.map((a) => a.data),
      [{ n: 1 }, { n: 3 }],
    );
  });

  it('should run at most JOBS_CONCURRENCY jobs at once', async () => {
    const queue = newQueue({ JOBS_CONCURRENCY: '2' });
    let running = 0;
    let most = 0;
    let done = 0;
    queue.register({
      name: 'test.slow',
      run: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        done += 1;
      },
      failed: () => Promise.resolve(),
    });
    queue.onApplicationBootstrap();
    for (let i = 0; i < 6; i++) await queue.add('test.slow', {});
    await waitFor(() => Promise.resolve(done === 6), 2_000, 5);
    assert.equal(most, 2);
  });

  it('should interrupt a running job when the application stops, neither retrying it nor failing it', async () => {
    const queue = newQueue();
    let interrupted = false;
    let failed = false;
    let started = false;
    queue.register({
      name: 'test.long',
      run: async (_data, context: JobContext) => {
        started = true;
        while (!context.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 5));
        interrupted = true;
        throwIfInterrupted(context.signal);
      },
      failed: () => {
        failed = true;
        return Promise.resolve();
      },
    });
    queue.onApplicationBootstrap();
    await queue.add('test.long', {});
    await waitFor(() => Promise.resolve(started), 1_000, 5);
    await queue.beforeApplicationShutdown();
    assert.ok(interrupted);
    assert.equal(failed, false);
    assert.deepEqual(await queue.counts(), { waiting: 0, active: 0, delayed: 0 });
  });

  it('should refuse a job nobody handles', async () => {
    const queue = newQueue();
    await assert.rejects(() => queue.add('test.unknown', {}), /No handler for the test.unknown job/);
  });
});
