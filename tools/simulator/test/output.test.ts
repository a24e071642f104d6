import assert from 'node:assert/strict';
import { makeTestImage, makeTestPng, startSimulator, type Simulator } from '../index';
import { b64Images, client, difference, dimensionsOf, post, upload } from './support';

describe('simulator: output images', () => {
  let sim: Simulator;
  let png: Buffer;
  before(async () => {
    png = await makeTestPng(256, 256, { seed: 7 });
    sim = await startSimulator({ retiredModels: false });
  });
  after(() => sim.close());

  it('returns n variations of the requested size that differ from the input and from each other', async () => {
    const response = await client(sim).images.createVariation({
      image: await upload(png),
      n: 3,
      size: '512x512',
      response_format: 'b64_json',
    });
    const images = b64Images(response);
    assert.equal(images.length, 3);
    for (const image of images) {
      assert.deepEqual(await dimensionsOf(image), { width: 512, height: 512, format: 'png' });
      assert.ok((await difference(image, png)) > 10, 'a variation must differ visibly from the input');
    }
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      assert.ok((await difference(images[a], images[b])) > 10, `variations ${a} and ${b} must differ`);
    }
  });

  it('gives the same bytes for the same request (served from the cache)', async () => {
    const request = { n: '2', size: '256x256', response_format: 'b64_json' };
    const first = await post(sim, 'variations', request, [{ data: png }]);
    const second = await post(sim, 'variations', request, [{ data: png }]);
    assert.deepEqual(b64Images(second.json), b64Images(first.json));
  });

  it('hosts url results under /files/ as 1024x1024 PNGs by default', async () => {
    const response = await client(sim).images.createVariation({ image: await upload(png) });
    const url = response.data?.[0].url ?? '';
    assert.ok(url.startsWith(`${sim.url}/files/`), url);
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'image/png');
    assert.deepEqual(await dimensionsOf(Buffer.from(await file.arrayBuffer())), { width: 1024, height: 1024, format: 'png' });
    assert.equal(sim.requests.at(-1)?.method, 'GET');
  });

  it('lets hosted URLs expire after urlTtlMs', async () => {
    const shortLived = await startSimulator({ retiredModels: false, urlTtlMs: 40 });
    try {
      const result = await post(shortLived, 'variations', { size: '256x256' }, [{ data: png }]);
      const url = result.json.data?.[0].url ?? '';
      assert.equal((await fetch(url)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 60)); // expiry is a matter of time: nothing to await
      const expired = await fetch(url);
      assert.equal(expired.status, 404);
      assert.equal(((await expired.json()) as { error: { code: string } }).error.code, 'file_not_found');
    } finally {
      await shortLived.close();
    }
  });

  it('answers edits with b64 images and the GPT Image fields', async () => {
    const response = await client(sim).images.edit({
      image: await upload(png),
      prompt: 'a variation',
      model: 'gpt-image-2',
      n: 2,
      size: '512x768',
      quality: 'low',
    });
    assert.equal(response.size, '512x768');
    assert.equal(response.output_format, 'png');
    assert.equal(response.quality, 'low');
    assert.equal(response.background, 'opaque');
    assert.ok((response.usage?.output_tokens ?? 0) > 0);
    const images = b64Images(response);
    assert.equal(images.length, 2);
    assert.ok(response.data?.every((d) => d.url === undefined));
    for (const image of images) assert.deepEqual(await dimensionsOf(image), { width: 512, height: 768, format: 'png' });
    assert.ok((await difference(images[0], images[1])) > 10);
  });

  it('keeps the input aspect for size auto by picking the nearest named size', async () => {
    for (const [width, height, expected] of [
      [300, 200, '1536x1024'],
      [200, 300, '1024x1536'],
      [64, 60, '1024x1024'],
    ] as const) {
      const result = await post(sim, 'edits', { model: 'gpt-image-2', prompt: 'p' }, [{ data: await makeTestPng(width, height) }]);
      assert.equal(result.json.size, expected, `${width}x${height}`);
      const [image] = b64Images(result.json);
      const { width: w, height: h } = await dimensionsOf(image);
      assert.equal(`${w}x${h}`, expected);
    }
  });

  it('honours output_format for edits and accepts several images as image[]', async () => {
    const jpeg = await makeTestImage('jpeg', 128, 128);
    const response = await client(sim).images.edit({
      image: [await upload(jpeg, 'a.jpg', 'image/jpeg'), await upload(png)],
      prompt: 'a variation',
      model: 'gpt-image-2.5-flare',
      size: '1024x1024',
      output_format: 'webp',
    });
    assert.equal(response.output_format, 'webp');
    const [image] = b64Images(response);
    assert.equal((await dimensionsOf(image)).format, 'webp');
    assert.deepEqual(
      sim.requests.at(-1)?.files.map((f) => [f.field, f.detectedType]),
      [
        ['image[]', 'jpeg'],
        ['image[]', 'png'],
      ],
    );
  });
});
