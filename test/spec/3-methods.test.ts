/** SPEC 3: `edit` (default) posts to /images/edits with a GPT Image model; `variations` is the legacy endpoint. */
import should from 'should';
import { startSimulator, makeTestImage, makeTestPng, type Simulator } from '../../tools/simulator';
import { loadFlow, type TestFlow, apiRequests } from '../support/flow';


describe('SPEC 3: methods', function () {
  let sim: Simulator;
  let flow: TestFlow | undefined;
  let square: Buffer;

  before(async function () {
    sim = await startSimulator();
    square = await makeTestPng(256, 256);
  });
  after(() => sim.close());
  afterEach(async function () {
    await flow?.unload();
    flow = undefined;
    sim.reset();
    sim.setRetiredModels(true);
  });

  describe('edit (the default)', function () {
    it('posts to /images/edits with gpt-image-2 and a variation prompt when nothing is set', async function () {
      flow = await loadFlow(sim);
      const outcome = await flow.run({ image: square });
      should(outcome.success).have.length(1);
      const [request] = apiRequests(sim);
      should(request.path).equal('/v1/images/edits');
      should(request.fields.model).equal('gpt-image-2');
      should(request.fields.prompt).match(/variation/i).and.match(/style/).and.match(/subject/).and.match(/composition/);
    });

    it('never sends response_format to the edits endpoint, whatever the response format', async function () {
      flow = await loadFlow(sim, { node: { responseFormat: 'b64_json' } });
      await flow.run({ image: square });
      await flow.run({ image: square, responseFormat: 'url' });
      const requests = apiRequests(sim);
      should(requests).have.length(2);
      for (const request of requests) should(request.fields).not.have.property('response_format');
    });

    it('sends the prompt the user wrote instead of the default one', async function () {
      flow = await loadFlow(sim, { node: { prompt: 'Same scene at night' } });
      await flow.run({ image: square });
      should(apiRequests(sim)[0].fields.prompt).equal('Same scene at night');
    });

    for (const format of ['jpeg', 'webp'] as const) {
      it(`accepts a ${format.toUpperCase()} image and uploads it with its own type`, async function () {
        flow = await loadFlow(sim);
        const outcome = await flow.run({ image: await makeTestImage(format, 320, 200) });
        should(outcome.success).have.length(1);
        should(apiRequests(sim)[0].files[0].detectedType).equal(format);
        should(apiRequests(sim)[0].files[0].contentType).equal(`image/${format}`);
      });
    }

    it('uses the model the user chose', async function () {
      flow = await loadFlow(sim, { node: { model: 'gpt-image-2.5-flare' } });
      await flow.run({ image: square });
      should(apiRequests(sim)[0].fields.model).equal('gpt-image-2.5-flare');
    });

    it('reports a retired edit model as MODEL_RETIRED and suggests a current one', async function () {
      flow = await loadFlow(sim, { node: { model: 'gpt-image-1' } });
      const outcome = await flow.run({ image: square });
      const failed = outcome.failed[0];
      should((failed.error as { code: string }).code).equal('MODEL_RETIRED');
      should(failed.errorMessage).match(/^OpenAI API error 404: /).and.match(/gpt-image-2/);
    });
  });

  describe('variations (legacy)', function () {
    it('posts to /images/variations with response_format and without a model when none is set', async function () {
      sim.setRetiredModels(false);
      flow = await loadFlow(sim, { node: { method: 'variations' } });
      const outcome = await flow.run({ image: square });
      should(outcome.success).have.length(1);
      const [request] = apiRequests(sim);
      should(request.path).equal('/v1/images/variations');
      should(request.fields.response_format).equal('url');
      should(request.fields).not.have.property('model');
      should(request.fields).not.have.property('prompt');
    });

    it('sends the model only when one is set', async function () {
      sim.setRetiredModels(false);
      flow = await loadFlow(sim, { node: { method: 'variations', model: 'dall-e-2' } });
      await flow.run({ image: square });
      should(apiRequests(sim)[0].fields.model).equal('dall-e-2');
    });

    it('tells the user to switch the Method to edit when the API says DALL-E 2 is retired', async function () {
      flow = await loadFlow(sim, { node: { method: 'variations' } });
      const outcome = await flow.run({ image: square });
      should(outcome.failed).have.length(1);
      const failed = outcome.failed[0];
      should((failed.error as { code: string }).code).equal('MODEL_RETIRED');
      should((failed.error as { apiCode: string }).apiCode).equal('model_not_found');
      should(failed.errorMessage).match(/Method to edit/);
    });
  });
});
