/** SPEC 4: each input from the form, overridden by the message; image precedence; base folder. */
import should from 'should';
import { startSimulator, makeTestPng, type Simulator } from '../../tools/simulator';
import { createFixtures, type Fixtures } from '../support/fixtures';
import { loadFlow, type TestFlow, apiRequests } from '../support/flow';
import { helper } from '../support/runtime';


describe('SPEC 4: inputs', function () {
  let sim: Simulator;
  let fixtures: Fixtures;
  let flow: TestFlow | undefined;

  before(async function () {
    sim = await startSimulator({ retiredModels: false });
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

  /** The width of the uploaded image tells which source the node used. */
  const uploadedWidth = () => apiRequests(sim)[0].files[0].width;

  it('takes every input from the form when the message has none', async function () {
    const path = await fixtures.png('form.png', 512, 512);
    flow = await loadFlow(sim, {
      node: { method: 'variations', imagePath: path, count: '2', size: '256x256', responseFormat: 'b64_json', user: 'form-user', model: 'dall-e-2' },
    });
    const outcome = await flow.run({});
    should(outcome.success).have.length(2);
    should(apiRequests(sim)[0].fields).match({ n: '2', size: '256x256', response_format: 'b64_json', user: 'form-user', model: 'dall-e-2' });
  });

  it('lets every message property override the form', async function () {
    const path = await fixtures.png('override.png', 256, 256);
    flow = await loadFlow(sim, {
      node: { method: 'variations', count: '1', size: '256x256', responseFormat: 'url', user: 'form-user', model: 'dall-e-2' },
    });
    const outcome = await flow.run({
      imagePath: path,
      method: 'edit',
      n: 3,
      size: '1024x1536',
      responseFormat: 'b64_json',
      user: 'msg-user',
      model: 'gpt-image-2.6-flare',
      prompt: 'from the message',
    });
    should(outcome.success).have.length(3);
    const [request] = apiRequests(sim);
    should(request.path).equal('/v1/images/edits');
    should(request.fields).match({ n: '3', size: '1024x1536', safety_identifier: 'msg-user', model: 'gpt-image-2.6-flare', prompt: 'from the message' });
    should(outcome.success[0]).have.property('imageB64');
  });

  it('accepts a numeric string for n', async function () {
    flow = await loadFlow(sim);
    const outcome = await flow.run({ image: await makeTestPng(64, 64), n: '3' });
    should(outcome.success).have.length(3);
    should(apiRequests(sim)[0].fields.n).equal('3');
  });

  it('sends User as user to variations and as safety_identifier to edit', async function () {
    flow = await loadFlow(sim, { node: { user: 'someone' } });
    await flow.run({ image: await makeTestPng(64, 64), method: 'variations' });
    await flow.run({ image: await makeTestPng(64, 64), method: 'edit' });
    const [variations, edit] = apiRequests(sim);
    should(variations.fields.user).equal('someone');
    should(variations.fields).not.have.property('safety_identifier');
    should(edit.fields.safety_identifier).equal('someone');
    should(edit.fields).not.have.property('user');
  });

  describe('image source precedence: msg.image > msg.imagePath > msg.payload (Buffer) > form path', function () {
    let formPath: string;
    let msgPath: string;
    before(async function () {
      formPath = await fixtures.png('p-form.png', 80, 80);
      msgPath = await fixtures.png('p-msg.png', 96, 96);
    });

    it('uses msg.image over everything else', async function () {
      flow = await loadFlow(sim, { node: { imagePath: formPath } });
      await flow.run({ image: await makeTestPng(112, 112), imagePath: msgPath, payload: await makeTestPng(128, 128) });
      should(uploadedWidth()).equal(112);
    });

    it('uses msg.imagePath over a Buffer payload and the form', async function () {
      flow = await loadFlow(sim, { node: { imagePath: formPath } });
      await flow.run({ imagePath: msgPath, payload: await makeTestPng(128, 128) });
      should(uploadedWidth()).equal(96);
    });

    it('uses a Buffer in msg.payload over the form path', async function () {
      flow = await loadFlow(sim, { node: { imagePath: formPath } });
      await flow.run({ payload: await makeTestPng(128, 128) });
      should(uploadedWidth()).equal(128);
    });

    it('uses the form path when the message brings no image', async function () {
      flow = await loadFlow(sim, { node: { imagePath: formPath } });
      await flow.run({ payload: 'a string payload is not an image' });
      should(uploadedWidth()).equal(80);
    });
  });

  it('accepts a base64 string and a data: URL in msg.image', async function () {
    flow = await loadFlow(sim);
    const png = await makeTestPng(64, 64);
    const plain = await flow.run({ image: png.toString('base64') });
    const dataUrl = await flow.run({ image: `data:image/png;base64,${png.toString('base64')}` });
    should(plain.success).have.length(1);
    should(dataUrl.success).have.length(1);
    for (const request of apiRequests(sim)) should(request.files[0].length).equal(png.length);
  });

  it('resolves a relative path against the Base folder', async function () {
    await fixtures.png('relative.png', 72, 72);
    flow = await loadFlow(sim, { node: { baseFolder: fixtures.dir } });
    const outcome = await flow.run({ imagePath: 'relative.png' });
    should(outcome.success).have.length(1);
    should(uploadedWidth()).equal(72);
  });

  it("resolves a relative path against Node-RED's user directory when no Base folder is set", async function () {
    await fixtures.png('in-user-dir.png', 88, 88);
    const previous = helper.settings({});
    helper.settings({ userDir: fixtures.dir });
    try {
      flow = await loadFlow(sim);
      const outcome = await flow.run({ imagePath: 'in-user-dir.png' });
      should(outcome.success).have.length(1);
      should(uploadedWidth()).equal(88);
    } finally {
      helper.settings({ userDir: previous.userDir });
    }
  });

  describe('Size "same as input" for variations', function () {
    for (const [side, expected] of [
      [512, '512x512'],
      [300, '256x256'],
      [384, '512x512'],
      [2000, '1024x1024'],
    ] as const) {
      it(`sends ${expected} for a ${side}x${side} image${side === 384 ? ' (a tie goes up)' : ''}`, async function () {
        flow = await loadFlow(sim, { node: { method: 'variations' } });
        await flow.run({ image: await makeTestPng(side, side) });
        should(apiRequests(sim)[0].fields.size).equal(expected);
      });
    }
  });

  it('sends an edit size WxH whose sides are divisible by 16', async function () {
    flow = await loadFlow(sim);
    const outcome = await flow.run({ image: await makeTestPng(64, 64), size: '1024x1008' });
    should(outcome.success).have.length(1);
    should(apiRequests(sim)[0].fields.size).equal('1024x1008');
  });
});
