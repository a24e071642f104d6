/**
 * Node-RED embedded in this process (`require('node-red')`), with a temporary user directory,
 * the package "installed" by a symlink in its node_modules (the way a palette install would
 * place it) to a snapshot of the working tree's package.json and dist/nodes, and a flow whose
 * variation nodes end in two inactive debug nodes. Messages are handed to a node with
 * `receive()` (what the runtime does when an upstream node sends) and observed with the
 * runtime's `onReceive` hook as they reach the debug nodes.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NEW_NODE_FORM } from '../nodes/shared/types';

export const REPO_ROOT = join(__dirname, '..');
export const SUCCESS_SINK = 'bench-success';
export const FAILED_SINK = 'bench-failed';
const TAB = 'bench-tab';
const START_TIMEOUT_MS = 120_000;
/** Far above any request here; it only keeps a lost message from hanging the run. */
const OUTCOME_TIMEOUT_MS = 120_000;

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };
type Msg = Record<string, unknown>;

interface ReceiveEvent {
  msg: Msg;
  destination: { id: string };
}

/** The parts of `require('node-red')` an embedding uses; its published types expect an HTTP server. */
interface EmbeddedRed {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): { receive(msg: Msg): void } | null };
  events: {
    once(event: string, listener: (...args: unknown[]) => void): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
  };
  hooks: { add(name: string, fn: (event: ReceiveEvent) => void): void; remove(name: string): void };
}

interface Waiter {
  timer: NodeJS.Timeout;
  expected: number;
  received: Msg[];
  resolve(result: Outcome): void;
  reject(error: Error): void;
}

export interface Outcome {
  /** Every message of the input message's outcome on output 1 (n of them in split mode). */
  messages: Msg[];
}

export interface ApiNodeOptions {
  id: string;
  baseURL: string;
  maxConcurrent?: number;
  queueLimit?: number;
}

/** An `openai-image-api` config node as the editor saves it (numbers as strings). */
export function apiNode(options: ApiNodeOptions): FlowNode {
  return {
    id: options.id,
    type: 'openai-image-api',
    // Not the id: the runtime reads a config node's string that names a config node as a dependency.
    name: `${options.maxConcurrent ?? 2} at a time`,
    baseURL: options.baseURL,
    organization: '',
    project: '',
    timeout: '300',
    maxRetries: '2',
    maxConcurrent: String(options.maxConcurrent ?? 2),
    queueLimit: String(options.queueLimit ?? 100),
  };
}

/** A `create-image-variation` node wired to the two sinks; `form` holds its saved fields. */
export function variationNode(id: string, api: string, form: Record<string, unknown>): FlowNode {
  return {
    id,
    type: 'create-image-variation',
    z: TAB,
    name: id,
    api,
    ...NEW_NODE_FORM,
    x: 300,
    y: 100,
    wires: [[SUCCESS_SINK], [FAILED_SINK]],
    ...form,
  };
}

function sink(id: string): FlowNode {
  return {
    id,
    type: 'debug',
    z: TAB,
    name: id,
    active: false,
    tosidebar: false,
    console: false,
    tostatus: false,
    complete: 'payload',
    targetType: 'msg',
    x: 600,
    y: 100,
    wires: [],
  };
}

interface Manifest {
  name: string;
  'node-red': { nodes: Record<string, string> };
}

function readManifest(dir: string): Promise<Manifest> {
  return readFile(join(dir, 'package.json'), 'utf8').then((text) => JSON.parse(text) as Manifest);
}

function complete(dir: string, manifest: Manifest): boolean {
  return Object.entries(manifest['node-red'].nodes).every(([type, file]) => {
    const js = join(dir, file);
    return existsSync(js) && existsSync(js.replace(/\.js$/, '.html')) && existsSync(join(dirname(js), 'locales', 'en-US', `${type}.json`));
  });
}

/**
 * Copies package.json and dist/nodes into `into`, with node_modules pointing at the working tree's.
 * Other work in the same tree may rebuild dist/ (the build deletes it first) while the bench
 * runs; the snapshot keeps every Node-RED of the run on one complete build.
 */
export async function snapshotPackage(into: string): Promise<string> {
  const manifest = await readManifest(REPO_ROOT);
  for (let attempt = 0; attempt < 30; attempt++) {
    await rm(into, { recursive: true, force: true });
    await mkdir(into, { recursive: true });
    await cp(join(REPO_ROOT, 'package.json'), join(into, 'package.json'));
    await cp(join(REPO_ROOT, 'dist', 'nodes'), join(into, 'dist', 'nodes'), { recursive: true }).catch(() => undefined);
    if (complete(into, manifest)) {
      await symlink(join(REPO_ROOT, 'node_modules'), join(into, 'node_modules'), 'junction');
      return into;
    }
    await sleep(1000);
  }
  throw new Error('dist/ stayed incomplete for 30 s: run `node tools/build.mjs`');
}

