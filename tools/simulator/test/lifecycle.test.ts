import assert from 'node:assert/strict';
import { makeTestPng, startSimulator, type RecordedRequest, type Simulator } from '../index';
import { nextEvent, post } from './support';

describe('simulator: lifecycle, concurrency and waiting', () => {
  let sim: Simulator;
  let png: Buffer;
  before(async () => {
    png = await makeTestPng(64, 64);
  });
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.close());

  const fields = { model: 'gpt-image-2', prompt: 'p', size: '1024x1024' };

  it('listens on 127.0.0.1 with an ephemeral port and a /v1 baseURL', () => {
    assert.ok(sim.port > 0);
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
    assert.equal(sim.baseURL, `${sim.url}/v1`);
  });

  it('counts in-flight API requests and remembers the peak until reset()', async () => {
    sim.inject({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const controllers = [0, 1, 2].map(() => new AbortController());
    const pending = controllers.map((c) => post(sim, 'edits', fields, [{ data: png }], { signal: c.signal }).catch(() => 'aborted'));
    await sim.waitForRequests(3);
    assert.equal(sim.inFlight, 3);
    assert.equal(sim.maxInFlight, 3);
    const aborted: RecordedRequest[] = [];
    const allAborted = new Promise<void>((resolve) =>
      sim.on('aborted', (r) => {
        aborted.push(r);
        if (aborted.length === 3) resolve();
      }),
    );
    for (const c of controllers) c.abort();
    await allAborted;
    assert.deepEqual(await Promise.all(pending), ['aborted', 'aborted', 'aborted']);
    assert.equal(sim.inFlight, 0);
    assert.equal(sim.maxInFlight, 3);
    sim.reset();
    assert.equal(sim.maxInFlight, 0);
    assert.deepEqual(sim.requests, []);
  });

  it('does not count hosted files or unknown routes as in flight', async () => {
    await fetch(`${sim.baseURL}/models`);
    assert.equal(sim.maxInFlight, 0);
    await post(sim, 'edits', fields, [{ data: png }]);
    assert.equal(sim.maxInFlight, 1);
    assert.equal(sim.inFlight, 0);
  });

  it('waitForRequests resolves with the API requests once enough have arrived', async () => {
    const waiting = sim.waitForRequests(2);
    await fetch(`${sim.baseURL}/models`);
    await post(sim, 'edits', fields, [{ data: png }]);
    await post(sim, 'edits', { ...fields, prompt: 'second' }, [{ data: png }]);
    const received = await waiting;
    assert.deepEqual(
      received.map((r) => r.fields.prompt),
      ['p', 'second'],
    );
  });

  it('waitForRequests rejects on timeout', async () => {
    await assert.rejects(sim.waitForRequests(1, 30), /waited 30 ms for 1 API requests, 0 arrived/);
  });

  it('waitForRequests rejects when the simulator closes', async () => {
    const waiting = sim.waitForRequests(1, 10_000);
    await sim.close();
    await assert.rejects(waiting, /closed/);
  });

  it('emits request then response, with the status on the record', async () => {
    const events: string[] = [];
    sim.on('request', (r) => events.push(`request ${r.status ?? '-'}`));
    const response = nextEvent(sim, 'response');
    await post(sim, 'edits', { ...fields, n: '0' }, [{ data: png }]);
    assert.equal((await response).status, 400);
    assert.deepEqual(events, ['request -']);
  });

  it('adds the configured latency to every request and can change it', async () => {
    sim.setLatency(120);
    let started = Date.now();
    await fetch(`${sim.baseURL}/models`);
    assert.ok(Date.now() - started >= 115, `took ${Date.now() - started} ms`);
    sim.setLatency(0);
    started = Date.now();
    await fetch(`${sim.baseURL}/models`);
    assert.ok(Date.now() - started < 100);
  });

  it('close() during a latency wait resolves at once and leaves nothing pending', async () => {
    sim.setLatency(10_000);
    const pending = post(sim, 'edits', fields, [{ data: png }]).then(
      () => 'answered',
      () => 'failed',
    );
    await sim.waitForRequests(1);
    const started = Date.now();
    await sim.close();
    assert.ok(Date.now() - started < 500);
    assert.equal(await pending, 'failed');
  });

  it('a second close() is harmless', async () => {
    await sim.close();
    await sim.close();
  });
});
