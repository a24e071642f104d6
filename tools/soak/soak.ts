/**
 * Soak: a real Node-RED (child process, the package loaded from the working tree's dist) fed
 * through an HTTP-in endpoint at a steady rate, against the in-process simulator injecting a
 * steady, seeded mix of faults. Prints messages in, outcomes out, lost, duplicated, latency,
 * the Node-RED process's RSS over the run and its open handles at the end. Bounded in time and
 * count, loopback only; exits 1 when a message was lost or duplicated.
 *
 *   npm run soak -- --minutes 5 [--rate 20] [--max-messages N] [--seed 1]
 */
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_API_KEY, makeTestPng, startSimulator, type FaultMix, type RecordedRequest } from '../simulator';
import { startNodeRed } from '../demo/node-red-process';
import { prepareUserDir, SAMPLE_IMAGE, type ApiSettings } from './node-red-setup';

const HOST = '127.0.0.1';
const DRAIN_EVERY_MS = 200;
const PROBE_EVERY_MS = 5000;
const PROGRESS_EVERY_MS = 30_000;
const DRAIN_LIMIT_MS = 60_000;
/** Long enough for keep-alive sockets (undici 4 s, Node's server 5 s) to close before the last probe. */
const IDLE_BEFORE_LAST_PROBE_MS = 6000;

const API: Omit<ApiSettings, 'baseURL'> = { timeoutSeconds: 10, maxRetries: 1, maxConcurrent: 2, queueLimit: 20 };
const MIX: Omit<FaultMix, 'seed'> = {
  latencyMs: 200,
  weights: { ok: 80, '400': 2, '401': 2, '404': 2, '429': 4, '500': 3, '503': 2, reset: 2, 'malformed-json': 1, truncated: 1, latency: 1 },
};

interface Options {
  minutes: number;
  rate: number;
  maxMessages: number;
  seed: number;
}

interface Tracked {
  sentAt: number;
  /** HTTP-in answered 202: the message is in the flow. */
  accepted: boolean;
  /** Images expected on success (msg.n). */
  parts: number;
  success: number;
  failed: number;
  done: number;
  code?: string;
  firstOutcomeAt?: number;
}

interface OutcomeEvent {
  id: string;
  at: number;
  kind: 'success' | 'failed' | 'done';
  parts?: number;
  code?: string;
}

interface Probe {
  rss: number;
  heapUsed: number;
  resources: Record<string, number>;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      rate: { type: 'string', default: '20' },
      'max-messages': { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  const maxMessages = values['max-messages'] === undefined ? Math.round(minutes * 60 * rate) : Number(values['max-messages']);
  const seed = Number(values.seed);
  for (const [name, value] of Object.entries({ minutes, rate, maxMessages, seed })) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  }
  if (minutes > 24 * 60) throw new Error('--minutes is bounded to one day');
  return { minutes, rate, maxMessages, seed };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: HOST, port: 0 }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Plain HTTP on a keep-alive agent the soak can close, so its sockets do not count at the end. */
class NodeRedClient {
  // Idle sockets close after 2 s, before the server's 5 s keep-alive timeout: reusing a socket the
  // server is closing would fail the POST (ECONNRESET) although nothing is wrong with the flow.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 2000 });

