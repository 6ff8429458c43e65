/** Thrown when the work and its queue are both full: the caller should come back later. */
export class WorkQueueFull extends Error {
  constructor() {
    super('the work queue is full');
    this.name = 'WorkQueueFull';
  }
}

/**
 * At most `concurrency` tasks at once, and at most `queueSize` more waiting; beyond that a task is
 * refused at once rather than queued, so a flood cannot make every caller wait behind it.
 */
export class BoundedWork {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly queueSize: number,
  ) {}

  get pending(): number {
    return this.running + this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queueSize) throw new WorkQueueFull();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next();
      else this.running--;
    }
  }
}
