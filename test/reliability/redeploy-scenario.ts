/**
 * The redeploy scenario shared by redeploy.test.ts and the child process it starts: two nodes
 * on one config node with two request slots, both requests hanging, the other messages queued,
 * then the runtime stops the flows.
 */
import { performance } from 'node:perf_hooks';
import type { RecordedRequest, Simulator } from '../../tools/simulator';
import { loadFlow, type TestFlow } from '../support/flow';
import { helper } from '../support/runtime';
import { SMALL_EDIT, awaitSimulatorEvents, settle } from './support';

/** A long timeout, so an SDK timer left behind would keep the process alive for minutes. */
export function loadHangingFlow(sim: Simulator): Promise<TestFlow> {
  return loadFlow(sim, {
    nodeCount: 2,
    node: SMALL_EDIT,
    api: { maxConcurrent: '2', queueLimit: '10', maxRetries: '2', timeout: '300' },
  });
}

export interface Redeployed {
  /** Message id -> index of the node it was sent to. */
  sent: Map<string, number>;
  closeMs: number;
  aborted: RecordedRequest[];
}

/** Sends `count` messages (2 hang, the rest wait), stops the flows and waits for both aborts. */
export async function redeployWhileHanging(sim: Simulator, flow: TestFlow, image: Buffer, count: number): Promise<Redeployed> {
  sim.inject({ kind: 'hang' }, { kind: 'hang' });
  const sent = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    const id = `redeploy-${index}`;
    sent.set(id, index % 2);
    flow.inject({ _msgid: id, image }, index % 2);
  }
  await sim.waitForRequests(2);
  const aborted = awaitSimulatorEvents(sim, 'aborted', 2);
  const started = performance.now();
  await helper.clearFlows();
  const closeMs = performance.now() - started;
  const abortedRequests = await aborted;
  // Anything the nodes would still send after close would be delivered within these turns.
  await settle(10);
  return { sent, closeMs, aborted: abortedRequests };
}
