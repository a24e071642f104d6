/**
 * Run by redeploy.test.ts in a child process: loads the Node-RED runtime with the nodes,
 * leaves two requests hanging and two messages queued, stops the flows, closes the simulator,
 * prints what it saw as one JSON line and returns without calling process.exit. The process
 * must then end by itself: any timer or socket the nodes left behind would keep it alive.
 */
import { performance } from 'node:perf_hooks';
import { startSimulator } from '../../tools/simulator';
import { loadFlow } from '../support/flow';
import { helper } from '../support/runtime';
import { SMALL_EDIT, awaitSimulatorEvents, settle, smallPng, watchUnhandledRejections } from './support';

async function main(): Promise<void> {
  const rejections = watchUnhandledRejections();
  const sim = await startSimulator();
  const image = await smallPng();
  const flow = await loadFlow(sim, {
    nodeCount: 2,
    node: SMALL_EDIT,
    api: { maxConcurrent: '2', queueLimit: '10', maxRetries: '2', timeout: '300' },
  });
  sim.inject({ kind: 'hang' }, { kind: 'hang' });
  for (let index = 0; index < 4; index++) flow.inject({ _msgid: `child-${index}`, image }, index % 2);
  await sim.waitForRequests(2);
  const aborted = awaitSimulatorEvents(sim, 'aborted', 2);
  const started = performance.now();
  await helper.clearFlows();
  const closeMs = performance.now() - started;
  const abortedRequests = await aborted;
  await settle(10);
  const report = {
    closeMs,
    aborted: abortedRequests.length,
    completions: flow.completions.length,
    sent: flow.success.length + flow.failed.length + flow.caught.length,
    rejections: rejections.reasons.length,
  };
  await flow.unload();
  await sim.close();
  rejections.stop();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
