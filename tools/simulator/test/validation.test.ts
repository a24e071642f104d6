import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { makeTestImage, makeTestPng, startSimulator, type Simulator } from '../index';
import { client, KEY, post, upload, type PostResult } from './support';

const MB = 1024 * 1024;

function assertApiError(result: PostResult, status: number, param: string | null, code: string | null): void {
  assert.equal(result.status, status, JSON.stringify(result.json));
  assert.equal(result.json.error?.type, 'invalid_request_error');
  assert.equal(result.json.error?.param, param);
  assert.equal(result.json.error?.code, code);
  assert.ok(result.headers.get('x-request-id')?.startsWith('req_sim_'));
}

describe('simulator: authentication', () => {
  let sim: Simulator;
  let png: Buffer;
  before(async () => {
    png = await makeTestPng(64, 64);
  });
  afterEach(() => sim.close());

  it('answers 401 invalid_api_key when the Authorization header is missing', async () => {
    sim = await startSimulator();
    const result = await post(sim, 'edits', { prompt: 'p', model: 'gpt-image-2' }, [{ data: png }], { key: null });
    assertApiError(result, 401, null, 'invalid_api_key');
    assert.match(result.json.error?.message ?? '', /didn't provide an API key/);
    assert.equal(sim.requests[0].authorized, false);
  });

  it('answers 401 with a masked key, never the whole wrong key', async () => {
    sim = await startSimulator();
    const wrong = 'sk-wrong-secret-abcdef123456';
    const err = await client(sim, { apiKey: wrong })
      .images.edit({ image: await upload(png), prompt: 'p', model: 'gpt-image-2' })
      .then(() => assert.fail('expected a 401'), (e: unknown) => e);
    assert.ok(err instanceof OpenAI.AuthenticationError);
    assert.equal(err.code, 'invalid_api_key');
    assert.match(err.message, /Incorrect API key provided: sk-\*+3456/);
    assert.ok(!err.message.includes(wrong));
  });

  it('accepts any key, or none, when apiKey is null', async () => {
    sim = await startSimulator({ apiKey: null });
    assert.equal((await post(sim, 'edits', { prompt: 'p', model: 'gpt-image-2' }, [{ data: png }], { key: null })).status, 200);
    assert.equal((await post(sim, 'edits', { prompt: 'p', model: 'gpt-image-2' }, [{ data: png }], { key: 'sk-x' })).status, 200);
  });
});

describe('simulator: model retirement', () => {
  let sim: Simulator;
  let png: Buffer;
  before(async () => {
    png = await makeTestPng(64, 64);
    sim = await startSimulator();
  });
  beforeEach(() => sim.setRetiredModels(true));
  after(() => sim.close());

  it('answers 404 model_not_found for variations without a model (dall-e-2) by default', async () => {
    const err = await client(sim)
      .images.createVariation({ image: await upload(png) })
      .then(() => assert.fail('expected a 404'), (e: unknown) => e);
    assert.ok(err instanceof OpenAI.NotFoundError);
    assert.equal(err.code, 'model_not_found');
    assert.equal(err.type, 'invalid_request_error');
    assert.match(err.message, /`dall-e-2` has been deprecated/);
  });

  for (const model of ['dall-e-2', 'dall-e-3']) {
    it(`answers 404 model_not_found for variations with ${model}`, async () => {
      assertApiError(await post(sim, 'variations', { model }, [{ data: png }]), 404, null, 'model_not_found');
    });
  }

  it('refuses other models on variations with 400 param model while it plays api.openai.com', async () => {
    assertApiError(await post(sim, 'variations', { model: 'gpt-image-2' }, [{ data: png }]), 400, 'model', 'invalid_value');
  });

  for (const model of ['gpt-image-1', 'dall-e-2', 'dall-e-3']) {
    it(`answers 404 model_not_found for edits with ${model}`, async () => {
      assertApiError(await post(sim, 'edits', { model, prompt: 'p' }, [{ data: png }]), 404, null, 'model_not_found');
    });
  }

  it('serves variations with dall-e-2, any model id and no model when it plays a gateway', async () => {
    sim.setRetiredModels(false);
    for (const fields of [{ model: 'dall-e-2' }, { model: 'my-gateway-model' }, {}] as Record<string, string>[]) {
      const result = await post(sim, 'variations', { ...fields, size: '256x256', response_format: 'b64_json' }, [{ data: png }]);
      assert.equal(result.status, 200, JSON.stringify(result.json));
    }
  });

  it('serves gpt-image-1 edits when it plays a gateway', async () => {
    sim.setRetiredModels(false);
    const result = await post(sim, 'edits', { model: 'gpt-image-1', prompt: 'p', size: '1024x1024' }, [{ data: png }]);
    assert.equal(result.status, 200, JSON.stringify(result.json));
  });
});

describe('simulator: variations validation', () => {
  let sim: Simulator;
  let png: Buffer;
  before(async () => {
    png = await makeTestPng(64, 64);
    sim = await startSimulator({ retiredModels: false });
  });
  after(() => sim.close());

  it('refuses a request without an image', async () => {
    assertApiError(await post(sim, 'variations', { n: '1' }), 400, 'image', 'missing_required_parameter');
  });

  it('refuses a JPEG (judged by its bytes, not its name)', async () => {
    const jpeg = await makeTestImage('jpeg', 64, 64);
    const result = await post(sim, 'variations', {}, [{ data: jpeg, name: 'photo.png', type: 'image/png' }]);
    assertApiError(result, 400, 'image', 'invalid_image_format');
    assert.equal(sim.requests.at(-1)?.files[0].detectedType, 'jpeg');
  });

  it('refuses an image that is not square', async () => {
    const result = await post(sim, 'variations', {}, [{ data: await makeTestPng(96, 64) }]);
    assertApiError(result, 400, 'image', 'invalid_image_dimensions');
    assert.match(result.json.error?.message ?? '', /96x64/);
  });

  it('refuses an image of 4 MB or more', async () => {
    const big = Buffer.concat([png, Buffer.alloc(4 * MB - png.length)]);
    assertApiError(await post(sim, 'variations', {}, [{ data: big }]), 400, 'image', 'image_too_large');
  });

  it('accepts an image just under 4 MB', async () => {
    const almost = Buffer.concat([png, Buffer.alloc(4 * MB - 1 - png.length)]);
    const result = await post(sim, 'variations', { size: '256x256', response_format: 'b64_json' }, [{ data: almost }]);
    assert.equal(result.status, 200, JSON.stringify(result.json));
  });

  for (const [n, code] of [
    ['0', 'integer_below_min_value'],
    ['11', 'integer_above_max_value'],
    ['2.5', 'invalid_type'],
    ['two', 'invalid_type'],
  ]) {
    it(`refuses n = ${n}`, async () => {
      assertApiError(await post(sim, 'variations', { n }, [{ data: png }]), 400, 'n', code);
    });
  }

  for (const size of ['1536x1024', '300x300', 'auto']) {
    it(`refuses size ${size}`, async () => {
      assertApiError(await post(sim, 'variations', { size }, [{ data: png }]), 400, 'size', 'invalid_value');
    });
  }

  it('refuses response_format other than url or b64_json', async () => {
    assertApiError(await post(sim, 'variations', { response_format: 'json' }, [{ data: png }]), 400, 'response_format', 'invalid_value');
  });

  it('refuses a body that is not multipart/form-data', async () => {
    const response = await fetch(`${sim.baseURL}/images/variations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"n": 1}',
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /multipart\/form-data/);
  });
});

describe('simulator: edits validation', () => {
  let sim: Simulator;
  let png: Buffer;
  const base = { model: 'gpt-image-2', prompt: 'a variation' };
  before(async () => {
    png = await makeTestPng(64, 64);
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('refuses a request without a prompt', async () => {
    assertApiError(await post(sim, 'edits', { model: 'gpt-image-2' }, [{ data: png }]), 400, 'prompt', 'missing_required_parameter');
  });

  it('refuses a request without a model', async () => {
    assertApiError(await post(sim, 'edits', { prompt: 'p' }, [{ data: png }]), 400, 'model', 'missing_required_parameter');
  });

  it('refuses a request without an image', async () => {
    assertApiError(await post(sim, 'edits', base), 400, 'image', 'missing_required_parameter');
  });

  it('refuses a prompt longer than 32000 characters', async () => {
    assertApiError(await post(sim, 'edits', { ...base, prompt: 'x'.repeat(32001) }, [{ data: png }]), 400, 'prompt', 'string_above_max_length');
  });

  it('accepts 16 images sent as image[] and refuses 17', async () => {
    const files = (count: number) => Array.from({ length: count }, () => ({ data: png, field: 'image[]' }));
    const ok = await post(sim, 'edits', { ...base, size: '1024x1024' }, files(16));
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assertApiError(await post(sim, 'edits', base, files(17)), 400, 'image', 'too_many_images');
  });

  it('refuses a GIF and an unknown file', async () => {
    assertApiError(await post(sim, 'edits', base, [{ data: await makeTestImage('gif', 64, 64) }]), 400, 'image', 'invalid_image_format');
    assertApiError(await post(sim, 'edits', base, [{ data: Buffer.from('not an image') }]), 400, 'image', 'invalid_image_format');
  });

  it('refuses an image of 50 MB or more', async () => {
    const big = Buffer.concat([png, Buffer.alloc(50 * MB - png.length)]);
    assertApiError(await post(sim, 'edits', base, [{ data: big }]), 400, 'image', 'image_too_large');
  });

  it('refuses response_format with a GPT Image model', async () => {
    const result = await post(sim, 'edits', { ...base, response_format: 'b64_json' }, [{ data: png }]);
    assertApiError(result, 400, 'response_format', 'unknown_parameter');
  });

  it('refuses n = 11', async () => {
    assertApiError(await post(sim, 'edits', { ...base, n: '11' }, [{ data: png }]), 400, 'n', 'integer_above_max_value');
  });

  for (const size of ['1000x1000', '1000x1024', '1024x1000', '4096x1024', '496x1536', '3840x2176', 'big']) {
    it(`refuses size ${size}`, async () => {
      assertApiError(await post(sim, 'edits', { ...base, size }, [{ data: png }]), 400, 'size', 'invalid_value');
    });
  }

  it('refuses a custom WxH size for the older gpt-image-1.5 family', async () => {
    assertApiError(await post(sim, 'edits', { ...base, model: 'gpt-image-1.5', size: '512x512' }, [{ data: png }]), 400, 'size', 'invalid_value');
  });

  it('accepts JPEG and WebP images and custom sizes divisible by 16 within 1:3..3:1', async () => {
    for (const [format, size] of [
      ['jpeg', '512x1536'],
      ['webp', '320x160'],
    ] as const) {
      const result = await post(sim, 'edits', { ...base, size }, [{ data: await makeTestImage(format, 64, 64), type: `image/${format}` }]);
      assert.equal(result.status, 200, `${format}: ${JSON.stringify(result.json)}`);
      assert.equal(result.json.size, size);
    }
  });

  it('answers 404 with an OpenAI-shaped error on unknown routes', async () => {
    const response = await fetch(`${sim.baseURL}/images/generations`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(response.status, 404);
    assert.ok(response.headers.get('x-request-id')?.startsWith('req_sim_'));
    assert.equal(((await response.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    assert.equal(sim.requests.at(-1)?.path, '/v1/images/generations');
  });
});
