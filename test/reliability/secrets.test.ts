/**
 * Issue 6, secrets (SPEC 2): the API key, from the credential or from OPENAI_API_KEY, never
 * appears in a message (success, failed or caught), a status, a log line, an error, the flow
 * the runtime holds, or the simulator's record beyond the Authorization header it arrived in,
 * not even when the API echoes it back in an error.
 */
import { randomBytes } from 'node:crypto';
import should from 'should';
import { startSimulator, type Fault, type Simulator } from '../../tools/simulator';
import { loadFlow, type Msg, type TestFlow } from '../support/flow';
import { helper } from '../support/runtime';
import { SMALL_EDIT, apiRequests, errorOf, smallPng, textOf, watchUnhandledRejections } from './support';

const KEY = `sk-secret-${randomBytes(16).toString('hex')}`;

interface Spy {
  args: unknown[][];
}

/** The runtime internals node-red-node-test-helper exposes: spies on Node.prototype and the flows. */
const runtime = helper as unknown as {
  _NodePrototype: { status: Spy; warn: Spy; error: Spy; log: Spy };
  _redNodes: {
    getFlows(): unknown;
    getCredentialDefinition(type: string): Record<string, { type: string }>;
  };
};

describe('Reliability: the API key never leaks (SPEC 2)', function () {
  let sim: Simulator;
  let image: Buffer;
  let flow: TestFlow | undefined;
  let savedEnv: string | undefined;

  before(async function () {
    sim = await startSimulator({ apiKey: KEY });
    image = await smallPng();
    savedEnv = process.env.OPENAI_API_KEY;
  });
  after(async function () {
    await sim.close();
    if (savedEnv === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = savedEnv;
  });
  afterEach(async function () {
    await flow?.unload();
    flow = undefined;
    sim.reset();
    delete process.env.OPENAI_API_KEY;
  });

  /** Answers that carry text back from the API, the key echoed in several of them. */
  const echoes: Array<{ name: string; fault: Fault; code: string }> = [
    {
      name: '401 echoing the key in its message',
      fault: { kind: 'status', status: 401, message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.` },
      code: 'AUTH_FAILED',
    },
    {
      name: '400 echoing the key in message, param, type and code',
      fault: { kind: 'status', status: 400, body: { error: { message: `Bad header Authorization: Bearer ${KEY}`, type: `echo ${KEY}`, param: `Authorization=${KEY}`, code: `code_${KEY}` } } },
      code: 'BAD_REQUEST',
    },
    { name: '429', fault: { kind: 'status', status: 429 }, code: 'RATE_LIMITED' },
    { name: '500', fault: { kind: 'status', status: 500 }, code: 'SERVER_ERROR' },
    { name: 'a connection reset', fault: { kind: 'reset' }, code: 'CONNECTION' },
    { name: 'malformed JSON', fault: { kind: 'malformed-json' }, code: 'BAD_RESPONSE' },
  ];

  for (const source of ['the credential', 'OPENAI_API_KEY'] as const) {
    for (const wireFailed of [true, false]) {
      const route = wireFailed ? 'output 2 wired' : 'output 2 unwired (Catch node)';
      it(`key from ${source}, ${route}: not in messages, statuses, logs, errors, the flow or the simulator's record`, async function () {
        const rejections = watchUnhandledRejections();
        if (source === 'OPENAI_API_KEY') process.env.OPENAI_API_KEY = KEY;
        flow = await loadFlow(sim, {
          node: SMALL_EDIT,
          api: { maxRetries: '0' },
          apiKey: source === 'the credential' ? KEY : null,
          wireFailed,
        });
        const testFlow = flow;

        // Successes, with bytes and with a data: URL, and a refusal before any request.
        const ok = await testFlow.run({ image, responseFormat: 'b64_json' });
        should(ok.success).have.length(1);
        should(apiRequests(sim)[0].authorized).be.true();
        should((await testFlow.run({ image, responseFormat: 'url' })).success).have.length(1);
        const refused = await testFlow.run({ image, n: 11 });
        should(refused.completions).have.length(1);

        for (const { name, fault, code } of echoes) {
          sim.inject(fault);
          const outcome = await testFlow.run({ image, topic: name });
          const failures = wireFailed ? outcome.failed : outcome.caught;
          should(failures).have.length(1);
          const failed = failures[0];
          should(errorOf(failed).code).equal(code);
          should(textOf(failed)).not.containEql(KEY);
          if (fault.kind === 'status' && fault.status === 401) {
            should(failed.errorMessage ?? errorOf(failed).message).match(/^OpenAI API error 401: Incorrect API key provided: \[redacted\]\. /);
          }
          if (!wireFailed) {
            const error = outcome.completions[0].error as Error;
            should(error.message).not.containEql(KEY);
            should(String(error.stack ?? '')).not.containEql(KEY);
          }
        }

        const messages: Msg[] = [...testFlow.success, ...testFlow.failed, ...testFlow.caught];
        should(messages.length).be.aboveOrEqual(2 + 1 + echoes.length);
        for (const msg of messages) should(textOf(msg)).not.containEql(KEY);
        for (const event of testFlow.completions) should(textOf({ msg: event.msg, error: event.error?.message })).not.containEql(KEY);

        // Statuses and log lines (warn/error/log of every node go through the runtime's log).
        const statuses = runtime._NodePrototype.status.args;
        should(statuses.length).be.above(0);
        should(textOf(statuses)).not.containEql(KEY);
        for (const spy of [runtime._NodePrototype.warn, runtime._NodePrototype.error, runtime._NodePrototype.log]) {
          should(textOf(spy.args)).not.containEql(KEY);
        }
        const logLines = helper.log().args;
        should(logLines.length).be.above(0);
        should(textOf(logLines)).not.containEql(KEY);

        // The flow as the runtime holds (and would export) it: the key lives only in the credential store.
        const flows = runtime._redNodes.getFlows();
        should(textOf(flows)).not.containEql(KEY);
        const config = (flows as { flows: Msg[] }).flows.find((node) => node.id === 'api') as Msg;
        should(config).not.have.property('apiKey');
        should(config).not.have.property('credentials');
        // A password credential reaches the editor only as has_apiKey.
        should(runtime._redNodes.getCredentialDefinition('openai-image-api')).eql({ apiKey: { type: 'password' } });

        // The simulator saw the key (it authorised every request) but kept only a redacted header.
        const record = textOf(sim.requests);
        should(record).not.containEql(KEY);
        should(apiRequests(sim).every((request) => request.headers.authorization === 'Bearer [redacted]')).be.true();

        rejections.stop();
        should(rejections.reasons).be.empty();
      });
    }
  }
});
