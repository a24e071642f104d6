/**
 * Throughput against the queue's limit: with the simulator answering after `latencyMs`, a node
 * whose config node allows `maxConcurrent` requests can finish at most maxConcurrent / latency
 * messages per second. All messages are handed over at once (queueLimit is large enough). The
 * SDK and a bare fetch, each driven by a pool of the same width, run in between as references.
 */
import type OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import { PrebuiltFetch, viaNode, viaSdk, type RequestSpec } from './clients';
import { formatBytes } from './images';
import type { EmbeddedNodeRed } from './node-red';
import type { SectionReport } from './report';
import type { SimulatorHandle } from './simulator-process';
import { fixed, median, shuffled, table } from './stats';
import { mulberry32 } from '../tools/simulator/faults';

export const CONCURRENCY = [1, 2, 4, 8];
export const LATENCY_MS = 200;

export interface ThroughputRig {
  red: EmbeddedNodeRed;
  sim: SimulatorHandle;
  client: OpenAI;
  spec: RequestSpec;
  /** Variation node id for each maxConcurrent. */
  nodeFor(maxConcurrent: number): string;
}

interface Run {
  rate: number;
  maxInFlight: number;
}

async function timed(sim: SimulatorHandle, count: number, start: (index: number) => Promise<unknown>): Promise<Run> {
  await sim.reset();
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, (_, index) => start(index)));
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, maxInFlight: (await sim.stats()).maxInFlight };
}

/** `width` workers each sending one request after another: a client at the same concurrency. */
function pool(send: () => Promise<unknown>, count: number, width: number): (index: number) => Promise<unknown> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await send();
    }
  };
  return (index) => (index < width ? worker() : Promise.resolve());
}

type Via = 'node' | 'sdk' | 'fetch';

export async function throughput(rig: ThroughputRig, rounds: number, repeats: number): Promise<SectionReport> {
  await rig.sim.setLatency(0);
  // The request's own time with no latency: what a round costs beyond the latency.
  const base: number[] = [];
  for (let i = 0; i < 15; i++) {
    const started = performance.now();
    await viaSdk(rig.client, rig.spec);
    if (i >= 5) base.push(performance.now() - started);
  }
  const requestMs = median(base);
  const prebuilt = new PrebuiltFetch(rig.sim.baseURL, rig.sim.apiKey, rig.spec);
  const runs = new Map<string, Run[]>();
  const key = (via: Via, width: number) => `${via}/${width}`;
  const next = mulberry32(11);
  await rig.sim.setLatency(LATENCY_MS);
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const width of repeat % 2 ? [...CONCURRENCY].reverse() : CONCURRENCY) {
        const count = width * rounds;
        const start: Record<Via, (index: number) => Promise<unknown>> = {
          node: () => viaNode(rig.red, rig.nodeFor(width), rig.spec, 'buffer'),
          sdk: pool(() => viaSdk(rig.client, rig.spec), count, width),
          fetch: pool(() => prebuilt.send(), count, width),
        };
        for (const via of shuffled<Via>(['node', 'sdk', 'fetch'], next)) {
          const run = await timed(rig.sim, count, start[via]);
          runs.set(key(via, width), [...(runs.get(key(via, width)) ?? []), run]);
        }
      }
    }
  } finally {
    await rig.sim.setLatency(0);
  }
  const rate = (via: Via, width: number) => median((runs.get(key(via, width)) ?? []).map((r) => r.rate));
  const rows = CONCURRENCY.map((width) => {
    const nodeRate = rate('node', width);
    const ideal = width / (LATENCY_MS / 1000);
    const reachable = width / ((LATENCY_MS + requestMs) / 1000);
    const inFlight = Math.max(...(runs.get(key('node', width)) ?? []).map((r) => r.maxInFlight));
    return {
      nodeRate,
      ideal,
      sdkRate: rate('sdk', width),
      fetchRate: rate('fetch', width),
      cells: [
        String(width),
        String(width * rounds),
        fixed(nodeRate),
        fixed(ideal),
        `${fixed((100 * nodeRate) / ideal, 1)} %`,
        `${fixed((100 * nodeRate) / reachable, 1)} %`,
        `${fixed(rate('sdk', width))} (${fixed((100 * rate('sdk', width)) / ideal, 1)} %)`,
        `${fixed(rate('fetch', width))} (${fixed((100 * rate('fetch', width)) / ideal, 1)} %)`,
        fixed(nodeRate / rate('sdk', width), 3),
        String(inFlight),
      ],
    };
  });
  const worst = Math.min(...rows.map((r) => r.nodeRate / r.ideal));
  const worstVsSdk = Math.min(...rows.map((r) => r.nodeRate / r.sdkRate));
  return {
    title: 'Throughput',
    setup: [
      `${rig.spec.method}, ${formatBytes(rig.spec.image.bytes.length)} PNG in msg.payload, size ${rig.spec.size}, n = ${rig.spec.n}; simulator latency ${LATENCY_MS} ms; queueLimit 1000`,
      `${rounds} rounds per width (messages = maxConcurrent × ${rounds}, all handed over at once), ${repeats} repeats in shuffled order, median msg/s from first message in to last message out`,
      `ideal = maxConcurrent / latency; "of reachable" = maxConcurrent / (latency + ${fixed(requestMs)} ms, the request's own median time at zero latency)`,
      'SDK, fetch = the same request from a pool of maxConcurrent workers, without Node-RED (percent of ideal in brackets)',
    ],
    table: table(
      ['maxConcurrent', 'messages', 'node msg/s', 'ideal', 'of ideal', 'of reachable', 'SDK msg/s', 'fetch msg/s', 'node/SDK', 'sim max in flight'],
      rows.map((r) => r.cells),
    ),
    notes: [],
    targets: [
      {
        name: 'throughput within 5 % of maxConcurrent / latency',
        met: worst >= 0.95,
        detail: `worst: ${fixed(100 * worst, 1)} % of ideal`,
      },
      {
        name: 'the queue loses nothing: node within 5 % of the SDK at every width',
        met: worstVsSdk >= 0.95,
        detail: `worst node/SDK: ${fixed(worstVsSdk, 3)}`,
      },
    ],
  };
}