export class EmbeddedNodeRed {
  private readonly waiters = new Map<string, Waiter>();
  private nextId = 0;

  private constructor(
    private readonly red: EmbeddedRed,
    readonly userDir: string,
  ) {
    red.hooks.add('onReceive.bench', (event) => this.observe(event));
  }

  /**
   * Starts Node-RED with the config nodes and variation nodes given, and waits for the flows.
   * `packageDir` is a snapshotPackage() folder.
   */
  static async start(nodes: FlowNode[], apiKey: string, packageDir: string): Promise<EmbeddedNodeRed> {
    const userDir = await mkdtemp(join(tmpdir(), 'variation-bench-'));
    const manifest = await readManifest(packageDir);
    const link = join(userDir, 'node_modules', ...manifest.name.split('/'));
    await mkdir(dirname(link), { recursive: true });
    await symlink(packageDir, link, 'junction');
    await writeFile(join(userDir, 'package.json'), JSON.stringify({ name: 'bench', private: true, dependencies: { [manifest.name]: `file:${packageDir}` } }));
    const flow: FlowNode[] = [{ id: TAB, type: 'tab', label: 'bench' }, ...nodes, sink(SUCCESS_SINK), sink(FAILED_SINK)];
    await writeFile(join(userDir, 'flows.json'), JSON.stringify(flow));
    const credentials = Object.fromEntries(nodes.filter((n) => n.type === 'openai-image-api').map((n) => [n.id, { apiKey }]));
    await writeFile(join(userDir, 'flows_cred.json'), JSON.stringify(credentials));

    const red = require('node-red') as EmbeddedRed;
    red.init({
      userDir,
      flowFile: 'flows.json',
      // Plain-text credentials in a throw-away folder: the bench needs no encryption key.
      credentialSecret: false,
      telemetry: { enabled: false },
      httpAdminRoot: false,
      httpNodeRoot: false,
      logging: { console: { level: 'error', metrics: false, audit: false } },
    });
    const started = new Promise<void>((resolve, reject) => {
      red.events.once('flows:started', () => resolve());
      red.events.on('runtime-event', (event: unknown) => {
        const payload = (event as { payload?: { error?: string; types?: string[] } }).payload;
        if (payload?.error) reject(new Error(`Node-RED did not start the flow: ${payload.error} ${payload.types?.join(', ') ?? ''}`));
      });
    });
    await Promise.all([red.start(), withDeadline(started, START_TIMEOUT_MS, 'Node-RED did not start its flows')]);
    return new EmbeddedNodeRed(red, userDir);
  }

  newMsgId(): string {
    return `bench-${process.pid}-${++this.nextId}`;
  }

  /**
   * Hands `msg` to the node and resolves when `expected` messages with its id have reached the
   * success sink; rejects when it reaches the failed sink.
   */
  send(nodeId: string, msg: Msg, expected = 1): Promise<Outcome> {
    const node = this.red.nodes.getNode(nodeId);
    if (!node) return Promise.reject(new Error(`no node ${nodeId}`));
    const id = (msg._msgid as string | undefined) ?? this.newMsgId();
    const outcome = new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`${nodeId}: no outcome for ${id} within ${OUTCOME_TIMEOUT_MS} ms`));
      }, OUTCOME_TIMEOUT_MS);
      this.waiters.set(id, { timer, expected, received: [], resolve, reject });
    });
    node.receive({ ...msg, _msgid: id });
    return outcome;
  }

  async stop(): Promise<void> {
    this.red.hooks.remove('*.bench');
    await this.red.stop();
    await rm(this.userDir, { recursive: true, force: true });
  }

  private observe(event: ReceiveEvent): void {
    const { id } = event.destination;
    if (id !== SUCCESS_SINK && id !== FAILED_SINK) return;
    const key = event.msg._msgid as string;
    const waiter = this.waiters.get(key);
    if (!waiter) return;
    if (id === FAILED_SINK) {
      clearTimeout(waiter.timer);
      this.waiters.delete(key);
      waiter.reject(new Error(`output 2: ${String(event.msg.errorMessage)}`));
      return;
    }
    waiter.received.push(event.msg);
    if (waiter.received.length < waiter.expected) return;
    clearTimeout(waiter.timer);
    this.waiters.delete(key);
    waiter.resolve({ messages: waiter.received });
  }
}
