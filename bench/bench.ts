/**
 * `npm run bench [-- --quick] [-- --out FILE]`: measures the node against its limits (issue 7).
 * The simulator answers in a child process at zero latency unless a section says otherwise;
 * Node-RED runs embedded in this process with the package loaded from the working tree's dist/.
 * Every figure is a median; variants of one comparison are interleaved in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { nodeForm, sdkClient, type RequestSpec } from './clients';
import { makeNoisePng, MB, type BenchImage } from './images';
import { memory, type MemoryCase } from './memory';
import { apiNode, EmbeddedNodeRed, REPO_ROOT, snapshotPackage, variationNode, type FlowNode } from './node-red';
import { outputCost } from './output-cost';
import { compare, perMessageReport, sizesReport, type Comparison, type RequestRig } from './per-message';
import type { SectionReport } from './report';
import { SimulatorHandle } from './simulator-process';
import { CONCURRENCY, throughput } from './throughput';

const SECTIONS = ['overhead', 'sizes', 'throughput', 'memory', 'output'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  quick: boolean;
  out?: string;
  only: Section[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: [...SECTIONS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--out') args.out = argv[++i];
    else if (arg === '--only') args.only = (argv[++i] ?? '').split(',').filter((s): s is Section => (SECTIONS as readonly string[]).includes(s));
    else if (arg === '--help' || arg === '-h') {
      console.log(`usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--out report.md]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return args;
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

function machine(): string[] {
  let memoryLine = `${(totalmem() / 1024 ** 3).toFixed(1)} GiB total`;
  try {
    memoryLine = execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n')[1].replace(/\s+/g, ' ').trim();
  } catch {
    // `free` is missing on some systems; os.totalmem() is enough.
  }
  return [
    `CPU: ${cpus()[0]?.model ?? 'unknown'}, nproc ${availableParallelism()}`,
    `memory (free -h): ${memoryLine}`,
    `Node.js ${process.version}, Node-RED ${version('node-red')}, openai ${version('openai')}, ${process.platform} ${process.arch}`,
    `load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  ];
}

function render(report: SectionReport): string {
  const targets = report.targets.map((t) => `- target ${t.met ? 'MET' : 'NOT MET'}: ${t.name} (${t.detail})`);
  return [
    `### ${report.title}`,
    '',
    ...report.setup.map((line) => `- ${line}`),
    '',
    report.table,
    '',
    ...report.notes.map((line) => `- ${line}`),
    ...targets,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runs = (full: number, quick: number) => (args.quick ? quick : full);
  if (!existsSync(join(REPO_ROOT, 'dist', 'nodes', 'create-image-variation', 'create-image-variation.js'))) {
    throw new Error('dist/ is missing: run `node tools/build.mjs` first (npm run bench does)');
  }
  const startedAt = Date.now();
  const output: string[] = [`## npm run bench${args.quick ? ' -- --quick' : ''}`, '', ...machine().map((l) => `- ${l}`), ''];
  console.log(output.join('\n'));

  const dir = await mkdtemp(join(tmpdir(), 'variation-bench-'));
  const packageDir = await snapshotPackage(join(dir, 'package'));
  const sim = await SimulatorHandle.start();
  let red: EmbeddedNodeRed | undefined;
  try {
    const images: Record<string, BenchImage> = {
      '64 KB': await makeNoisePng(dir, '64KB', 64 * 1024, 1),
      '1 MB': await makeNoisePng(dir, '1MB', MB, 2),
      '4 MB': await makeNoisePng(dir, '4MB', 4 * MB, 3),
      '20 MB': await makeNoisePng(dir, '20MB', 20 * MB, 4),
    };
    const overheadSpec: RequestSpec = { method: 'variations', image: images['1 MB'], n: 1, size: '512x512' };
    const sizeSpecs = Object.values(images).map((image): RequestSpec => ({ method: 'edit', image, n: 1, size: '256x256' }));
    const throughputSpec: RequestSpec = { method: 'edit', image: images['64 KB'], n: 1, size: '256x256' };
    const outputSpec: RequestSpec = { ...overheadSpec, n: 10 };

    const nodes: FlowNode[] = [
      apiNode({ id: 'api', baseURL: sim.baseURL, maxConcurrent: 2, queueLimit: 100 }),
      variationNode('overhead', 'api', nodeForm(overheadSpec)),
      ...sizeSpecs.map((spec, index) => variationNode(`size-${index}`, 'api', nodeForm(spec))),
      variationNode('output-split', 'api', nodeForm(outputSpec, 'split')),
      variationNode('output-single', 'api', nodeForm(outputSpec, 'single')),
      ...CONCURRENCY.flatMap((width) => [
        apiNode({ id: `api-${width}`, baseURL: sim.baseURL, maxConcurrent: width, queueLimit: 1000 }),
        variationNode(`throughput-${width}`, `api-${width}`, nodeForm(throughputSpec)),
      ]),
    ];
    red = await EmbeddedNodeRed.start(nodes, sim.apiKey, packageDir);
    const rig: RequestRig = { red, sim, client: sdkClient(sim.baseURL, sim.apiKey) };
    const reports: SectionReport[] = [];
    const emit = (report: SectionReport) => {
      reports.push(report);
      const text = render(report);
      output.push(text);
      console.log(text);
    };

    if (args.only.includes('overhead')) {
      emit(perMessageReport(await compare(rig, 'overhead', overheadSpec, runs(120, 30), runs(5, 3))));
    }
    if (args.only.includes('sizes')) {
      const counts = [runs(80, 20), runs(60, 15), runs(40, 10), runs(25, 6)];
      const comparisons: Comparison[] = [];
      for (const [index, spec] of sizeSpecs.entries()) {
        comparisons.push(await compare(rig, `size-${index}`, spec, counts[index], runs(3, 2)));
      }
      emit(sizesReport(comparisons));
    }
    if (args.only.includes('throughput')) {
      emit(
        await throughput(
          { ...rig, spec: throughputSpec, nodeFor: (width) => `throughput-${width}` },
          runs(6, 4),
          runs(3, 1),
        ),
      );
    }
    if (args.only.includes('output')) {
      emit(await outputCost(rig, outputSpec, { split: 'output-split', single: 'output-single' }, runs(30, 10), runs(3, 2)));
    }
    if (args.only.includes('memory')) {
      const cases: MemoryCase[] = args.quick
        ? [
            { via: 'node', maxConcurrent: 2, messages: 50 },
            { via: 'node', maxConcurrent: 2, messages: 200 },
            { via: 'node', maxConcurrent: 8, messages: 100 },
            { via: 'sdk', maxConcurrent: 2, messages: 100 },
            { via: 'sdk', maxConcurrent: 8, messages: 100 },
          ]
        : [
            { via: 'node', maxConcurrent: 1, messages: 100 },
            { via: 'node', maxConcurrent: 2, messages: 50 },
            { via: 'node', maxConcurrent: 2, messages: 200 },
            { via: 'node', maxConcurrent: 8, messages: 200 },
            { via: 'sdk', maxConcurrent: 2, messages: 200 },
            { via: 'sdk', maxConcurrent: 8, messages: 200 },
          ];
      emit(await memory(sim, packageDir, { method: 'edit', image: images['4 MB'], n: 1, size: '256x256' }, cases, runs(50, 20)));
    }

    const summary = [
      '### Targets',
      '',
      ...reports.flatMap((r) => r.targets.map((t) => `- ${t.met ? 'MET    ' : 'NOT MET'} ${r.title}: ${t.name} (${t.detail})`)),
      '',
      `load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; took ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
      '',
    ].join('\n');
    output.push(summary);
    console.log(summary);
    if (args.out) await writeFile(args.out, output.join('\n'));
  } finally {
    await red?.stop();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  // Node-RED leaves timers behind after stop(); the report is complete, so leave now.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
