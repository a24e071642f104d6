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
  private readonly waiting: QueuedTask[] = [];
  private readonly running = new Set<RunningTask>();
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly maxConcurrent: number,
    readonly queueLimit: number,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  get runningCount(): number {
    return this.running.size;
  }

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
    this.notify();
    return true;
  }

  /** Called whenever the counts change, so consumers can show the queue in their status. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops the owner's waiting tasks and aborts its running ones (a redeploy of one node). */
  cancelOwner(owner: object): void {
    this.cancelWhere((task) => task.owner === owner);
  }

  cancelAll(): void {
    this.cancelWhere(() => true);
    this.listeners.clear();
  }

  private cancelWhere(matches: (task: QueuedTask) => boolean): void {
    const dropped = this.waiting.filter(matches);
    for (let index = this.waiting.length - 1; index >= 0; index--) {
      if (matches(this.waiting[index])) this.waiting.splice(index, 1);
    }
    for (const task of dropped) task.cancel();
    for (const entry of this.running) {
      if (matches(entry.task)) entry.controller.abort();
    }
    this.notify();
  }

  private run(task: QueuedTask): void {
    const entry: RunningTask = { task, controller: new AbortController() };
    this.running.add(entry);
    this.notify();
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
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
