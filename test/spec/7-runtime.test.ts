/** SPEC 7: one outcome per message, status, close, retries and timeouts, the shared queue, memory. */
import { writeFile } from 'node:fs/promises';
import should from 'should';
import { startSimulator, makeTestPng, type RecordedRequest, type Simulator } from '../../tools/simulator';
import { createFixtures, type Fixtures } from '../support/fixtures';
import { loadFlow, type TestFlow, apiRequests } from '../support/flow';
import { helper } from '../support/runtime';


/** Resolves on the next simulator event of that kind. */
function next(sim: Simulator, event: 'request' | 'aborted'): Promise<RecordedRequest> {
  return new Promise((resolve) => {
    const listener = (record: RecordedRequest) => {
      sim.off(event, listener);
      resolve(record);
    };
    sim.on(event, listener);
  });
}

interface StatusCall {
  fill?: string;
  shape?: string;
  text?: string;
}

describe('SPEC 7: runtime behaviour', function () {
  let sim: Simulator;
  let fixtures: Fixtures;
  let flow: TestFlow | undefined;
  let png: Buffer;

  before(async function () {
    sim = await startSimulator();
    fixtures = await createFixtures();
    png = await makeTestPng(64, 64);
  });
  after(async function () {
    await sim.close();
    await fixtures.remove();
  });
  afterEach(async function () {
    await flow?.unload();
    flow = undefined;
    sim.reset();
  });

  function watchStatus(flowUnderTest: TestFlow): StatusCall[] {
    const calls: StatusCall[] = [];
    // The test helper re-emits every status() call on the node as 'call:status'.
    const node = flowUnderTest.node() as unknown as NodeJS.EventEmitter;
    node.on('call:status', (call: { args: [StatusCall] }) => {
      calls.push(call.args[0]);
      flowUnderTest.notify();
    });
    return calls;
  }

  it('gives each of 30 messages exactly one outcome and one done(), mixing faults and successes', async function () {
    flow = await loadFlow(sim, { api: { maxConcurrent: '3' } });
    for (let index = 0; index < 30; index++) {
      if (index % 3 === 0) sim.inject({ kind: 'status', status: 400 });
      else if (index % 3 === 1) sim.inject({ kind: 'reset' });
      else sim.inject({ kind: 'latency', ms: 5 });
    }
    const ids = Array.from({ length: 30 }, () => flow!.inject({ image: png }));
    const outcomes = await Promise.all(ids.map((id) => flow!.outcomeOf(id)));
    for (const outcome of outcomes) {
      should(outcome.completions).have.length(1);
      should(outcome.success.length + outcome.failed.length).equal(1);
    }
    should(outcomes.filter((outcome) => outcome.success.length === 1)).have.length(10);
    should(flow.success.length + flow.failed.length).equal(30);
  });

  describe('status', function () {
    it('shows a blue dot while requesting, then a green dot with the image count', async function () {
      flow = await loadFlow(sim);
      const calls = watchStatus(flow);
      sim.inject({ kind: 'latency', ms: 200 });
      const started = next(sim, 'request');
      const id = flow.inject({ image: png, n: 2 });
      await started;
      should(calls[calls.length - 1]).match({ fill: 'blue', shape: 'dot', text: 'requesting' });
      await flow.outcomeOf(id);
      should(calls[calls.length - 1]).eql({ fill: 'green', shape: 'dot', text: 'images: 2' });
    });

    it('shows the queue length while messages wait', async function () {
      flow = await loadFlow(sim, { api: { maxConcurrent: '1' } });
      const calls = watchStatus(flow);
      sim.inject({ kind: 'latency', ms: 300 });
      const started = next(sim, 'request');
      const first = flow.inject({ image: png });
      await started;
      const second = flow.inject({ image: png });
      await flow.until(() => calls.some((call) => call.text === 'queued: 1'));
      should(calls.find((call) => call.text === 'queued: 1')).match({ fill: 'blue', shape: 'dot' });
      await flow.outcomeOf(first);
      await flow.outcomeOf(second);
    });

    it('shows a red ring with a short reason on failure', async function () {
      flow = await loadFlow(sim);
      const calls = watchStatus(flow);
      sim.inject({ kind: 'status', status: 500 });
      await flow.run({ image: png });
      should(calls[calls.length - 1]).eql({ fill: 'red', shape: 'ring', text: 'server error' });
    });
  });

  describe('close (redeploy or shutdown)', function () {
    it('aborts in-flight requests, completes every queued and in-flight message with done(), sends nothing after, within a second', async function () {
      flow = await loadFlow(sim, { api: { maxConcurrent: '2' } });
      sim.inject({ kind: 'hang' }, { kind: 'hang' });
      const ids = [1, 2, 3, 4].map(() => flow!.inject({ image: png }));
      await sim.waitForRequests(2);
      const aborted: RecordedRequest[] = [];
      const testFlow = flow;
      const onAborted = (record: RecordedRequest) => {
        aborted.push(record);
        testFlow.notify();
      };
      sim.on('aborted', onAborted);
      try {
        const started = Date.now();
        await flow.node().close(false);
        should(Date.now() - started).be.below(1000);
        await flow.until(() => aborted.length === 2, 2000);
      } finally {
        sim.off('aborted', onAborted);
      }
      for (const id of ids) {
        const outcome = flow.collect(id);
        should(outcome.completions).have.length(1);
        should(outcome.completions[0].error).be.undefined();
      }
      // Let anything still on its way arrive before checking nothing was sent.
      await new Promise((resolve) => setImmediate(resolve));
      should(flow.success).have.length(0);
      should(flow.failed).have.length(0);
      should(apiRequests(sim)).have.length(2);
    });
    it('completes an in-flight message with done() when only its config node closes', async function () {
      flow = await loadFlow(sim);
      sim.inject({ kind: 'hang' });
      const id = flow.inject({ image: png });
      await sim.waitForRequests(1);
      await helper.getNode('api').close(false);
      const outcome = await flow.outcomeOf(id, 2000);
      should(outcome.completions).have.length(1);
      should(outcome.completions[0].error).be.undefined();
      should(outcome.success).have.length(0);
      should(outcome.failed).have.length(0);
    });
  });

  describe('retries and timeouts from the config node', function () {
    it('retries 5xx through the SDK and succeeds, uploading the same bytes each time', async function () {
      flow = await loadFlow(sim, { api: { maxRetries: '2' } });
      sim.inject(
        { kind: 'status', status: 500, headers: { 'retry-after-ms': '10' } },
        { kind: 'status', status: 503, headers: { 'retry-after-ms': '10' } },
      );
      const outcome = await flow.run({ image: png });
      should(outcome.success).have.length(1);
      const requests = apiRequests(sim);
      should(requests).have.length(3);
      for (const request of requests) should(request.files[0].length).equal(png.length);
    });

    it('gives up after maxRetries with SERVER_ERROR', async function () {
      flow = await loadFlow(sim, { api: { maxRetries: '1' } });
      for (let index = 0; index < 3; index++) sim.inject({ kind: 'status', status: 500, headers: { 'retry-after-ms': '10' } });
      const outcome = await flow.run({ image: png });
      should((outcome.failed[0].error as { code: string }).code).equal('SERVER_ERROR');
      should(apiRequests(sim)).have.length(2);
    });

    it('retries a 429 after its retry-after-ms and then succeeds', async function () {
      flow = await loadFlow(sim, { api: { maxRetries: '1' } });
      sim.inject({ kind: 'status', status: 429, headers: { 'retry-after-ms': '200' } });
      const outcome = await flow.run({ image: png });
      should(outcome.success).have.length(1);
      const [first, second] = apiRequests(sim);
      should(second.startedAt - first.startedAt).be.aboveOrEqual(200);
    });

    it('fails with TIMEOUT when the body trickles past the timeout', async function () {
      flow = await loadFlow(sim, { api: { timeout: '0.3' } });
      sim.inject({ kind: 'slow-body', bytesPerChunk: 16, intervalMs: 100 });
      const outcome = await flow.run({ image: png });
      should((outcome.failed[0].error as { code: string }).code).equal('TIMEOUT');
    });
  });

  describe('the queue shared through the config node', function () {
    it('never runs more than maxConcurrent requests across every node using the config node', async function () {
      // A simulator of its own: a request abandoned by an earlier test may still be trickling on the shared one.
      const own = await startSimulator();
      try {
        flow = await loadFlow(own, { nodeCount: 3, api: { maxConcurrent: '2' } });
        for (let index = 0; index < 9; index++) own.inject({ kind: 'latency', ms: 30 });
        const ids = Array.from({ length: 9 }, (_, index) => flow!.inject({ image: png }, index % 3));
        const outcomes = await Promise.all(ids.map((id) => flow!.outcomeOf(id)));
        for (const outcome of outcomes) should(outcome.success).have.length(1);
        should(own.maxInFlight).equal(2);
      } finally {
        await own.close();
      }
    });

    it('fails a message at once with QUEUE_FULL when the queue is full, without a request', async function () {
      flow = await loadFlow(sim, { api: { maxConcurrent: '1', queueLimit: '1' } });
      sim.inject({ kind: 'hang' });
      const first = flow.inject({ image: png });
      await sim.waitForRequests(1);
      const second = flow.inject({ image: png });
      const third = await flow.run({ image: png });
      should(third.failed).have.length(1);
      should((third.failed[0].error as { code: string }).code).equal('QUEUE_FULL');
      should(third.failed[0].errorMessage).match(/Queue full/);
      should(apiRequests(sim)).have.length(1);
      should(flow.collect(first).completions).have.length(0);
      should(flow.collect(second).completions).have.length(0);
    });
  });

  it('reads a queued file only when its request starts (a queued message holds only its path)', async function () {
    const path = await fixtures.png('changes.png', 64, 64);
    flow = await loadFlow(sim, { api: { maxConcurrent: '1' } });
    sim.inject({ kind: 'latency', ms: 200 });
    const started = next(sim, 'request');
    const first = flow.inject({ image: png });
    await started;
    const queued = flow.inject({ imagePath: path });
    await writeFile(path, await makeTestPng(128, 128));
    await flow.outcomeOf(first);
    const outcome = await flow.outcomeOf(queued);
    should(outcome.success).have.length(1);
    should(apiRequests(sim)[1].files[0].width).equal(128);
  });
});
