/**
 * Per-message overhead and its growth with the image: the same request through the node in
 * Node-RED (a, with the image as a Buffer; a-path, as a file path), the SDK (b) and a bare fetch
 * (c), interleaved one request at a time.
 */
import type OpenAI from 'openai';
import { PrebuiltFetch, requestFields, viaNode, viaSdk, type RequestSpec } from './clients';
import { formatBytes, MB } from './images';
import type { EmbeddedNodeRed } from './node-red';
import type { SectionReport } from './report';
import type { SimulatorHandle } from './simulator-process';
import { fixed, interleave, median, pairedDifference, percentile, table, type Sample, type Variant } from './stats';

export interface RequestRig {
  red: EmbeddedNodeRed;
  sim: SimulatorHandle;
  client: OpenAI;
}

export interface Comparison {
  spec: RequestSpec;
  runs: number;
  samples: Map<string, Sample[]>;
}

const A = 'a node (Buffer)';
const A_PATH = 'a node (path)';
const B = 'b openai SDK';
const C = 'c bare fetch';

function variants(rig: RequestRig, nodeId: string, spec: RequestSpec): Variant[] {
  const prebuilt = new PrebuiltFetch(rig.sim.baseURL, rig.sim.apiKey, spec);
  return [
    { name: A, run: () => viaNode(rig.red, nodeId, spec, 'buffer') },
    { name: A_PATH, run: () => viaNode(rig.red, nodeId, spec, 'path') },
    { name: B, run: () => viaSdk(rig.client, spec) },
    { name: C, run: () => prebuilt.send() },
  ];
}

/** Runs each variant once and checks the simulator received the same fields and file from each. */
async function assertSameRequests(rig: RequestRig, list: Variant[], spec: RequestSpec): Promise<void> {
  const expected = JSON.stringify({ fields: requestFields(spec), length: spec.image.bytes.length });
  for (const variant of list) {
    await variant.run();
    const [request] = await rig.sim.recent(1);
    const fields = Object.fromEntries(Object.keys(requestFields(spec)).map((key) => [key, request.fields[key]]));
    const seen = JSON.stringify({ fields, length: request.files[0]?.length });
    const extra = Object.keys(request.fields).filter((key) => !(key in fields));
    if (seen !== expected || extra.length || request.files.length !== 1) {
      throw new Error(`${variant.name} sent another request: ${JSON.stringify(request)}; expected ${expected}`);
    }
  }
}

export async function compare(rig: RequestRig, nodeId: string, spec: RequestSpec, runs: number, warmup: number): Promise<Comparison> {
  const list = variants(rig, nodeId, spec);
  await assertSameRequests(rig, list, spec);
  return { spec, runs, samples: await interleave(list, runs, warmup) };
}

const wall = (s: Sample) => s.wallMs;
const cpu = (s: Sample) => s.cpuMs;

function stat(comparison: Comparison, name: string, pick: (s: Sample) => number): number {
  return median((comparison.samples.get(name) ?? []).map(pick));
}

function spread(comparison: Comparison, name: string): string {
  const values = (comparison.samples.get(name) ?? []).map(wall);
  return `${fixed(percentile(values, 25), 1)}–${fixed(percentile(values, 75), 1)}`;
}

function diff(comparison: Comparison, a: string, b: string, pick: (s: Sample) => number): number {
  return pairedDifference(comparison.samples.get(a) ?? [], comparison.samples.get(b) ?? [], pick);
}

export function perMessageReport(comparison: Comparison): SectionReport {
  const { spec } = comparison;
  const names = [A, A_PATH, B, C];
  const rows = names.map((name) => [
    name,
    fixed(stat(comparison, name, wall)),
    spread(comparison, name),
    fixed(stat(comparison, name, cpu)),
    name === B || name === C ? '' : fixed(diff(comparison, name, B, wall)),
    name === B || name === C ? '' : fixed(diff(comparison, name, B, cpu)),
  ]);
  const a = stat(comparison, A, wall);
  const b = stat(comparison, B, wall);
  const c = stat(comparison, C, wall);
  const addedWall = diff(comparison, A, B, wall);
  const addedCpu = diff(comparison, A, B, cpu);
  return {
    title: 'Per-message overhead',
    setup: [
      `${spec.method}, ${formatBytes(spec.image.bytes.length)} noise PNG ${spec.image.side}x${spec.image.side}, size ${spec.size}, b64_json, n = ${spec.n}, simulator latency 0`,
      `${comparison.runs} requests per variant, one at a time, variants interleaved (each round in a new seeded-shuffled order); medians`,
      'cpu = CPU time of the benchmark process (Node-RED + client) per request; the simulator runs in its own process',
      'a−b = median over rounds of the paired difference (a and b ran in the same round)',
    ],
    table: table(['variant', 'median ms', 'p25–p75 ms', 'cpu ms', 'a−b ms', 'a−b cpu ms'], rows),
    notes: [`a/b = ${fixed(a / b, 3)}, b/c = ${fixed(b / c, 3)}, a(path)/b = ${fixed(stat(comparison, A_PATH, wall) / b, 3)}`],
    targets: [
      { name: 'a/b <= 1.05', met: a / b <= 1.05, detail: `a/b = ${fixed(a / b, 3)}` },
      {
        name: 'node adds < 1 ms per message',
        met: addedWall < 1 && addedCpu < 1,
        detail: `paired a−b: ${fixed(addedWall)} ms wall, ${fixed(addedCpu)} ms CPU`,
      },
    ],
  };
}

