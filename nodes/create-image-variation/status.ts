import type { Node, NodeStatus } from 'node-red';
import type { ErrorCode } from './errors';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * The node's status: blue while it has messages in progress (with its queue length when
 * some wait), then green with the image count or red with a short reason.
 */
export class StatusView {
  private shown = '';

  constructor(
    private readonly node: Node,
    private readonly translate: Translate,
  ) {}

  busy(queued: number): void {
    const text = queued > 0 ? this.translate('status.queued', { count: queued }) : this.translate('status.requesting');
    this.show({ fill: 'blue', shape: 'dot', text });
  }

  succeeded(images: number): void {
    this.show({ fill: 'green', shape: 'dot', text: this.translate('status.done', { count: images }) });
  }

  failed(code: ErrorCode): void {
    this.show({ fill: 'red', shape: 'ring', text: this.translate(`status.codes.${code}`) });
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
