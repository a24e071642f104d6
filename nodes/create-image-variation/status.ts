import type { Node, NodeStatus } from 'node-red';
import type { ErrorCode } from './errors';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * The node's status: blue while it has messages in progress (with its queue length when
 * some wait), then green with the image count or red with a short reason.
 */
export class StatusView {
  private shown = '';
  private readonly texts = new Map<string, string>();

  constructor(
    private readonly node: Node,
    private readonly translate: Translate,
  ) {}

  busy(queued: number): void {
    const text = queued > 0 ? this.text('status.queued', queued) : this.text('status.requesting');
    this.show({ fill: 'blue', shape: 'dot', text });
  }

  succeeded(images: number): void {
    this.show({ fill: 'green', shape: 'dot', text: this.text('status.done', images) });
  }

  failed(code: ErrorCode): void {
    this.show({ fill: 'red', shape: 'ring', text: this.text(`status.codes.${code}`) });
  }

  /** RED._ resolves plural rules on every call; the same few texts recur for every message. */
  private text(key: string, count?: number): string {
    const id = count === undefined ? key : `${key}|${count}`;
    let text = this.texts.get(id);
    if (text === undefined) {
      text = count === undefined ? this.translate(key) : this.translate(key, { count });
      if (this.texts.size >= 256) this.texts.clear();
      this.texts.set(id, text);
    }
    return text;
  }

  clear(): void {
    this.shown = '';
    this.node.status({});
  }

  private show(status: NodeStatus): void {
    // Under load the same text repeats for every message; only changes reach the editor.
    const key = `${status.fill}|${status.shape}|${status.text}`;
    if (key === this.shown) return;
    this.shown = key;
    this.node.status(status);
  }
}
