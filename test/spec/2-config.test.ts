/** SPEC 2: the config node: credential, environment fallback, connection settings. */
import should from 'should';
import { startSimulator, makeTestPng, type Simulator } from '../../tools/simulator';
import { SIM_KEY, loadFlow, type TestFlow, apiRequests } from '../support/flow';
import { helper } from '../support/runtime';


describe('SPEC 2: the openai-image-api config node', function () {
  let sim: Simulator;
  let flow: TestFlow | undefined;
  let png: Buffer;
  let savedKey: string | undefined;

  before(async function () {
    sim = await startSimulator();
    png = await makeTestPng(64, 64);
    savedKey = process.env.OPENAI_API_KEY;
  });
  after(() => sim.close());
  afterEach(async function () {
    await flow?.unload();
    flow = undefined;
    sim.reset();
    if (savedKey === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = savedKey;
  });

  it('registers the API key as a password credential, so only has_apiKey ever reaches the editor', async function () {
    flow = await loadFlow(sim);
    const definition = (helper as unknown as { _redNodes: { getCredentialDefinition(type: string): unknown } })._redNodes.getCredentialDefinition('openai-image-api');
    should(definition).eql({ apiKey: { type: 'password' } });
  });

  it('sends the credential as the bearer key', async function () {
    flow = await loadFlow(sim);
    const outcome = await flow.run({ image: png });
    should(outcome.success).have.length(1);
    should(apiRequests(sim)[0].authorized).be.true();
  });

  it('falls back to OPENAI_API_KEY when the credential is empty', async function () {
    process.env.OPENAI_API_KEY = SIM_KEY;
    flow = await loadFlow(sim, { apiKey: null });
    const outcome = await flow.run({ image: png });
    should(outcome.success).have.length(1);
    should(apiRequests(sim)[0].authorized).be.true();
  });

  it('prefers the credential over OPENAI_API_KEY', async function () {
    process.env.OPENAI_API_KEY = 'sk-wrong-key-from-env';
    flow = await loadFlow(sim);
    const outcome = await flow.run({ image: png });
    should(outcome.success).have.length(1);
  });

  it('sends organization and project as the usual OpenAI headers', async function () {
    flow = await loadFlow(sim, { api: { organization: 'org-test', project: 'proj_test' } });
    await flow.run({ image: png });
    should(apiRequests(sim)[0].headers).match({ 'openai-organization': 'org-test', 'openai-project': 'proj_test' });
  });

  it('sends neither header when they are empty', async function () {
    flow = await loadFlow(sim);
    await flow.run({ image: png });
    should(apiRequests(sim)[0].headers).not.have.property('openai-organization');
    should(apiRequests(sim)[0].headers).not.have.property('openai-project');
  });

  it('talks to the base URL it is given', async function () {
    const other = await startSimulator();
    try {
      flow = await loadFlow(other);
      const outcome = await flow.run({ image: png });
      should(outcome.success).have.length(1);
      should(apiRequests(other)).have.length(1);
      should(apiRequests(sim)).have.length(0);
    } finally {
      await other.close();
    }
  });

  it('warns about an invalid number and uses the default instead', async function () {
    flow = await loadFlow(sim, { api: { maxConcurrent: 'many' } });
    const warnings = helper.log().args.filter((args: unknown[]) => JSON.stringify(args).includes('maxConcurrent=many'));
    should(warnings.length).be.above(0);
    const outcome = await flow.run({ image: png });
    should(outcome.success).have.length(1);
  });

  it('fails with NO_CONFIG, without a request, when the node has no config node', async function () {
    flow = await loadFlow(sim, { withoutConfig: true });
    const outcome = await flow.run({ image: png });
    should((outcome.failed[0].error as { code: string }).code).equal('NO_CONFIG');
    should(outcome.failed[0].errorMessage).match(/config node/);
    should(apiRequests(sim)).have.length(0);
  });
});
