/**
 * Issue 6, redeploy (SPEC 7): closing the nodes while requests hang and messages wait. Close
 * completes within a second (a contract, so it is asserted), every request in flight is
 * aborted, every pending message gets exactly one done(), nothing is sent after close, no
 * promise is left rejected and no timer is left behind.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import should from 'should';
import { startSimulator, type Simulator } from '../../tools/simulator';
import type { TestFlow } from '../support/flow';
import { helper } from '../support/runtime';
import { loadHangingFlow, redeployWhileHanging } from './redeploy-scenario';
import {
  activeTimers,
  apiRequests,
  awaitSimulatorEvents,
  settle,
  smallPng,
  watchUnhandledRejections,
} from './support';

const CLOSE_CONTRACT_MS = 1000;

describe('Reliability: redeploy and shutdown while requests hang (SPEC 7)', function () {
  let sim: Simulator;
  let image: Buffer;
  let flow: TestFlow | undefined;
  let rejections: ReturnType<typeof watchUnhandledRejections>;

  before(async function () {
    sim = await startSimulator();
    image = await smallPng();
  });
  after(async function () {
    await sim.close();
  });
  beforeEach(function () {
    rejections = watchUnhandledRejections();
  });
  afterEach(async function () {
    rejections.stop();
    await flow?.unload();
    flow = undefined;
    sim.reset();
  });

  async function hangingFlow() {
    flow = await loadHangingFlow(sim);
    return flow;
  }

  /** Every id completed exactly once, by the node it was sent to. */
  function completedOnce(testFlow: TestFlow, sent: Map<string, number>): void {
    for (const [id, node] of sent) {
      const events = testFlow.completions.filter((event) => event.msg._msgid === id);
      should(events.map((event) => event.nodeId)).eql([`variation${node}`], `done() calls for ${id}`);
      should(events[0].error).be.undefined();
    }
  }

  it('stopping the flows (a redeploy): close within 1 s, hanging requests aborted, one done() per message, nothing sent, no timer left', async function () {
    const testFlow = await hangingFlow();
    const timersBefore = activeTimers();
    const { sent, closeMs, aborted } = await redeployWhileHanging(sim, testFlow, image, 6);
    should(closeMs).be.below(CLOSE_CONTRACT_MS);
    should(aborted.map((request) => request.id).sort()).eql(apiRequests(sim).map((request) => request.id).sort());
    should(apiRequests(sim)).have.length(2);
    should(apiRequests(sim).every((request) => request.aborted === true)).be.true();
    should(sim.inFlight).equal(0);
    completedOnce(testFlow, sent);
    should(testFlow.success).be.empty();
    should(testFlow.failed).be.empty();
    should(testFlow.caught).be.empty();
    should(rejections.reasons).be.empty();
    should(activeTimers()).be.belowOrEqual(timersBefore);
  });

  it("closing one node (node.close()) aborts only its requests; the other node's queued messages still succeed", async function () {
    const testFlow = await hangingFlow();
    sim.inject({ kind: 'hang' }, { kind: 'hang' });
    // Node 0 takes both slots with hanging requests; then node 1 and node 0 queue behind them.
    const plan: Array<[string, number]> = [
      ['a0', 0],
      ['a1', 0],
      ['b0', 1],
      ['a2', 0],
      ['b1', 1],
    ];
    for (const [id, node] of plan) testFlow.inject({ _msgid: id, image }, node);
    await sim.waitForRequests(2);
    const aborted = awaitSimulatorEvents(sim, 'aborted', 2);

    const started = performance.now();
    await testFlow.node(0).close(false);
    const closeMs = performance.now() - started;
    should(closeMs).be.below(CLOSE_CONTRACT_MS);

    await aborted;
    const b0 = await testFlow.outcomeOf('b0');
    const b1 = await testFlow.outcomeOf('b1');
    await settle(10);
    for (const outcome of [b0, b1]) {
      should(outcome.success).have.length(1);
      should(outcome.failed).have.length(0);
      should(outcome.completions).have.length(1);
    }
    completedOnce(testFlow, new Map(plan));
    const sentByNode0 = [...testFlow.success, ...testFlow.failed].filter((msg) => String(msg._msgid).startsWith('a'));
    should(sentByNode0).be.empty();
    // Two hung and were aborted, two served node 1; node 0's queued message never reached the server.
    const requests = apiRequests(sim);
    should(requests).have.length(4);
    should(requests.filter((request) => request.aborted)).have.length(2);
    should(rejections.reasons).be.empty();
  });

  it('closing during the SDK\'s retry-after wait: no retry is sent, one done(), no timer left', async function () {
    const testFlow = await hangingFlow();
    const timersBefore = activeTimers();
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    const answered = awaitSimulatorEvents(sim, 'response', 1);
    testFlow.inject({ _msgid: 'waiting-to-retry', image }, 0);
    await answered;
    await settle(10);
    should(activeTimers()).be.above(timersBefore); // the SDK is asleep before its retry

    const started = performance.now();
    await helper.clearFlows();
    should(performance.now() - started).be.below(CLOSE_CONTRACT_MS);
    await settle(10);
    completedOnce(testFlow, new Map([['waiting-to-retry', 0]]));
    should(testFlow.failed).be.empty();
    should(apiRequests(sim)).have.length(1);
    should(rejections.reasons).be.empty();
    should(activeTimers()).be.belowOrEqual(timersBefore);
  });

  it('a Node-RED process that redeploys while requests hang exits by itself afterwards (no handle left behind)', async function () {
    this.timeout(60_000);
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'redeploy-child.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The child's SDK timeout is 300 s: a timer or socket left behind would keep it alive that long.
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
      new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), 45_000))),
    ]);
    clearTimeout(timer);
    if (exit === 'still running') child.kill('SIGKILL');
    should(exit).equal(0, `child: ${stdout}\n${stderr}`);
    const report = JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
    should(report).match({ aborted: 2, completions: 4, sent: 0, rejections: 0 });
    should(report.closeMs as number).be.below(CLOSE_CONTRACT_MS);
  });
});
