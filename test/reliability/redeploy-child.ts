/**
 * Run by redeploy.test.ts in a child process: loads the Node-RED runtime with the nodes,
 * leaves two requests hanging and two messages queued, stops the flows, closes the simulator,
 * prints what it saw as one JSON line and returns without calling process.exit. The process
 * must then end by itself: any timer or socket the nodes left behind would keep it alive.
 */
import { startSimulator } from '../../tools/simulator';
import { loadHangingFlow, redeployWhileHanging } from './redeploy-scenario';
import { smallPng, watchUnhandledRejections } from './support';

async function main(): Promise<void> {
  const rejections = watchUnhandledRejections();
  const sim = await startSimulator();
  const flow = await loadHangingFlow(sim);
  const { closeMs, aborted } = await redeployWhileHanging(sim, flow, await smallPng(), 4);
  const report = {
    closeMs,
    aborted: aborted.length,
    completions: flow.completions.length,
    sent: flow.success.length + flow.failed.length + flow.caught.length,
    rejections: rejections.reasons.length,
  };
  await flow.unload();
  await sim.close();
  rejections.stop();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// Only as a program of its own: a test runner that loads every file of this folder must not start it.
if (require.main === module) main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
