/** Timing samples, medians and the markdown tables the benchmark prints. */
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../tools/simulator/faults';

export interface Sample {
  /** Wall time of one request, ms. */
  wallMs: number;
  /** CPU time of this process (user + system, all threads) during the request, ms. */
  cpuMs: number;
}

export async function measure(run: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile, p in 0..100. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Variant {
  name: string;
  /** One request, resolved when its outcome is in hand. */
  run(): Promise<unknown>;
}

export function shuffled<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Runs every variant `runs` times, one request at a time, in rounds: each round runs each variant
 * once, in a freshly shuffled order, so machine noise falls on all variants alike and each one
 * follows every other about equally often (a large request's garbage is collected during the
 * next one, so a fixed order would bill it to the same neighbour every time). The first `warmup`
 * rounds are discarded.
 */
export async function interleave(variants: Variant[], runs: number, warmup: number, seed = 7): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  const next = mulberry32(seed);
  for (let round = 0; round < warmup + runs; round++) {
    for (const variant of shuffled(variants, next)) {
      const sample = await measure(() => variant.run());
      if (round >= warmup) samples.get(variant.name)?.push(sample);
    }
  }
  return samples;
}

/** Median over rounds of (a − b): the per-round pairing cancels slow drifts in machine load. */
export function pairedDifference(a: Sample[], b: Sample[], pick: (s: Sample) => number): number {
  return median(a.map((sample, index) => pick(sample) - pick(b[index])));
}

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function table(headers: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const widths = headers.map((header, col) => Math.max(header.length, ...rows.map((row) => row[col].length)));
  const side = (col: number) => align?.[col] ?? (col === 0 ? 'l' : 'r');
  const cell = (text: string, col: number) => (side(col) === 'l' ? text.padEnd(widths[col]) : text.padStart(widths[col]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((width, col) => (side(col) === 'l' ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
