/**
 * A pool worker that behaves as asked: answers at once (with the thread it ran on), never yields
 * (a parser stuck in a loop), or holds on to ever more memory (a decompression bomb to its reader).
 */
import { threadId } from 'node:worker_threads';
import { limitedTask } from '../../../../src/content/parsing/limited-task';

export type Behaviour = { kind: 'echo'; value: unknown } | { kind: 'spin' } | { kind: 'hoard' };

export default limitedTask((task: Behaviour) => {
  if (task.kind === 'spin') for (;;);
  if (task.kind === 'hoard') {
    const hoard: string[][] = [];
    for (;;) hoard.push(Array.from({ length: 10_000 }, (_, i) => `${i}-${hoard.length}-${Math.random()}`));
  }
  return { ok: true, value: { echoed: task.value, threadId } };
});
