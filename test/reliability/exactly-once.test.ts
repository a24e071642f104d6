/**
 * Issue 6, exactly once (SPEC 7): a burst of messages into three nodes that share one config
 * node, against a seeded mix of faults. Every input ends in one outcome and one done(), the
 * shared queue caps the requests the server sees, and a full queue fails at once without a
 * request. Each message carries its id in `msg.user`, which the edit request sends as
 * `safety_identifier`, so the simulator's record tells which message each request served.
 */
import should from 'should';
import { startSimulator, type RecordedRequest, type Simulator } from '../../tools/simulator';
import { createFixtures, type Fixtures } from '../support/fixtures';
import { loadFlow, type Msg, type TestFlow } from '../support/flow';
import { SMALL_EDIT, apiRequests, errorOf, smallPng, watchUnhandledRejections } from './support';

const MESSAGES = 500;
const NODES = 3;
const MAX_CONCURRENT = 3;
const QUEUE_LIMIT = 12;
const MAX_RETRIES = 1;
/** Messages sent at once; the next burst goes when at most `OUTSTANDING` are unfinished. */
const BURST = 12;
const OUTSTANDING = 8;

/** The code a failed message must carry, from what the simulator did to its last request. */
function expectedCode(request: RecordedRequest): string {
  if (request.fault === 'reset') return 'CONNECTION';
  if (request.fault === 'malformed-json' || request.fault === 'truncated') return 'BAD_RESPONSE';
  switch (request.status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'AUTH_FAILED';
    case 404:
      return 'MODEL_RETIRED';
    case 429:
      return 'RATE_LIMITED';
    case 500:
    case 503:
      return 'SERVER_ERROR';
    default:
      return `no failure expected (status ${request.status}, fault ${request.fault})`;
  }
}

/** A seeded PRNG, so the run is the same every time. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('Reliability: exactly one outcome per message under load and faults (SPEC 7)', function () {
  let sim: Simulator;
  let fixtures: Fixtures;
  let flow: TestFlow | undefined;

  before(async function () {
    sim = await startSimulator();
    fixtures = await createFixtures();
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

  it(`${MESSAGES} messages into ${NODES} nodes sharing maxConcurrent ${MAX_CONCURRENT} / queueLimit ${QUEUE_LIMIT}: one outcome and one done() each, nothing lost or duplicated`, async function () {
    this.timeout(90_000);
    const rejections = watchUnhandledRejections();
    const images = await Promise.all([1, 2, 3].map((seed) => smallPng(seed)));
    const path = await fixtures.file('burst.png', await smallPng(4));
    flow = await loadFlow(sim, {
      nodeCount: NODES,
      node: SMALL_EDIT,
      api: { maxConcurrent: String(MAX_CONCURRENT), queueLimit: String(QUEUE_LIMIT), maxRetries: String(MAX_RETRIES) },
    });
    sim.setFaultMix({
      seed: 6,
      latencyMs: 20,
      weights: { ok: 10, '400': 1, '401': 1, '404': 1, '429': 2, '500': 1, '503': 1, reset: 1, 'malformed-json': 1, truncated: 1, latency: 2 },
    });

    const random = seeded(42);
    const sent = new Map<string, number>();
    const invalid = new Set<string>();
    const testFlow = flow;
    for (let index = 0; index < MESSAGES; index++) {
      if (index % BURST === 0) {
        await testFlow.until(() => sent.size - testFlow.completions.length <= OUTSTANDING, 30_000);
      }
      const id = `burst-${String(index).padStart(3, '0')}`;
      const msg: Msg = { _msgid: id, user: id, topic: 'burst' };
      // Most messages carry their bytes, some a path read when the request starts, a few break a rule.
      const roll = random();
      if (roll < 0.04) {
        msg.image = images[0];
        msg.n = 0;
        invalid.add(id);
      } else if (roll < 0.3) {
        msg.imagePath = path;
      } else {
        msg.image = images[index % images.length];
      }
      const node = Math.floor(random() * NODES);
      sent.set(id, node);
      testFlow.inject(msg, node);
    }
    await testFlow.until(() => testFlow.completions.length >= MESSAGES, 60_000);
    await testFlow.until(() => testFlow.success.length + testFlow.failed.length >= MESSAGES, 10_000);
    rejections.stop();

    // One done() per input, from the node it was sent to.
    const completions = new Map<string, string[]>();
    for (const event of testFlow.completions) {
      const id = event.msg._msgid as string;
      completions.set(id, [...(completions.get(id) ?? []), event.nodeId]);
    }
    should([...completions.keys()].sort()).eql([...sent.keys()].sort());
    for (const [id, node] of sent) should(completions.get(id)).eql([`variation${node}`]);

    // One outcome per input: one success message or one failed message, never both, never two.
    should(testFlow.success.length + testFlow.failed.length).equal(MESSAGES);
    const outcomes = new Map<string, Msg>();
    for (const msg of [...testFlow.success, ...testFlow.failed]) {
      const id = msg._msgid as string;
      should(outcomes.has(id)).be.false();
      should(sent.has(id)).be.true();
      outcomes.set(id, msg);
    }
    should(outcomes.size).equal(MESSAGES);

    // Which requests served which message.
    const requests = apiRequests(sim);
    const byMessage = new Map<string, RecordedRequest[]>();
    for (const request of requests) {
      const id = request.fields.safety_identifier;
      should(sent.has(id)).be.true();
      byMessage.set(id, [...(byMessage.get(id) ?? []), request]);
    }

    const codes = new Map<string, number>();
    for (const msg of testFlow.failed) {
      const id = msg._msgid as string;
      const code = errorOf(msg).code as string;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      const served = byMessage.get(id) ?? [];
      if (invalid.has(id)) {
        should(code).equal('INVALID_INPUT');
      }
      if (code === 'QUEUE_FULL' || code === 'INVALID_INPUT') {
        // Failed fast: no request was ever made for it.
        should(served).have.length(0);
        continue;
      }
      should(served.length).be.within(1, MAX_RETRIES + 1);
      const last = served[served.length - 1];
      should(code).equal(expectedCode(last));
      if (last.status !== undefined) should(errorOf(msg).requestId).equal(last.id);
    }
    for (const msg of testFlow.success) {
      const served = byMessage.get(msg._msgid as string) ?? [];
      should(served.length).be.within(1, MAX_RETRIES + 1);
      should(served[served.length - 1].status).equal(200);
      should(Buffer.isBuffer(msg.payload)).be.true();
    }

    // The shared queue capped what the server saw, and the run met every kind of outcome.
    should(sim.maxInFlight).be.belowOrEqual(MAX_CONCURRENT);
    should(sim.inFlight).equal(0);
    should(testFlow.success.length).be.above(0);
    should(codes.get('QUEUE_FULL') ?? 0).be.above(0);
    should(codes.get('INVALID_INPUT')).equal(invalid.size);
    // (A run sees about 20 of each of these; a failure after a retry, such as CONNECTION, is rarer.)
    for (const code of ['BAD_REQUEST', 'AUTH_FAILED', 'MODEL_RETIRED', 'BAD_RESPONSE']) {
      should(codes.get(code) ?? 0).be.above(0, `no ${code} in the run: ${JSON.stringify([...codes])}`);
    }
    should(rejections.reasons).be.empty();
  });
});
