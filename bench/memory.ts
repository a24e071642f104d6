/** Peak RSS above idle while a full queue drains, each case in a fresh Node-RED process. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { RequestSpec } from './clients';
import { formatBytes, MB } from './images';
import type { MemoryJob, MemoryResult } from './memory-worker';
import type { SectionReport } from './report';
import type { SimulatorHandle } from './simulator-process';
import { fixed, table } from './stats';

export interface MemoryCase {
  maxConcurrent: number;
  messages: number;
  via: 'node' | 'sdk';
}

const CASE_TIMEOUT_MS = 180_000;

/** Least squares y = constant + slope · x; NaN slope with fewer than two distinct x. */
function fitLine(points: [number, number][]): { constant: number; slope: number } {
  const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
  const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const slope = sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : Number.NaN;
  return { constant: my - slope * mx, slope };
}

function runWorker(job: MemoryJob): Promise<MemoryResult> {
  const child = fork(join(__dirname, 'memory-worker.ts'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let reply: { result?: MemoryResult; error?: string } = {};
    child.once('message', (message: typeof reply) => {
      reply = message;
      child.disconnect();
    });
    // Bounds a case that would hang; the longest takes well under a minute.
    const timer = setTimeout(() => child.kill(), CASE_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply.result) resolve(reply.result);
      else reject(new Error(reply.error ?? `memory worker exited (${code ?? signal}) without a result`));
    });
    child.send(job);
  });
}

export async function memory(sim: SimulatorHandle, packageDir: string, spec: RequestSpec, cases: MemoryCase[], latencyMs: number): Promise<SectionReport> {
  const results: { job: MemoryCase; result: MemoryResult }[] = [];
  await sim.setLatency(latencyMs);
  try {
    for (const job of cases) {
      // The worker reads the image from its path; only the path travels over IPC.
      const image = { ...spec.image, bytes: Buffer.alloc(0) };
      const result = await runWorker({ packageDir, baseURL: sim.baseURL, apiKey: sim.apiKey, spec: { ...spec, image }, ...job });
      if (result.failed) throw new Error(`memory case ${JSON.stringify(job)}: ${result.failed} messages failed`);
      results.push({ job, result });
    }
  } finally {
    await sim.setLatency(0);
  }
  const imageBytes = spec.image.bytes.length;
  const peakOf = (r: MemoryResult) => r.kernelPeakRss ?? r.sampledPeakRss;
  const rows = results.map(({ job, result }) => {
    const above = peakOf(result) - result.idleRss;
    return [
      job.via === 'node' ? 'node' : 'SDK pool',
      String(job.maxConcurrent),
      String(job.messages),
      fixed(result.idleRss / MB, 1),
      fixed(result.sampledPeakRss / MB, 1),
      result.kernelPeakRss === null ? 'n/a' : fixed(result.kernelPeakRss / MB, 1),
      fixed(above / MB, 1),
      fixed(above / (job.maxConcurrent * imageBytes), 2),
      fixed((result.peakArrayBuffers - result.idleArrayBuffers) / MB, 1),
      fixed(result.seconds, 1),
    ];
  });
  const notes: string[] = [];
  const nodeRuns = results.filter((r) => r.job.via === 'node');
  const aboveIdle = (r: MemoryResult) => peakOf(r) - r.idleRss;
  let queueIndependent = true;
  for (const width of new Set(nodeRuns.map((r) => r.job.maxConcurrent))) {
    const same = nodeRuns.filter((r) => r.job.maxConcurrent === width).sort((a, b) => a.job.messages - b.job.messages);
    if (same.length < 2) continue;
    const small = same[0];
    const large = same[same.length - 1];
    const growth = aboveIdle(large.result) - aboveIdle(small.result);
    const ifHeld = (large.job.messages - small.job.messages) * imageBytes;
    notes.push(
      `maxConcurrent ${width}: ${large.job.messages} instead of ${small.job.messages} queued messages change the peak by ${fixed(growth / MB, 1)} MB; holding their images would take ${fixed(ifHeld / MB, 0)} MB more`,
    );
    if (growth > ifHeld / 10) queueIndependent = false;
  }
  const node = fitLine(nodeRuns.map((r) => [r.job.maxConcurrent, aboveIdle(r.result)]));
  const sdkRuns = results.filter((r) => r.job.via === 'sdk');
  const sdk = fitLine(sdkRuns.map((r) => [r.job.maxConcurrent, aboveIdle(r.result)]));
  const perRequest = node.slope / imageBytes;
  const sdkPerRequest = sdk.slope / imageBytes;
  notes.push(
    `fit over the node's cases: peak − idle ≈ ${fixed(node.constant / MB, 1)} MB + ${fixed(node.slope / MB, 1)} MB × maxConcurrent, i.e. ${fixed(perRequest, 2)} × the image per request in flight`,
  );
  if (Number.isFinite(sdkPerRequest)) {
    notes.push(
      `the SDK alone (each worker reads the file, then calls the SDK): ${fixed(sdk.constant / MB, 1)} MB + ${fixed(sdk.slope / MB, 1)} MB × maxConcurrent, ${fixed(sdkPerRequest, 2)} × the image per request`,
    );
  }
  return {
    title: 'Memory',
    setup: [
      `${spec.method}, each message msg.imagePath = the same ${formatBytes(imageBytes)} PNG (${spec.image.side}x${spec.image.side}), size ${spec.size}, n = ${spec.n}; simulator latency ${latencyMs} ms`,
      'a fresh Node-RED process per case: 3 warm-up messages, idle RSS = median over 1 s, then every message handed over at once',
      'peak = VmHWM (kernel peak RSS, reset just before the burst) when the kernel allows the reset, else the 2 ms samples',
      'multiple = (peak − idle) / (maxConcurrent × image size); Buffers = peak process.memoryUsage().arrayBuffers above idle',
    ],
    table: table(
      ['via', 'maxConcurrent', 'messages', 'idle MB', 'sampled peak MB', 'kernel peak MB', 'peak − idle MB', 'multiple', 'Buffers MB', 'seconds'],
      rows,
    ),
    notes,
    targets: [
      {
        name: 'peak RSS independent of the queue length',
        met: queueIndependent,
        detail: notes[0] ?? 'one queue length only',
      },
      {
        name: 'peak RSS bounded by maxConcurrent × a small multiple of the image (per request in flight: no more than the SDK given the same file, + 1 image margin)',
        met: Number.isFinite(sdkPerRequest) ? perRequest <= sdkPerRequest + 1 : perRequest <= 4,
        detail: `node ${fixed(perRequest, 2)} × the image per request, SDK alone ${fixed(sdkPerRequest, 2)} ×; plus ${fixed(node.constant / MB, 1)} MB that depends on neither maxConcurrent nor the queue`,
      },
    ],
  };
}
