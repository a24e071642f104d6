/**
 * What a request costs the simulator: `node_modules/.bin/tsx tools/simulator/measure.ts`.
 * The simulator runs in a child process so its CPU time (process.cpuUsage deltas) is its own, not
 * the client's. Each scenario warms the image cache first, so the figures are the per-request
 * overhead (HTTP, multipart, validation, hashing, writing the body), not image encoding.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { makeTestPng, startSimulator } from './index';
import { DEFAULT_API_KEY } from './server';

type ToChild = { type: 'cpu' };
type FromChild = { type: 'ready'; port: number } | { type: 'cpu'; usage: NodeJS.CpuUsage };

if (process.argv.includes('--serve')) {
  void serve();
} else {
  void measure().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

async function serve(): Promise<void> {
  const sim = await startSimulator({ retiredModels: false });
  process.on('message', (message: ToChild) => {
    // The record is not what is being measured: keep it from growing through the run.
    if (sim.requests.length > 1000) sim.reset();
    if (message.type === 'cpu') process.send?.({ type: 'cpu', usage: process.cpuUsage() } satisfies FromChild);
  });
  process.on('disconnect', () => void sim.close());
  process.send?.({ type: 'ready', port: sim.port } satisfies FromChild);
}

function ask(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  return new Promise((resolve) => {
    const onMessage = (message: FromChild) => {
      if (message.type !== 'cpu') return;
      child.off('message', onMessage);
      resolve(message.usage);
    };
    child.on('message', onMessage);
    child.send({ type: 'cpu' } satisfies ToChild);
  });
}

interface Scenario {
  name: string;
  endpoint: 'edits' | 'variations';
  fields: Record<string, string>;
}

async function measure(): Promise<void> {
  const child = fork(__filename, ['--serve'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) =>
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') resolve(message.port);
    }),
  );
  const base = `http://127.0.0.1:${port}/v1/images`;
  const send = async (scenario: Scenario, png: Buffer): Promise<number> => {
    const form = new FormData();
    for (const [name, value] of Object.entries(scenario.fields)) form.append(name, value);
    form.append('image', new Blob([Uint8Array.from(png)], { type: 'image/png' }), 'input.png');
    const started = performance.now();
    const response = await fetch(`${base}/${scenario.endpoint}`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${DEFAULT_API_KEY}` },
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${scenario.name}: status ${response.status}`);
    return performance.now() - started;
  };

  const scenarios: Scenario[] = [
    { name: 'variations b64_json 256x256', endpoint: 'variations', fields: { size: '256x256', response_format: 'b64_json' } },
    { name: 'variations url 256x256', endpoint: 'variations', fields: { size: '256x256', response_format: 'url' } },
    { name: 'edits 256x256', endpoint: 'edits', fields: { model: 'gpt-image-2', prompt: 'a variation', size: '256x256' } },
    { name: 'edits auto (1024x1024 out)', endpoint: 'edits', fields: { model: 'gpt-image-2', prompt: 'a variation' } },
  ];
  // A fresh image per scenario: its first request is a cache miss (sharp encodes), the rest hit.
  // Every scenario is warmed up before any is measured, so JIT warm-up is not billed to the first.
  const images = await Promise.all(scenarios.map((_, index) => makeTestPng(256, 256, { seed: 100 + index })));
  const cold: number[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    cold.push(await send(scenario, images[index]));
    for (let i = 0; i < 300; i++) await send(scenario, images[index]);
  }
  const rows: string[][] = [];
  for (const [index, scenario] of scenarios.entries()) {
    const png = images[index];
    for (const clients of [1, 4]) {
      const perClient = 200;
      const cpuBefore = await ask(child);
      const started = performance.now();
      const latencies = (
        await Promise.all(
          Array.from({ length: clients }, async () => {
            const own: number[] = [];
            for (let i = 0; i < perClient; i++) own.push(await send(scenario, png));
            return own;
          }),
        )
      ).flat();
      const elapsed = performance.now() - started;
      const cpu = await ask(child);
      const cpuMicros = cpu.user - cpuBefore.user + (cpu.system - cpuBefore.system);
      const total = clients * perClient;
      rows.push([
        scenario.name,
        String(clients),
        String(total),
        (total / (elapsed / 1000)).toFixed(0),
        (latencies.reduce((a, b) => a + b, 0) / total).toFixed(2),
        (cpuMicros / total / 1000).toFixed(3),
        clients === 1 ? cold[index].toFixed(0) : '',
      ]);
    }
  }
  child.disconnect();
  printTable(['scenario (warm cache)', 'clients', 'requests', 'req/s', 'mean ms', 'sim CPU ms/req', 'cold ms'], rows);
  console.log(`\nNode ${process.version}, ${process.platform}/${process.arch}; client: fetch + FormData in the parent process.`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}
