import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { makeTestPng, startSimulator, type FaultMix, type Simulator } from '../index';
import { blobOf, client, nextEvent, upload } from './support';

describe('simulator: fault injection', () => {
  let sim: Simulator;
  let png: Buffer;
  before(async () => {
    png = await makeTestPng(64, 64);
  });
  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(() => sim.close());

  async function edit(openai: OpenAI = client(sim), signal?: AbortSignal) {
    return openai.images.edit({ image: await upload(png), prompt: 'p', model: 'gpt-image-2', size: '1024x1024' }, { signal });
  }
  function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => assert.fail('expected the request to fail'),
      (err: unknown) => err,
    );
  }
  function rawEdit(signal?: AbortSignal): Promise<Response> {
    const form = new FormData();
    form.append('model', 'gpt-image-2');
    form.append('prompt', 'p');
    form.append('size', '1024x1024');
    form.append('image', blobOf(png, 'image/png'), 'a.png');
    return fetch(`${sim.baseURL}/images/edits`, { method: 'POST', body: form, headers: { authorization: 'Bearer sk-sim-test-key' }, signal });
  }

  it('status: answers 429 with the OpenAI error shape and passes retry-after through', async () => {
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const err = await failure(edit());
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.equal(err.status, 429);
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.headers?.get('retry-after'), '1');
    assert.equal(err.requestID, sim.requests[0].id);
    assert.equal(sim.requests[0].fault, 'status');
    assert.equal(sim.requests[0].status, 429);
  });

  it('status: lets the test set code, message, type and param, or the whole body', async () => {
    sim.inject(
      { kind: 'status', status: 404, code: 'model_not_found', message: 'gone', param: 'model' },
      { kind: 'status', status: 500, body: { error: { message: 'custom', type: 'x', param: null, code: 'c' } } },
      { kind: 'status', status: 503 },
    );
    const notFound = await failure(edit());
    assert.ok(notFound instanceof OpenAI.NotFoundError);
    assert.deepEqual([notFound.code, notFound.param, notFound.type, notFound.message], ['model_not_found', 'model', 'invalid_request_error', '404 gone']);
    const custom = await failure(edit());
    assert.ok(custom instanceof OpenAI.InternalServerError);
    assert.deepEqual([custom.status, custom.code, custom.type], [500, 'c', 'x']);
    const overloaded = await failure(edit());
    assert.ok(overloaded instanceof OpenAI.APIError);
    assert.equal(overloaded.status, 503);
    assert.match(overloaded.message, /overloaded/);
  });

  it('status: the SDK honours retry-after-ms and retries to success', async () => {
    sim.inject({ kind: 'status', status: 429, headers: { 'retry-after-ms': '30' } });
    const response = await edit(client(sim, { maxRetries: 1 }));
    assert.equal(response.data?.length, 1);
    assert.deepEqual(
      sim.requests.map((r) => [r.status, r.headers['x-stainless-retry-count']]),
      [
        [429, '0'],
        [200, '1'],
      ],
    );
  });

  it('faults are taken FIFO, one per API request, then requests behave normally', async () => {
    sim.inject({ kind: 'status', status: 500 }, { kind: 'empty-data' });
    await fetch(`${sim.baseURL}/models`); // not an API request: takes no fault
    await failure(edit());
    const empty = await edit();
    assert.deepEqual(empty.data, []);
    const normal = await edit();
    assert.equal(normal.data?.length, 1);
    assert.deepEqual(
      sim.requests.map((r) => [r.fault, r.status]),
      [
        [undefined, 404],
        ['status', 500],
        ['empty-data', 200],
        [undefined, 200],
      ],
    );
  });

  it('latency: answers normally after the delay', async () => {
    sim.inject({ kind: 'latency', ms: 150 });
    const started = Date.now();
    const response = await edit();
    assert.ok(Date.now() - started >= 145, `answered after ${Date.now() - started} ms`);
    assert.equal(response.data?.length, 1);
  });

  it('hang: never answers, and reports the client going away as aborted', async () => {
    sim.inject({ kind: 'hang' });
    const controller = new AbortController();
    const pending = failure(edit(client(sim), controller.signal));
    const [record] = await sim.waitForRequests(1);
    assert.equal(sim.inFlight, 1);
    const aborted = nextEvent(sim, 'aborted');
    controller.abort();
    assert.equal(await aborted, record);
    assert.ok((await pending) instanceof OpenAI.APIUserAbortError);
    assert.equal(record.aborted, true);
    assert.equal(record.status, undefined);
    assert.equal(record.fault, 'hang');
    assert.equal(sim.inFlight, 0);
  });

  it('hang: close() ends the hanging request quickly and the client sees a connection error', async () => {
    sim.inject({ kind: 'hang' });
    const pending = failure(edit());
    await sim.waitForRequests(1);
    const started = Date.now();
    await sim.close();
    assert.ok(Date.now() - started < 500, `close took ${Date.now() - started} ms`);
    assert.ok((await pending) instanceof OpenAI.APIConnectionError);
    assert.equal(sim.requests[0].aborted, undefined, 'closing the simulator is not the client aborting');
  });

  it('reset: destroys the socket without an answer (connection error in the client)', async () => {
    sim.inject({ kind: 'reset' }, { kind: 'reset' });
    const err = await failure(edit());
    assert.ok(err instanceof OpenAI.APIConnectionError);
    const fetchErr = await failure(rawEdit());
    assert.ok(fetchErr instanceof TypeError);
    const cause = (fetchErr as TypeError & { cause?: { code?: string } }).cause;
    assert.match(String(cause?.code), /ECONNRESET|UND_ERR_SOCKET/);
    assert.deepEqual(
      sim.requests.map((r) => [r.fault, r.status, r.aborted]),
      [
        ['reset', undefined, undefined],
        ['reset', undefined, undefined],
      ],
    );
  });

  it('malformed-json: 200 application/json with a body that is not JSON', async () => {
    sim.inject({ kind: 'malformed-json' }, { kind: 'malformed-json' });
    assert.ok((await failure(edit())) instanceof SyntaxError);
    const response = await rawEdit();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const text = await response.text();
    assert.throws(() => JSON.parse(text), SyntaxError);
  });

  it('truncated: announces the full content-length, sends half, then cuts the connection', async () => {
    sim.inject({ kind: 'truncated' }, { kind: 'truncated' });
    await failure(edit());
    const response = await rawEdit();
    assert.equal(response.status, 200);
    assert.ok(Number(response.headers.get('content-length')) > 1000);
    await failure(response.text());
    assert.equal(sim.requests[1].fault, 'truncated');
    assert.equal(sim.requests[1].status, 200);
  });

  it('slow-body: trickles a valid body that the SDK still reads', async () => {
    sim.inject({ kind: 'slow-body', bytesPerChunk: 100_000, intervalMs: 40 });
    const started = Date.now();
    const response = await edit();
    const [image] = response.data ?? [];
    const chunks = Math.ceil(JSON.stringify(response).length / 100_000);
    assert.ok(chunks >= 2, 'the body must span several chunks');
    assert.ok(Date.now() - started >= (chunks - 1) * 40 - 5, `took ${Date.now() - started} ms for ${chunks} chunks`);
    assert.ok((image?.b64_json?.length ?? 0) > 1000);
  });

  it('slow-body: a client that gives up mid-body is recorded as aborted', async () => {
    sim.inject({ kind: 'slow-body', bytesPerChunk: 1000, intervalMs: 1000 });
    const controller = new AbortController();
    const response = await rawEdit(controller.signal);
    assert.equal(response.status, 200);
    const aborted = nextEvent(sim, 'aborted');
    controller.abort();
    assert.equal((await aborted).aborted, true);
  });

  it('empty-data: 200 with valid JSON and no images', async () => {
    sim.inject({ kind: 'empty-data' });
    const response = await edit();
    assert.deepEqual(response.data, []);
    assert.equal(typeof response.created, 'number');
  });

  describe('fault mix', () => {
    const mix: FaultMix = {
      seed: 42,
      weights: { ok: 3, '400': 1, '401': 1, '404': 1, '429': 1, '500': 1, '503': 1, 'malformed-json': 1, latency: 1, reset: 1, truncated: 1 },
      latencyMs: 5,
    };

    async function outcomes(count: number): Promise<string[]> {
      for (let i = 0; i < count; i++) await rawEdit().then((r) => r.text()).catch(() => undefined);
      return sim.requests.map((r) => `${r.fault ?? 'ok'}:${r.status ?? '-'}`);
    }

    it('draws the same faults in the same order for the same seed', async () => {
      sim.setFaultMix(mix);
      const first = await outcomes(30);
      sim.reset();
      sim.setFaultMix(mix);
      const second = await outcomes(30);
      assert.deepEqual(second, first);
      assert.ok(new Set(first).size >= 5, `expected a mix, got ${first.join(' ')}`);
      assert.ok(first.some((o) => o.startsWith('ok:200')));
    });

    it('draws a different sequence for another seed, and queued faults go first', async () => {
      sim.setFaultMix(mix);
      const first = await outcomes(20);
      sim.reset();
      sim.setFaultMix({ ...mix, seed: 7 });
      sim.inject({ kind: 'status', status: 418 });
      const other = await outcomes(21);
      assert.equal(other[0], 'status:418');
      assert.notDeepEqual(other.slice(1), first);
    });

    it('with only ok weight, or no mix, every request succeeds', async () => {
      sim.setFaultMix({ weights: { ok: 1 } });
      assert.deepEqual(await outcomes(3), ['ok:200', 'ok:200', 'ok:200']);
      sim.setFaultMix(null);
      sim.reset();
      assert.deepEqual(await outcomes(2), ['ok:200', 'ok:200']);
    });
  });
});
