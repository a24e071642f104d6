/** SPEC 6: the success and failed messages, split and single modes, codes, Catch reporting. */
import should from 'should';
import { startSimulator, makeTestPng, type Fault, type Simulator } from '../../tools/simulator';
import { loadFlow, type Msg, type TestFlow, apiRequests } from '../support/flow';

const errorOf = (msg: Msg) => msg.error as Record<string, unknown>;

describe('SPEC 6: outputs', function () {
  let sim: Simulator;
  let flow: TestFlow | undefined;
  let png: Buffer;

  before(async function () {
    sim = await startSimulator({ retiredModels: false });
    png = await makeTestPng(64, 64);
  });
  after(() => sim.close());
  afterEach(async function () {
    await flow?.unload();
    flow = undefined;
    sim.reset();
  });

  describe('success (output 1)', function () {
    it('passes the input message on with its other properties, the image as a Buffer and the response as a string', async function () {
      flow = await loadFlow(sim);
      const outcome = await flow.run({ image: png, topic: 'garden', custom: { keep: true } });
      should(outcome.success).have.length(1);
      const msg = outcome.success[0];
      should(msg.topic).equal('garden');
      should(msg.custom).eql({ keep: true });
      should(Buffer.isBuffer(msg.payload)).be.true();
      should(msg.response).be.a.String();
      const response = JSON.parse(msg.response as string);
      should((msg.payload as Buffer).equals(Buffer.from(response.data[0].b64_json, 'base64'))).be.true();
    });

    it('gives a data: URL in msg.imageUrl for edit with response format url (edit has no hosted URLs)', async function () {
      flow = await loadFlow(sim, { node: { responseFormat: 'url' } });
      const msg = (await flow.run({ image: png })).success[0];
      should(msg.imageUrl).be.a.String().and.match(/^data:image\/png;base64,/);
      const bytes = Buffer.from((msg.imageUrl as string).split(',')[1], 'base64');
      should(bytes.equals(msg.payload as Buffer)).be.true();
      should(msg).not.have.property('imageB64');
    });

    it('gives the hosted URL as payload and imageUrl for variations with response format url', async function () {
      flow = await loadFlow(sim, { node: { method: 'variations', responseFormat: 'url' } });
      const msg = (await flow.run({ image: png })).success[0];
      should(msg.payload).be.a.String().and.startWith(sim.url);
      should(msg.imageUrl).equal(msg.payload);
      const fetched = await fetch(msg.imageUrl as string);
      should(fetched.status).equal(200);
    });

    it('gives msg.imageB64 and the decoded Buffer with response format b64_json', async function () {
      flow = await loadFlow(sim, { node: { method: 'variations', responseFormat: 'b64_json' } });
      const msg = (await flow.run({ image: png })).success[0];
      should(msg.imageB64).be.a.String();
      should(Buffer.from(msg.imageB64 as string, 'base64').equals(msg.payload as Buffer)).be.true();
      should(msg).not.have.property('imageUrl');
    });

    it('split: one message per image with msg.parts a join node can use', async function () {
      flow = await loadFlow(sim, { node: { count: '3' } });
      const outcome = await flow.run({ image: png, topic: 't' });
      should(outcome.success).have.length(3);
      const parts = outcome.success.map((msg) => msg.parts as Record<string, unknown>);
      should(new Set(parts.map((p) => p.id)).size).equal(1);
      should(parts.map((p) => p.index)).eql([0, 1, 2]);
      for (const p of parts) should(p).match({ count: 3, type: 'array' });
      for (const msg of outcome.success) should(msg.topic).equal('t');
      const images = outcome.success.map((msg) => (msg.payload as Buffer).toString('base64'));
      should(new Set(images).size).equal(3);
    });

    it('split: a single image carries no msg.parts of ours and leaves an incoming msg.parts as it was', async function () {
      flow = await loadFlow(sim);
      const incoming = { id: 'outer', index: 4, count: 9, type: 'array' };
      const plain = (await flow.run({ image: png })).success[0];
      should(plain).not.have.property('parts');
      const nested = (await flow.run({ image: png, parts: incoming })).success[0];
      should(nested.parts).eql(incoming);
    });

    it('split: with several images an incoming msg.parts is kept nested under ours', async function () {
      flow = await loadFlow(sim, { node: { count: '2' } });
      const incoming = { id: 'outer', index: 1, count: 2, type: 'array' };
      const outcome = await flow.run({ image: png, parts: incoming });
      for (const msg of outcome.success) should((msg.parts as Record<string, unknown>).parts).eql(incoming);
    });

    it('single: one message with every image, the first in imageUrl / imageB64', async function () {
      flow = await loadFlow(sim, { node: { output: 'single', count: '3', method: 'variations', responseFormat: 'b64_json' } });
      const outcome = await flow.run({ image: png });
      should(outcome.success).have.length(1);
      const msg = outcome.success[0];
      should(msg.payload).be.an.Array().and.have.length(3);
      should(msg.imageB64s).be.an.Array().and.have.length(3);
      should(msg.imageB64).equal((msg.imageB64s as string[])[0]);
      should(msg).not.have.property('parts');
    });

    it('single: msg.imageUrls with url', async function () {
      flow = await loadFlow(sim, { node: { output: 'single', count: '2', method: 'variations', responseFormat: 'url' } });
      const msg = (await flow.run({ image: png })).success[0];
      should(msg.imageUrls).be.an.Array().and.have.length(2);
      should(msg.imageUrl).equal((msg.imageUrls as string[])[0]);
      should(msg.payload).eql(msg.imageUrls);
    });
  });

  describe('failed (output 2)', function () {
    it('carries errorMessage and error {message, source, code, status, type, apiCode, param, requestId}', async function () {
      flow = await loadFlow(sim);
      sim.inject({ kind: 'status', status: 400, message: 'Invalid image', code: 'invalid_image', param: 'image', type: 'invalid_request_error' });
      const outcome = await flow.run({ image: png, topic: 'kept' });
      should(outcome.failed).have.length(1);
      const msg = outcome.failed[0];
      should(msg.topic).equal('kept');
      should(msg.errorMessage).equal('OpenAI API error 400: Invalid image');
      should(errorOf(msg)).match({
        message: 'OpenAI API error 400: Invalid image',
        source: { id: 'variation0', type: 'create-image-variation', name: 'variation0' },
        code: 'BAD_REQUEST',
        status: 400,
        type: 'invalid_request_error',
        apiCode: 'invalid_image',
        param: 'image',
        requestId: apiRequests(sim)[0].id,
      });
    });

    const cases: [string, Fault, string][] = [
      ['401', { kind: 'status', status: 401 }, 'AUTH_FAILED'],
      ['403', { kind: 'status', status: 403 }, 'AUTH_FAILED'],
      ['404 model_not_found', { kind: 'status', status: 404, code: 'model_not_found' }, 'MODEL_RETIRED'],
      ['another 404', { kind: 'status', status: 404 }, 'NOT_FOUND'],
      ['429', { kind: 'status', status: 429 }, 'RATE_LIMITED'],
      ['422', { kind: 'status', status: 422 }, 'BAD_REQUEST'],
      ['500', { kind: 'status', status: 500 }, 'SERVER_ERROR'],
      ['503', { kind: 'status', status: 503 }, 'SERVER_ERROR'],
      ['a connection reset', { kind: 'reset' }, 'CONNECTION'],
      ['a body that is not JSON', { kind: 'malformed-json' }, 'BAD_RESPONSE'],
      ['a response without images', { kind: 'empty-data' }, 'BAD_RESPONSE'],
    ];
    for (const [name, fault, code] of cases) {
      it(`maps ${name} to ${code}`, async function () {
        flow = await loadFlow(sim);
        sim.inject(fault);
        const outcome = await flow.run({ image: png });
        should(outcome.success).have.length(0);
        should(outcome.failed).have.length(1);
        should(errorOf(outcome.failed[0]).code).equal(code);
      });
    }

    it('maps no answer within the timeout to TIMEOUT', async function () {
      flow = await loadFlow(sim, { api: { timeout: '0.3' } });
      sim.inject({ kind: 'hang' });
      const outcome = await flow.run({ image: png });
      should(errorOf(outcome.failed[0]).code).equal('TIMEOUT');
      should(outcome.failed[0].errorMessage).match(/within 0\.3 s/);
    });

    it('when output 2 is wired, only output 2 gets the error (no Catch, done without error)', async function () {
      flow = await loadFlow(sim, { wireFailed: true });
      sim.inject({ kind: 'status', status: 500 });
      const outcome = await flow.run({ image: png });
      should(outcome.failed).have.length(1);
      should(outcome.caught).have.length(0);
      should(outcome.completions).have.length(1);
      should(outcome.completions[0].error).be.undefined();
    });

    it('when output 2 is not wired, Catch nodes get the error with its code through done(err)', async function () {
      flow = await loadFlow(sim, { wireFailed: false });
      sim.inject({ kind: 'status', status: 500 });
      const id = flow.inject({ image: png });
      await flow.until(() => flow!.caught.some((msg) => msg._msgid === id));
      const outcome = flow.collect(id);
      should(outcome.completions).have.length(1);
      should(outcome.completions[0].error).be.an.Error();
      should(outcome.caught).have.length(1);
      const caught = outcome.caught[0];
      should(errorOf(caught).code).equal('SERVER_ERROR');
      should(errorOf(caught).message).match(/^OpenAI API error 500/);
      should(caught.errorMessage).equal(errorOf(caught).message);
      should((caught._error as Record<string, unknown>).status).equal(500);
    });
  });
});
