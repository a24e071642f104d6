import type { NodeMessage } from 'node-red';

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

/** One input message on its way to exactly one outcome. */
export interface PendingMessage {
  readonly msg: Record<string, unknown>;
  readonly send: Send;
  readonly done: Done;
  finished: boolean;
}

/**
 * The messages a node has accepted and not yet completed. `finish` runs an outcome only
 * once, whichever of success, failure or close comes first.
 */
export class PendingMessages {
  private readonly messages = new Set<PendingMessage>();

  get size(): number {
    return this.messages.size;
  }

  add(msg: Record<string, unknown>, send: Send, done: Done): PendingMessage {
    const pending: PendingMessage = { msg, send, done, finished: false };
    this.messages.add(pending);
    return pending;
  }

  /** Returns false when the message already had its outcome (for example, the node closed). */
  finish(pending: PendingMessage, outcome: (pending: PendingMessage) => void): boolean {
    if (pending.finished) return false;
    pending.finished = true;
    this.messages.delete(pending);
    outcome(pending);
    return true;
  }

  /** Completes every message without sending anything: used on close. */
  abandonAll(): void {
    for (const pending of [...this.messages]) this.finish(pending, (p) => p.done());
  }
}