/** Least squares t = intercept + slope·MB over the medians. */
function fit(points: [number, number][]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const ssTot = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const ssRes = points.reduce((s, [x, y]) => s + (y - intercept - slope * x) ** 2, 0);
  return { slope, intercept, r2: 1 - ssRes / ssTot };
}

export function sizesReport(comparisons: Comparison[]): SectionReport {
  const rows = comparisons.map((comparison) => {
    const { spec } = comparison;
    const [a, ap, b, c] = [A, A_PATH, B, C].map((name) => stat(comparison, name, wall));
    const [ac, bc, cc] = [A, B, C].map((name) => stat(comparison, name, cpu));
    return [
      formatBytes(spec.image.bytes.length),
      String(comparison.runs),
      fixed(a),
      fixed(ap),
      fixed(b),
      fixed(c),
      spread(comparison, B),
      fixed(a / b, 3),
      fixed(b / c, 3),
      fixed(diff(comparison, A, B, wall)),
      fixed(ac),
      fixed(bc),
      fixed(cc),
      fixed(diff(comparison, A, B, cpu)),
    ];
  });
  const fits = [A, A_PATH, B, C].map((name) => ({
    name,
    ...fit(comparisons.map((cmp) => [cmp.spec.image.bytes.length / MB, stat(cmp, name, wall)])),
  }));
  const largest = comparisons[comparisons.length - 1];
  const smallest = comparisons[0];
  const share = (stat(largest, C, wall) - stat(smallest, C, wall)) / stat(largest, C, wall);
  const ratios = comparisons.map((cmp) => stat(cmp, A, wall) / stat(cmp, B, wall));
  const spec = comparisons[0].spec;
  return {
    title: 'Cost versus image size',
    setup: [
      `${spec.method} (the only method that takes 20 MB), size ${spec.size} (the same small answer for every input), n = 1, simulator latency 0`,
      'ms columns: median wall time; cpu columns: median CPU time of the benchmark process; a−b: paired medians',
    ],
    table: table(
      ['image', 'runs', 'a ms', 'a(path) ms', 'b ms', 'c ms', 'b p25–p75', 'a/b', 'b/c', 'a−b ms', 'a cpu', 'b cpu', 'c cpu', 'a−b cpu'],
      rows,
    ),
    notes: [
      ...fits.map((f) => `${f.name}: t ≈ ${fixed(f.intercept)} ms + ${fixed(f.slope)} ms/MB (R² ${fixed(f.r2, 4)})`),
      `at ${formatBytes(largest.spec.image.bytes.length)}, ${fixed(100 * share, 1)} % of the bare-fetch time is the growth from ${formatBytes(smallest.spec.image.bytes.length)}: the upload`,
      `a/b per size: ${ratios.map((r) => fixed(r, 3)).join(', ')}; the node's paired CPU cost per size: ${comparisons.map((cmp) => `${fixed(diff(cmp, A, B, cpu))} ms`).join(', ')}`,
    ],
    targets: [
      {
        name: 'cost linear in bytes (R² >= 0.99 for every variant)',
        met: fits.every((f) => f.r2 >= 0.99),
        detail: fits.map((f) => `${f.name.split(' ')[0]}${f.name.includes('path') ? '(path)' : ''} ${fixed(f.r2, 4)}`).join(', '),
      },
      {
        name: 'dominated by the upload (>= 90 % of the largest request)',
        met: share >= 0.9,
        detail: `${fixed(100 * share, 1)} %`,
      },
    ],
  };
}
