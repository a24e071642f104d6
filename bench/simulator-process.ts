/**
 * The simulator in its own process, so its work (multipart parsing, hashing, writing answers)
 * runs beside the benchmark, not inside the event loop being measured. Driven over IPC by
 * `SimulatorHandle`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { DEFAULT_API_KEY, startSimulator, type RecordedRequest } from '../tools/simulator';

type Command =
  | { id: number; type: 'setLatency'; ms: number }
  | { id: number; type: 'reset' }
  | { id: number; type: 'recent'; count: number }
  | { id: number; type: 'stats' };

export interface RequestSummary {
  path: string;
  status?: number;
  fields: Record<string, string>;
  files: { filename: string; contentType: string; length: number }[];
}

export interface SimulatorStats {
  maxInFlight: number;
  apiRequests: number;
}

type Reply = { id: number; result: unknown } | { type: 'ready'; baseURL: string };

if (process.argv.includes('--serve')) void serve();

async function serve(): Promise<void> {
  // Plays a gateway: `/images/variations` still serves, as the node's `variations` method expects.
  const sim = await startSimulator({ retiredModels: false });
  const api = (r: RecordedRequest) => r.method === 'POST' && r.path.startsWith('/v1/images/');
  let apiRequests = 0;
  sim.on('request', (r) => {
    if (api(r)) apiRequests++;
  });
  process.on('message', (command: Command) => {
    const reply = (result: unknown) => process.send?.({ id: command.id, result } satisfies Reply);
    switch (command.type) {
      case 'setLatency':
        sim.setLatency(command.ms);
        return reply(null);
      case 'reset':
        // Clears the record and maxInFlight; the image cache stays warm.
        sim.reset();
        apiRequests = 0;
        return reply(null);
      case 'recent':
        return reply(
          sim.requests.filter(api).slice(-command.count).map((r) => ({
            path: r.path,
            status: r.status,
            fields: r.fields,
            files: r.files.map((f) => ({ filename: f.filename, contentType: f.contentType, length: f.length })),
          })),
        );
      case 'stats':
        return reply({ maxInFlight: sim.maxInFlight, apiRequests } satisfies SimulatorStats);
    }
  });
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  process.send?.({ type: 'ready', baseURL: sim.baseURL } satisfies Reply);
}

export class SimulatorHandle {
  readonly apiKey = DEFAULT_API_KEY;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly baseURL: string,
  ) {
    child.on('message', (reply: Reply) => {
      if (!('id' in reply)) return;
      this.waiting.get(reply.id)?.resolve(reply.result);
      this.waiting.delete(reply.id);
    });
    child.on('exit', (code) => {
      for (const { reject } of this.waiting.values()) reject(new Error(`simulator process exited (${code})`));
      this.waiting.clear();
    });
  }

  static async start(): Promise<SimulatorHandle> {
    const child = fork(__filename, ['--serve'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const baseURL = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`simulator process exited (${code}) before it was ready`)));
      child.on('message', (reply: Reply) => {
        if ('type' in reply && reply.type === 'ready') resolve(reply.baseURL);
      });
    });
    return new SimulatorHandle(child, baseURL);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  setLatency(ms: number): Promise<void> {
    return this.call({ type: 'setLatency', ms }) as Promise<void>;
  }

  reset(): Promise<void> {
    return this.call({ type: 'reset' }) as Promise<void>;
  }

  recent(count: number): Promise<RequestSummary[]> {
    return this.call({ type: 'recent', count }) as Promise<RequestSummary[]>;
  }

  stats(): Promise<SimulatorStats> {
    return this.call({ type: 'stats' }) as Promise<SimulatorStats>;
  }

  async close(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await exited;
  }

  private call(command: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...command, id });
    });
  }
}
