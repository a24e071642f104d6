/** A unit of work waiting for a request slot. */
export interface QueuedTask {
  /** Who submitted it: closing that owner cancels only its own tasks. */
  owner: object;
  /** Runs the request; must settle on its own (success or failure) and honour the signal. */
  start(signal: AbortSignal): Promise<void>;
  /** Called instead of `start` when the task is dropped before it began. */
  cancel(): void;
}

interface RunningTask {
  task: QueuedTask;
  controller: AbortController;
}

/**
 * At most `maxConcurrent` tasks run at once and at most `queueLimit` wait; one queue is
 * shared by every node that uses the same config node.
 */
export class RequestQueue {
  private waiting: QueuedTask[] = [];
  private readonly running = new Set<RunningTask>();

  constructor(
    readonly maxConcurrent: number,
    readonly queueLimit: number,
  ) {}

  waitingFor(owner: object): number {
    return this.waiting.reduce((count, task) => count + (task.owner === owner ? 1 : 0), 0);
  }

  /** Returns false, and keeps nothing, when the queue is full. */
  submit(task: QueuedTask): boolean {
    if (this.running.size < this.maxConcurrent) {
      this.run(task);
      return true;
    }
    if (this.waiting.length >= this.queueLimit) return false;
    this.waiting.push(task);
    return true;
  }

  /** Drops the owner's waiting tasks and aborts its running ones (a redeploy of one node). */
  cancelOwner(owner: object): void {
    this.cancelWhere((task) => task.owner === owner);
  }

  cancelAll(): void {
    this.cancelWhere(() => true);
  }

  private cancelWhere(matches: (task: QueuedTask) => boolean): void {
    const dropped = this.waiting.filter(matches);
    this.waiting = this.waiting.filter((task) => !matches(task));
    for (const task of dropped) task.cancel();
    for (const entry of this.running) {
      if (matches(entry.task)) entry.controller.abort();
    }
  }

  private run(task: QueuedTask): void {
    const entry: RunningTask = { task, controller: new AbortController() };
    this.running.add(entry);
    task
      .start(entry.controller.signal)
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(entry);
        this.pump();
      });
  }

  private pump(): void {
    while (this.running.size < this.maxConcurrent && this.waiting.length > 0) {
      this.run(this.waiting.shift() as QueuedTask);
    }
  }
}