  constructor(private readonly port: number) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: HOST,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown = text;
            try {
              json = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const clock = (ms: number) => `${String(Math.floor(ms / 60_000)).padStart(2, '0')}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function counts<T extends string>(items: T[]): string {
  const tally = new Map<string, number>();
  for (const item of items) tally.set(item, (tally.get(item) ?? 0) + 1);
  return [...tally].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ') || 'none';
}

function handles(resources: Record<string, number>): string {
  return Object.entries(resources).sort().map(([kind, count]) => `${kind} ${count}`).join(', ');
}

async function main(): Promise<number> {
  const opts = options();
  const image = (await makeTestPng(64, 64, { seed: 8 })).toString('base64');
  const sim = await startSimulator({ host: HOST, port: 0 });
  sim.setFaultMix({ ...MIX, seed: opts.seed });
  const userDir = await mkdtemp(join(tmpdir(), 'variation-soak-'));
  const nodeRedLog: string[] = [];
  let nodeRed: Awaited<ReturnType<typeof startNodeRed>> | undefined;
  let client: NodeRedClient | undefined;
  try {
    const settingsFile = await prepareUserDir(userDir, { ...API, baseURL: sim.baseURL });
    const port = await freePort();
    const env = { ...process.env, OPENAI_API_KEY: DEFAULT_API_KEY, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() };
    nodeRed = await startNodeRed({ userDir, settingsFile, port, env, onLine: (line) => nodeRedLog.push(line), startTimeoutMs: 60_000 });
    const red = new NodeRedClient(port);
    client = red;
    const probe = async (collectGarbage = false) => (await red.call('GET', `/soak/probe${collectGarbage ? '?gc=1' : ''}`)).json as Probe;

    console.log(
      `Soak: ${opts.minutes} min at ${opts.rate} msg/s (at most ${opts.maxMessages} messages) into Node-RED pid ${nodeRed.pid}, ` +
        `simulator ${sim.baseURL}, fault mix seed ${opts.seed}`,
    );
    console.log(
      `  config node: maxConcurrent ${API.maxConcurrent}, queueLimit ${API.queueLimit}, maxRetries ${API.maxRetries}, timeout ${API.timeoutSeconds} s; ` +
        `mix ${Object.entries(MIX.weights).map(([kind, weight]) => `${kind}:${weight}`).join(' ')}`,
    );
    const start = await probe(true);
    let peakRss = start.rss;
    /** Taken (after a GC) once a third of the run is over: the base a leak would grow from. */
    let warm: Probe | undefined;
    const laterRss: number[] = [];

    const tracked = new Map<string, Tracked>();
    const unknown: OutcomeEvent[] = [];
    const notAccepted: string[] = [];
    const absorb = (events: OutcomeEvent[]) => {
      for (const event of events) {
        const entry = tracked.get(event.id);
        if (!entry) {
          unknown.push(event);
          continue;
        }
        if (event.kind === 'done') entry.done++;
        else {
          entry.firstOutcomeAt ??= event.at;
          if (event.kind === 'success') entry.success++;
          else {
            entry.failed++;
            entry.code = event.code;
          }
        }
      }
    };
    const resolved = (entry: Tracked) => entry.done > 0 && (entry.failed > 0 || entry.success >= entry.parts);
    // In the flow: accepted, or (a POST whose answer was lost) seen by the flow all the same.
    const inFlow = (entry: Tracked) => entry.accepted || entry.done + entry.success + entry.failed > 0;

    const began = Date.now();
    const endAt = began + opts.minutes * 60_000;
    const stopping = new AbortController();
    const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
    const drainer = (async () => {
      while (!stopping.signal.aborted) {
        absorb((await red.call('GET', '/soak/outcomes')).json as OutcomeEvent[]);
        await pause(DRAIN_EVERY_MS);
      }
    })();
    const prober = (async () => {
      let nextProgress = began + PROGRESS_EVERY_MS;
      for (;;) {
        await pause(PROBE_EVERY_MS);
        if (stopping.signal.aborted) break;
        const warmUpOver = Date.now() - began >= (endAt - began) / 3;
        const sample = await probe(warmUpOver && !warm);
        peakRss = Math.max(peakRss, sample.rss);
        if (warmUpOver) {
          warm ??= sample;
          laterRss.push(sample.rss);
        }
        if (Date.now() >= nextProgress) {
          nextProgress += PROGRESS_EVERY_MS;
          const open = [...tracked.values()].filter((entry) => inFlow(entry) && !resolved(entry)).length;
          console.log(`  [${clock(Date.now() - began)}] posted ${tracked.size}, unresolved ${open}, RSS ${mb(sample.rss)}, heap ${mb(sample.heapUsed)}`);
        }
      }
    })();

    // Steady rate: message i leaves at began + i / rate, whatever the answers do.
    const posts: Promise<void>[] = [];
    for (let index = 0; index < opts.maxMessages; index++) {
      const due = began + (index * 1000) / opts.rate;
      if (due >= endAt) break;
      if (due > Date.now()) await sleep(due - Date.now());
      const id = `soak-${index}`;
      const roll = index % 50;
      // Half the messages carry base64 bytes, half a path; every 10th asks for 2 images, every 50th breaks a rule.
      const n = roll === 49 ? 0 : index % 10 === 3 ? 2 : undefined;
      const body = { id, n, ...(index % 2 === 0 ? { image } : { imagePath: SAMPLE_IMAGE }) };
      const entry: Tracked = { sentAt: Date.now(), accepted: false, parts: n ?? 1, success: 0, failed: 0, done: 0 };
      tracked.set(id, entry);
      posts.push(
        red.call('POST', '/soak', body).then(
          ({ status }) => {
            entry.accepted = status === 202;
            if (!entry.accepted) notAccepted.push(`HTTP ${status}`);
          },
          (error: Error) => {
            notAccepted.push(error.message);
          },
        ),
      );
    }
    await Promise.all(posts);
    const sendingEndedAt = Date.now();
    while ([...tracked.values()].some((entry) => inFlow(entry) && !resolved(entry)) && Date.now() - sendingEndedAt < DRAIN_LIMIT_MS) {
      await sleep(DRAIN_EVERY_MS);
    }
    stopping.abort();
    await Promise.all([drainer, prober]);
    // Anything still arriving (a duplicate would) lands here.
    absorb((await red.call('GET', '/soak/outcomes')).json as OutcomeEvent[]);
    const ranMs = Date.now() - began;

    red.close();
    await sleep(IDLE_BEFORE_LAST_PROBE_MS);
    const end = await probe(true);
    peakRss = Math.max(peakRss, end.rss);

    const entries = [...tracked.values()].filter(inFlow);
    const lost = entries.filter((entry) => !resolved(entry)).length;
    const duplicated = entries.filter(
      (entry) => entry.done > 1 || entry.failed > 1 || entry.success > entry.parts || (entry.success > 0 && entry.failed > 0),
    ).length;
    const succeeded = entries.filter((entry) => entry.success > 0).length;
    const failedEntries = entries.filter((entry) => entry.failed > 0);
    const latencies = entries
      .filter((entry) => entry.firstOutcomeAt !== undefined)
      .map((entry) => (entry.firstOutcomeAt as number) - entry.sentAt)
      .sort((a, b) => a - b);
    const requests = sim.requests.filter((r: RecordedRequest) => r.path.startsWith('/v1/images/'));
    const perMessage = new Map<string, number>();
    for (const r of requests) perMessage.set(r.fields.safety_identifier, (perMessage.get(r.fields.safety_identifier) ?? 0) + 1);
    // Start-up notices (projects disabled, unencrypted credentials) are not the run's business.
    const started = nodeRedLog.findIndex((line) => /\] Started flows$/.test(line));
    const warnings = nodeRedLog.slice(started + 1).filter((line) => /\[(warn|error)\]/.test(line));

    console.log('');
    console.log(`ran                 ${clock(ranMs)} (sending ${clock(sendingEndedAt - began)}, then draining)`);
    console.log(`messages in         ${entries.length} of ${tracked.size} POSTed${notAccepted.length ? `; ${notAccepted.length} POSTs failed: ${counts(notAccepted)}` : ''}`);
    console.log(`outcomes out        ${succeeded + failedEntries.length}: success ${succeeded}, failed ${failedEntries.length} (${counts(failedEntries.map((entry) => entry.code ?? '?'))})`);
    console.log(`done() calls        ${entries.reduce((sum, entry) => sum + entry.done, 0)}`);
    console.log(`lost                ${lost}`);
    console.log(`duplicated          ${duplicated}${unknown.length ? ` (+${unknown.length} outcomes for unknown ids)` : ''}`);
    console.log(`latency p50 / p99   ${percentile(latencies, 50)} ms / ${percentile(latencies, 99)} ms (HTTP-in to outcome, queue and retries included; max ${latencies[latencies.length - 1]} ms)`);
    console.log(`simulator           ${requests.length} requests (${counts(requests.map((r) => r.fault ?? 'ok'))}); max in flight ${sim.maxInFlight} (limit ${API.maxConcurrent}); max requests per message ${Math.max(0, ...perMessage.values())} (limit ${API.maxRetries + 1})`);
    console.log(`Node-RED RSS        start ${mb(start.rss)}, at 1/3 of the run ${warm ? mb(warm.rss) : 'n/a'}, end ${mb(end.rss)}, peak ${mb(peakRss)}`);
    if (laterRss.length) {
      console.log(`                    last 2/3 of the run: min ${mb(Math.min(...laterRss))}, max ${mb(Math.max(...laterRss))} over ${laterRss.length} samples, ${PROBE_EVERY_MS / 1000} s apart`);
    }
    console.log(`Node-RED heap used  start ${mb(start.heapUsed)}, at 1/3 of the run ${warm ? mb(warm.heapUsed) : 'n/a'}, end ${mb(end.heapUsed)} (each after a GC)`);
    console.log(`open handles        start: ${handles(start.resources)}`);
    console.log(`                    end:   ${handles(end.resources)} (the probe's own request included)`);
    console.log(`Node-RED log        ${warnings.length} warnings/errors after the flows started${warnings.length ? `: ${warnings.slice(0, 3).join(' | ')}` : ''}`);

    const stopBegan = Date.now();
    await nodeRed.stop();
    const exitCode = await nodeRed.exited;
    console.log(`Node-RED stopped    in ${Date.now() - stopBegan} ms (SIGTERM), exit code ${exitCode}`);
    return lost === 0 && duplicated === 0 && unknown.length === 0 ? 0 : 1;
  } finally {
    client?.close();
    await nodeRed?.stop();
    await sim.close();
    await rm(userDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  },
);
