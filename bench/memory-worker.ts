/**
 * Memory under a full queue, in a Node-RED process of its own so that its RSS is only Node-RED's:
 * one config node, one variation node; `messages` messages naming the same image file are handed
 * over at once; RSS is sampled every few ms and the kernel's own peak (VmHWM, reset before the
 * burst) is read at the end. Started by memory.ts with fork(); talks over IPC.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeForm, sdkClient, viaSdk, type RequestSpec } from './clients';
import { EmbeddedNodeRed, apiNode, variationNode } from './node-red';

export interface MemoryJob {
  packageDir: string;
  baseURL: string;
  apiKey: string;
  spec: RequestSpec;
  maxConcurrent: number;
  messages: number;
  /** `node`: through Node-RED; `sdk`: the reference, a pool of maxConcurrent workers each reading the file and calling the SDK. */
  via: 'node' | 'sdk';
}

export interface MemoryResult {
  idleRss: number;
  sampledPeakRss: number;
  /** VmHWM after resetting it just before the burst; null when the kernel does not allow the reset. */
  kernelPeakRss: number | null;
  peakArrayBuffers: number;
  idleArrayBuffers: number;
  seconds: number;
  succeeded: number;
  failed: number;
}

function vmHwm(): number | null {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : null;
}

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function run(job: MemoryJob): Promise<MemoryResult> {
  const red = await EmbeddedNodeRed.start(
    [
      apiNode({ id: 'mem-api', baseURL: job.baseURL, maxConcurrent: job.maxConcurrent, queueLimit: 1000 }),
      variationNode('mem', 'mem-api', nodeForm(job.spec)),
    ],
    job.apiKey,
    job.packageDir,
  );
  const client = sdkClient(job.baseURL, job.apiKey);
  const viaFile = async () => viaSdk(client, { ...job.spec, image: { ...job.spec.image, bytes: await readFile(job.spec.image.path) } });
  const send = () =>
    (job.via === 'node' ? red.send('mem', { imagePath: job.spec.image.path }) : viaFile()).then(
      () => true,
      () => false,
    );
  // The reference keeps at most maxConcurrent requests going, like the node's queue.
  const burst = async (): Promise<boolean[]> => {
    if (job.via === 'node') return Promise.all(Array.from({ length: job.messages }, send));
    const outcomes: boolean[] = [];
    const worker = async () => {
      while (outcomes.length < job.messages) {
        const index = outcomes.push(false) - 1;
        outcomes[index] = await send();
      }
    };
    await Promise.all(Array.from({ length: job.maxConcurrent }, worker));
    return outcomes;
  };
  // Warm up the code paths and the connection pool, then let the process settle.
  for (let i = 0; i < 3; i++) await send();
  await sleep(1000);
  const idle: number[] = [];
  let idleArrayBuffers = 0;
  for (let i = 0; i < 50; i++) {
    const usage = process.memoryUsage();
    idle.push(usage.rss);
    idleArrayBuffers = Math.max(idleArrayBuffers, usage.arrayBuffers);
    await sleep(20);
  }
  idle.sort((a, b) => a - b);
  const idleRss = idle[idle.length >> 1];

  let sampledPeakRss = 0;
  let peakArrayBuffers = 0;
  let tick = 0;
  const sampler = setInterval(() => {
    sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss());
    // The full breakdown costs more; every 5th sample is enough to see the live Buffers.
    if (tick++ % 5 === 0) peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
  }, 2);
  const canReset = resetPeak();
  const started = performance.now();
  const outcomes = await burst();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const kernelPeakRss = canReset ? vmHwm() : null;
  await red.stop();
  return {
    idleRss,
    sampledPeakRss,
    kernelPeakRss,
    peakArrayBuffers,
    idleArrayBuffers,
    seconds,
    succeeded: outcomes.filter(Boolean).length,
    failed: outcomes.filter((ok) => !ok).length,
  };
}

if (process.send) {
  // The parent disconnects once it has the result; an error ends the process at once.
  process.once('disconnect', () => process.exit(0));
  process.once('message', (job: MemoryJob) => {
    run(job).then(
      (result) => process.send?.({ result }),
      (error: unknown) => process.send?.({ error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
    );
  });
}
