/**
 * A flow around the node under test: helper nodes on both outputs, an optional Catch node,
 * and outcomes grouped by message id.
 */
import { helper, variationNode, apiNode, recordCompletions, type CompleteEvent } from './runtime';
import type { RecordedRequest, Simulator } from '../../tools/simulator';

export type Msg = Record<string, unknown>;

export interface FlowSetup {
  /** Overrides of the node's form (flow properties of create-image-variation). */
  node?: Record<string, unknown>;
  /** Overrides of the config node's form. */
  api?: Record<string, unknown>;
  /** The credential; default the simulator's key; `null` stores none. */
  apiKey?: string | null;
  /** Wire output 2 to a helper node (default true); when false a Catch node listens instead. */
  wireFailed?: boolean;
  /** How many variation nodes share the config node (default 1). */
  nodeCount?: number;
  /** Leave the node without a config node. */
  withoutConfig?: boolean;
}

export interface Outcome {
  success: Msg[];
  failed: Msg[];
  caught: Msg[];
  completions: CompleteEvent[];
}

export const SIM_KEY = 'sk-sim-test-key';

/** Requests to the image endpoints only (not hosted files or unknown routes). */
export function apiRequests(sim: Simulator): RecordedRequest[] {
  return sim.requests.filter((request) => request.path.startsWith('/v1/images/'));
}

export class TestFlow {
  readonly success: Msg[] = [];
  readonly failed: Msg[] = [];
  readonly caught: Msg[] = [];
  readonly completions: CompleteEvent[];
  readonly variationIds: string[];
  private readonly stopRecording: () => void;
  private readonly waiters = new Set<() => void>();

  constructor(variationIds: string[]) {
    this.variationIds = variationIds;
    const recorder = recordCompletions(() => this.notify());
    this.completions = recorder.events;
    this.stopRecording = recorder.stop;
    const collect = (id: string, into: Msg[]) =>
      helper.getNode(id)?.on('input', (msg: Msg) => {
        into.push(msg);
        this.notify();
      });
    collect('success', this.success);
    collect('failed', this.failed);
    collect('caught', this.caught);
  }

  node(index = 0) {
    return helper.getNode(this.variationIds[index]);
  }

  /** Sends a message into a variation node and waits for its outcome. */
  async run(msg: Msg = {}, index = 0): Promise<Outcome> {
    const id = this.inject(msg, index);
    return this.outcomeOf(id);
  }

  /** Sends without waiting; returns the message id to wait on. */
  inject(msg: Msg = {}, index = 0): string {
    const id = (msg._msgid as string | undefined) ?? `m${Math.random().toString(16).slice(2)}`;
    this.node(index).receive({ ...msg, _msgid: id });
    return id;
  }

  async outcomeOf(msgid: string, timeoutMs = 15000): Promise<Outcome> {
    await this.until(() => this.completions.some((event) => event.msg._msgid === msgid && this.isOurs(event)), timeoutMs);
    // Delivery to the next node is asynchronous in Node-RED: let queued deliveries land.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return this.collect(msgid);
  }

  collect(msgid: string): Outcome {
    const mine = (m: Msg) => m._msgid === msgid;
    return {
      success: this.success.filter(mine),
      failed: this.failed.filter(mine),
      caught: this.caught.filter(mine),
      completions: this.completions.filter((event) => event.msg._msgid === msgid && this.isOurs(event)),
    };
  }

  /** Resolves when `condition` holds, checked after every message or completion. */
  until(condition: () => boolean, timeoutMs = 15000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  async unload(): Promise<void> {
    this.stopRecording();
    await helper.unload();
  }

  private isOurs(event: CompleteEvent): boolean {
    return this.variationIds.includes(event.nodeId);
  }
}

/** Loads config node + variation node(s) + collectors into the runtime. */
export async function loadFlow(sim: Simulator | { baseURL: string }, setup: FlowSetup = {}): Promise<TestFlow> {
  const count = setup.nodeCount ?? 1;
  const wireFailed = setup.wireFailed ?? true;
  const ids = Array.from({ length: count }, (_, index) => `variation${index}`);
  const flow: Msg[] = [
    { id: 'flow', type: 'tab', label: 'test' },
    {
      id: 'api',
      type: 'openai-image-api',
      name: 'simulator',
      baseURL: sim.baseURL,
      timeout: '30',
      maxRetries: '0',
      ...setup.api,
    },
    ...ids.map((id) => ({
      id,
      z: 'flow',
      type: 'create-image-variation',
      name: id,
      api: setup.withoutConfig ? '' : 'api',
      wires: [['success'], wireFailed ? ['failed'] : []],
      ...setup.node,
    })),
    { id: 'success', z: 'flow', type: 'helper' },
    { id: 'failed', z: 'flow', type: 'helper' },
    { id: 'catch', z: 'flow', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'flow', type: 'helper' },
  ];
  // Node-RED tells flow nodes from config nodes by their position on the canvas.
  for (const node of flow) if (node.z) Object.assign(node, { x: 100, y: 100 });
  const credentials = setup.apiKey === null ? {} : { api: { apiKey: setup.apiKey ?? SIM_KEY } };
  let testFlow: TestFlow | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    helper.load([apiNode, variationNode], flow as Parameters<typeof helper.load>[1], credentials, (error?: Error) => (error ? reject(error) : resolve()));
  });
  await ready;
  testFlow = new TestFlow(ids);
  return testFlow;
}
