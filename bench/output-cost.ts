/**
 * What shaping ten images costs: the node in `split` mode (ten messages, nine of them copies
 * of the input message) and in `single` mode (one message holding arrays), against the SDK
 * call that decodes the same ten images.
 */
import { viaNode, viaSdk, type RequestSpec } from './clients';
import { formatBytes } from './images';
import type { RequestRig } from './per-message';
import type { SectionReport } from './report';
import { fixed, interleave, median, pairedDifference, table, type Sample } from './stats';

const SPLIT = 'a node, split (10 messages)';
const SINGLE = 'a node, single (1 message)';
const SDK = 'b openai SDK';

export async function outputCost(rig: RequestRig, spec: RequestSpec, nodes: { split: string; single: string }, runs: number, warmup: number): Promise<SectionReport> {
  const samples = await interleave(
    [
      { name: SPLIT, run: () => viaNode(rig.red, nodes.split, spec, 'buffer', 'split') },
      { name: SINGLE, run: () => viaNode(rig.red, nodes.single, spec, 'buffer', 'single') },
      { name: SDK, run: () => viaSdk(rig.client, spec) },
    ],
    runs,
    warmup,
  );
  const get = (name: string) => samples.get(name) ?? [];
  const wall = (s: Sample) => s.wallMs;
  const cpu = (s: Sample) => s.cpuMs;
  const rows = [SPLIT, SINGLE, SDK].map((name) => [
    name,
    fixed(median(get(name).map(wall))),
    fixed(median(get(name).map(cpu))),
    name === SDK ? '' : fixed(median(get(name).map(wall)) / median(get(SDK).map(wall)), 3),
    name === SDK ? '' : fixed(pairedDifference(get(name), get(SDK), wall)),
    name === SDK ? '' : fixed(pairedDifference(get(name), get(SDK), cpu)),
  ]);
  const splitVsSingle = pairedDifference(get(SPLIT), get(SINGLE), cpu);
  return {
    title: 'Output cost (n = 10)',
    setup: [
      `${spec.method}, ${formatBytes(spec.image.bytes.length)} PNG in msg.payload, size ${spec.size}, b64_json, n = ${spec.n}; ${runs} requests per variant, interleaved`,
      'a is timed until the last of its messages reaches the next node; b decodes the ten images to Buffers',
    ],
    table: table(['variant', 'median ms', 'cpu ms', 'ratio to b', 'paired − b ms', 'paired − b cpu ms'], rows),
    notes: [`split − single: ${fixed(splitVsSingle)} ms CPU per input message (paired)`],
    targets: [],
  };
}
