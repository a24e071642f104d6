/**
 * Issue 6, faults: every fault the simulator can inject ends in one outcome. Where the SDK
 * retries (429, 5xx, connection errors, timeouts) a later success wins; otherwise exactly one
 * failed message carries the node's code, a readable text and the server's x-request-id.
 * Retries never exceed the config node's maxRetries, counted on the simulator.
 */
import should from 'should';
import { startSimulator, type Fault, type Simulator } from '../../tools/simulator';
import { loadFlow, type Msg, type Outcome, type TestFlow } from '../support/flow';
import { SMALL_EDIT, apiRequests, awaitSimulatorEvents, errorOf, smallPng } from './support';

interface Setup {
  maxRetries?: number;
  timeout?: string;
}

describe('Reliability: faults from the API', function () {
  let sim: Simulator;
  let image: Buffer;
  let flow: TestFlow | undefined;

  before(async function () {
    sim = await startSimulator();
    image = await smallPng();
  });
  after(async function () {
    await sim.close();
  });
  afterEach(async function () {
    await flow?.unload();
    flow = undefined;
    sim.reset();
  });

  async function run(setup: Setup, ...faults: Fault[]): Promise<Outcome> {
    flow = await loadFlow(sim, {
      node: SMALL_EDIT,
      api: { maxRetries: String(setup.maxRetries ?? 0), timeout: setup.timeout ?? '10' },
    });
    sim.inject(...faults);
    return flow.run({ image });
  }

  /** Exactly one failed message and one done(); returns the failed message. */
  function oneFailure(outcome: Outcome, code: string): Msg {
    should(outcome.success).have.length(0);
    should(outcome.failed).have.length(1);
    should(outcome.completions).have.length(1);
    const failed = outcome.failed[0];
    should(errorOf(failed).code).equal(code);
    should(failed.errorMessage).be.a.String().and.not.be.empty();
    should(errorOf(failed).message).equal(failed.errorMessage);
    return failed;
  }

  function oneSuccess(outcome: Outcome): void {
    should(outcome.failed).have.length(0);
    should(outcome.success).have.length(1);
    should(outcome.completions).have.length(1);
    should(Buffer.isBuffer(outcome.success[0].payload)).be.true();
  }

  describe('answers the SDK does not retry: one request, one failed message', function () {
    const cases: Array<{ name: string; fault: Fault; code: string; text: RegExp; apiCode?: string }> = [
      {
        name: '400 Bad Request',
        fault: { kind: 'status', status: 400, message: 'Invalid image', param: 'image', code: 'invalid_image' },
        code: 'BAD_REQUEST',
        text: /^OpenAI API error 400: Invalid image$/,
        apiCode: 'invalid_image',
      },
      {
        name: '401 Unauthorized',
        fault: { kind: 'status', status: 401 },
        code: 'AUTH_FAILED',
        text: /^OpenAI API error 401: .*API key/,
        apiCode: 'invalid_api_key',
      },
      {
        name: '403 Forbidden',
        fault: { kind: 'status', status: 403, message: 'Project does not have access' },
        code: 'AUTH_FAILED',
        text: /^OpenAI API error 403: Project does not have access$/,
      },
      {
        name: '404 model_not_found',
        fault: { kind: 'status', status: 404, code: 'model_not_found', message: 'The model gpt-image-2 does not exist.' },
        code: 'MODEL_RETIRED',
        text: /^OpenAI API error 404: The model gpt-image-2 does not exist\. \(the model gpt-image-2 is not available/,
        apiCode: 'model_not_found',
      },
      {
        name: '404 of another kind',
        fault: { kind: 'status', status: 404, message: 'Invalid URL (POST /v1/images/edits)' },
        code: 'NOT_FOUND',
        text: /^OpenAI API error 404: Invalid URL/,
      },
    ];
    for (const { name, fault, code, text, apiCode } of cases) {
      it(`${name} -> ${code} with the API's message and the request id, not retried with maxRetries 2`, async function () {
        const outcome = await run({ maxRetries: 2 }, fault, fault, fault);
        const failed = oneFailure(outcome, code);
        should(failed.errorMessage).match(text);
        const requests = apiRequests(sim);
        should(requests).have.length(1);
        const error = errorOf(failed);
        should(error.status).equal((fault as { status: number }).status);
        should(error.requestId).equal(requests[0].id);
        if (apiCode) should(error.apiCode).equal(apiCode);
        should(error.source).eql({ id: 'variation0', type: 'create-image-variation', name: 'variation0' });
      });
    }
  });

  describe('answers the SDK retries', function () {
    const fast = { 'retry-after-ms': '5' };
    const retried: Array<{ name: string; fault: Fault; code: string; text: RegExp; status?: number }> = [
      {
        name: '429 with retry-after',
        fault: { kind: 'status', status: 429, headers: fast, message: 'Rate limit reached for images' },
        code: 'RATE_LIMITED',
        text: /^OpenAI API error 429: Rate limit reached for images$/,
        status: 429,
      },
      {
        name: '500',
        fault: { kind: 'status', status: 500, headers: fast, message: 'The server had an error' },
        code: 'SERVER_ERROR',
        text: /^OpenAI API error 500: The server had an error$/,
        status: 500,
      },
      {
        name: '503',
        fault: { kind: 'status', status: 503, headers: fast },
        code: 'SERVER_ERROR',
        text: /^OpenAI API error 503: /,
        status: 503,
      },
      {
        name: 'a connection reset',
        fault: { kind: 'reset' },
        code: 'CONNECTION',
        text: /^Could not reach the OpenAI API at http:\/\/127\.0\.0\.1:\d+\/v1: /,
      },
    ];

    for (const { name, fault, code, text, status } of retried) {
      it(`${name} once, then success: one success message after 2 requests (maxRetries 2)`, async function () {
        const outcome = await run({ maxRetries: 2 }, fault);
        oneSuccess(outcome);
        should(apiRequests(sim)).have.length(2);
      });

      it(`${name} every time -> ${code} after exactly maxRetries + 1 requests`, async function () {
        const outcome = await run({ maxRetries: 2 }, fault, fault, fault, fault);
        const failed = oneFailure(outcome, code);
        should(failed.errorMessage).match(text);
        const requests = apiRequests(sim);
        should(requests).have.length(3);
        if (status !== undefined) {
          should(errorOf(failed).status).equal(status);
          should(errorOf(failed).requestId).equal(requests[2].id);
        } else {
          should(errorOf(failed)).not.have.property('requestId');
        }
      });
    }

    it('429 without retry-after and maxRetries 0 -> RATE_LIMITED after one request', async function () {
      const outcome = await run({ maxRetries: 0 }, { kind: 'status', status: 429 });
      const failed = oneFailure(outcome, 'RATE_LIMITED');
      should(failed.errorMessage).match(/^OpenAI API error 429: /);
      should(apiRequests(sim)).have.length(1);
      should(errorOf(failed).requestId).equal(apiRequests(sim)[0].id);
    });

    it('429 without retry-after every time -> RATE_LIMITED after 2 requests with maxRetries 1 (the SDK backs off by itself)', async function () {
      const outcome = await run({ maxRetries: 1 }, { kind: 'status', status: 429 }, { kind: 'status', status: 429 }, { kind: 'status', status: 429 });
      oneFailure(outcome, 'RATE_LIMITED');
      should(apiRequests(sim)).have.length(2);
    });

    for (const maxRetries of [0, 1, 3]) {
      it(`never sends more than maxRetries + 1 requests: maxRetries ${maxRetries} against a server that always answers 500`, async function () {
        const always500: Fault = { kind: 'status', status: 500, headers: fast };
        const outcome = await run({ maxRetries }, ...Array.from({ length: maxRetries + 3 }, () => always500));
        oneFailure(outcome, 'SERVER_ERROR');
        should(apiRequests(sim)).have.length(maxRetries + 1);
      });
    }

    it('honours retry-after: 1: the retry arrives at least a second after the first request', async function () {
      const outcome = await run({ maxRetries: 1 }, { kind: 'status', status: 429, headers: { 'retry-after': '1' } });
      oneSuccess(outcome);
      const [first, retry] = apiRequests(sim);
      should(retry.startedAt - first.startedAt).be.aboveOrEqual(990);
    });
  });

  describe('no answer in time', function () {
    it('a hanging server -> TIMEOUT with a small timeout and maxRetries 0; the request is aborted', async function () {
      const aborted = awaitSimulatorEvents(sim, 'aborted', 1);
      const outcome = await run({ maxRetries: 0, timeout: '0.5' }, { kind: 'hang' });
      const failed = oneFailure(outcome, 'TIMEOUT');
      should(failed.errorMessage).equal('No answer from the OpenAI API within 0.5 s');
      const [request] = await aborted;
      should(request.id).equal(apiRequests(sim)[0].id);
      should(apiRequests(sim)).have.length(1);
    });

    it('a hang, then an answer on the retry: one success after 2 requests (maxRetries 1)', async function () {
      const outcome = await run({ maxRetries: 1, timeout: '0.5' }, { kind: 'hang' });
      oneSuccess(outcome);
      should(apiRequests(sim)).have.length(2);
      should(apiRequests(sim)[0].aborted).be.true();
    });

    it('a slow body that ends within the timeout succeeds', async function () {
      const outcome = await run({ timeout: '10' }, { kind: 'slow-body', intervalMs: 5 });
      oneSuccess(outcome);
      should(apiRequests(sim)[0].fault).equal('slow-body');
    });

    it('a slow body that would end after the timeout -> TIMEOUT, and the connection is closed', async function () {
      const aborted = awaitSimulatorEvents(sim, 'aborted', 1);
      // 20 chunks 200 ms apart: about 4 s of body against a 0.5 s timeout.
      const outcome = await run({ timeout: '0.5' }, { kind: 'slow-body', intervalMs: 200 });
      const failed = oneFailure(outcome, 'TIMEOUT');
      should(failed.errorMessage).equal('No answer from the OpenAI API within 0.5 s');
      should(errorOf(failed).requestId).equal(apiRequests(sim)[0].id);
      const [request] = await aborted;
      should(request.id).equal(apiRequests(sim)[0].id);
    });
  });

  describe('answers that are not usable', function () {
    const unusable: Array<{ name: string; fault: Fault; reason: RegExp }> = [
      { name: 'malformed JSON', fault: { kind: 'malformed-json' }, reason: /not JSON/ },
      { name: 'a truncated body', fault: { kind: 'truncated' }, reason: /ended early/ },
      { name: 'empty data', fault: { kind: 'empty-data' }, reason: /no images/ },
    ];
    for (const { name, fault, reason } of unusable) {
      it(`${name} -> BAD_RESPONSE with the request id, not retried with maxRetries 2`, async function () {
        const outcome = await run({ maxRetries: 2 }, fault, fault, fault);
        const failed = oneFailure(outcome, 'BAD_RESPONSE');
        should(failed.errorMessage).match(/^The OpenAI API answered with no usable images: /).and.match(reason);
        should(apiRequests(sim)).have.length(1);
        should(errorOf(failed).requestId).equal(apiRequests(sim)[0].id);
      });
    }
  });
});
