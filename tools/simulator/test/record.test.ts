import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { makeTestImage, makeTestPng, startSimulator, type Simulator } from '../index';
import { post, upload } from './support';

const SECRET = 'sk-proj-unique-secret-0123456789abcdef';
const WRONG = 'sk-proj-wrong-secret-fedcba9876543210';

describe('simulator: request record', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it('records method, path, fields, files and the request id sent back', async () => {
    sim = await startSimulator({ apiKey: SECRET, retiredModels: false });
    const png = await makeTestPng(128, 128);
    const openai = new OpenAI({ apiKey: SECRET, baseURL: sim.baseURL, maxRetries: 0, organization: 'org-sim', project: 'proj-sim' });
    const response = await openai.images.createVariation({
      image: await upload(png, 'cat.png'),
      n: 2,
      size: '256x256',
      response_format: 'b64_json',
      user: 'user-42',
    });
    const [record] = sim.requests;
    assert.equal(sim.requests.length, 1);
    assert.equal(record.id, response._request_id);
    assert.match(record.id, /^req_sim_\d{6}$/);
    assert.equal(record.method, 'POST');
    assert.equal(record.path, '/v1/images/variations');
    assert.equal(record.authorized, true);
    assert.equal(record.status, 200);
    assert.deepEqual(record.fields, { n: '2', size: '256x256', response_format: 'b64_json', user: 'user-42' });
    assert.deepEqual(record.files, [
      { field: 'image', filename: 'cat.png', contentType: 'image/png', length: png.length, detectedType: 'png', width: 128, height: 128 },
    ]);
    assert.equal(record.headers['openai-organization'], 'org-sim');
    assert.equal(record.headers['openai-project'], 'proj-sim');
    assert.equal(record.headers['x-stainless-retry-count'], '0');
    assert.ok(record.startedAt <= (record.endedAt ?? 0));
    assert.equal(record.aborted, undefined);
  });

  it('records dimensions of JPEG and WebP uploads and the edit fields', async () => {
    sim = await startSimulator({ apiKey: SECRET });
    const jpeg = await makeTestImage('jpeg', 160, 96);
    const webp = await makeTestImage('webp', 80, 48);
    const result = await post(
      sim,
      'edits',
      { model: 'gpt-image-2', prompt: 'vary it', safety_identifier: 'hash-1', size: '1024x1024' },
      [
        { data: jpeg, field: 'image[]', type: 'image/jpeg', name: 'café.jpg' },
        { data: webp, field: 'image[]', type: 'image/webp', name: 'b.webp' },
      ],
      { key: SECRET },
    );
    assert.equal(result.status, 200);
    const [record] = sim.requests;
    assert.deepEqual(record.fields, { model: 'gpt-image-2', prompt: 'vary it', safety_identifier: 'hash-1', size: '1024x1024' });
    assert.equal(record.files[0].filename, 'café.jpg');
    assert.deepEqual(
      record.files.map((f) => [f.detectedType, f.width, f.height, f.length]),
      [
        ['jpeg', 160, 96, jpeg.length],
        ['webp', 80, 48, webp.length],
      ],
    );
  });

  it('redacts the authorization header and never stores a key, right or wrong', async () => {
    sim = await startSimulator({ apiKey: SECRET });
    const png = await makeTestPng(64, 64);
    await post(sim, 'edits', { model: 'gpt-image-2', prompt: 'p' }, [{ data: png }], { key: SECRET });
    await post(sim, 'edits', { model: 'gpt-image-2', prompt: 'p' }, [{ data: png }], { key: WRONG });
    const [right, wrong] = sim.requests;
    assert.equal(right.headers.authorization, 'Bearer [redacted]');
    assert.equal(wrong.headers.authorization, 'Bearer [redacted]');
    assert.equal(right.authorized, true);
    assert.equal(wrong.authorized, false);
    assert.equal(wrong.status, 401);
    const serialised = JSON.stringify(sim.requests);
    assert.ok(!serialised.includes(SECRET), 'the right key must not be stored');
    assert.ok(!serialised.includes(WRONG), 'a wrong key must not be stored');
    assert.ok(!serialised.includes(SECRET.slice(-12)), 'no recognisable part of the key either');
  });

  it('records GET /files and unknown routes too, in arrival order', async () => {
    sim = await startSimulator();
    await fetch(`${sim.url}/files/0123abcd.png`);
    await fetch(`${sim.baseURL}/models`);
    assert.deepEqual(
      sim.requests.map((r) => [r.method, r.path, r.status]),
      [
        ['GET', '/files/0123abcd.png', 404],
        ['GET', '/v1/models', 404],
      ],
    );
    assert.deepEqual(
      sim.requests.map((r) => r.id),
      ['req_sim_000001', 'req_sim_000002'],
    );
  });
});
