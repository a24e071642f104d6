/**
 * Which fault the next API request gets: first the queue tests fill with `inject()` (FIFO), then,
 * when a mix is set, a weighted draw from a seeded PRNG so soak and load runs repeat exactly.
 * Also the ready-made answers of the faults that replace the normal answer outright.
 */
import { defaultFaultBody, jsonAnswer, type Answer } from './errors';
import type { Fault, FaultMix, MixOutcome } from './types';

export class FaultPlan {
  private queue: Fault[] = [];
  private mix: FaultMix | null = null;
  private random: () => number = mulberry32(1);

  inject(faults: Fault[]): void {
    this.queue.push(...faults);
  }

  setMix(mix: FaultMix | null): void {
    this.mix = mix;
    this.random = mulberry32(mix?.seed ?? 1);
  }

  clear(): void {
    this.queue = [];
    this.setMix(null);
  }

  /** The fault for the API request that just arrived, or undefined for a normal answer. */
  next(): Fault | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (!this.mix) return undefined;
    return mixFault(drawOutcome(this.mix, this.random()), this.mix);
  }
}

function drawOutcome(mix: FaultMix, roll: number): MixOutcome {
  const entries = Object.entries(mix.weights) as [MixOutcome, number][];
  const total = entries.reduce((sum, [, weight]) => sum + Math.max(0, weight), 0);
  let point = roll * total;
  for (const [outcome, weight] of entries) {
    point -= Math.max(0, weight);
    if (point < 0) return outcome;
  }
  return 'ok';
}

/** The mix's outcomes as faults; a 429 asks for a short retry so soak runs keep moving. */
function mixFault(outcome: MixOutcome, mix: FaultMix): Fault | undefined {
  switch (outcome) {
    case 'ok':
      return undefined;
    case 'reset':
    case 'malformed-json':
    case 'truncated':
      return { kind: outcome };
    case 'latency':
      return { kind: 'latency', ms: mix.latencyMs ?? 200 };
    case '429':
      return { kind: 'status', status: 429, headers: { 'retry-after-ms': '20', 'retry-after': '1' } };
    case '404':
      return { kind: 'status', status: 404, code: 'model_not_found' };
    default:
      return { kind: 'status', status: Number(outcome) };
  }
}

/** The answer of a `status` fault: the test's body, or the API's error shape for that status. */
export function statusFaultAnswer(fault: Extract<Fault, { kind: 'status' }>): Answer {
  if (fault.body !== undefined) return jsonAnswer(fault.status, fault.body, fault.headers);
  const body = defaultFaultBody(fault.status, fault.code);
  if (fault.message !== undefined) body.error.message = fault.message;
  if (fault.type !== undefined) body.error.type = fault.type;
  if (fault.param !== undefined) body.error.param = fault.param;
  return jsonAnswer(fault.status, body, fault.headers);
}

export function malformedJsonAnswer(): Answer {
  return jsonAnswer(200, '{"created": 1700000000, "data": [{"b64_json": "iVBORw0KGgo');
}

export function emptyDataAnswer(): Answer {
  return jsonAnswer(200, { created: Math.floor(Date.now() / 1000), data: [] });
}

/** mulberry32: small, fast, good enough for deterministic draws (faults here, shuffles in bench/). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
