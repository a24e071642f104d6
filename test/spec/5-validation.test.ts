/**
 * SPEC 5: every rule is checked before the network is touched. Each violation sends exactly
 * one message to output 2 with code INVALID_INPUT (or NO_API_KEY), a text naming the input,
 * the rule and the value, and the simulator records no request at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import should from 'should';
import { startSimulator, makeTestImage, makeTestPng, type Simulator } from '../../tools/simulator';
import { createFixtures, type Fixtures } from '../support/fixtures';
import { loadFlow, type Msg, type TestFlow, apiRequests } from '../support/flow';


describe('SPEC 5: validation before any request', function () {
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

  /** Runs one message and checks the shared shape of a refusal; returns the error text. */
  async function refuses(
    node: Record<string, unknown>,
    msg: Msg,
    code = 'INVALID_INPUT',
    setup: { apiKey?: string | null } = {},
  ): Promise<string> {
    flow = await loadFlow(sim, { node: { baseFolder: fixtures.dir, ...node }, ...setup });
    const outcome = await flow.run(msg);
    should(outcome.success).have.length(0);
    should(outcome.failed).have.length(1);
    should(outcome.completions).have.length(1);
    const failed = outcome.failed[0];
    should((failed.error as { code: string }).code).equal(code);
    should(failed.errorMessage).be.a.String();
    should(apiRequests(sim)).have.length(0);
    return failed.errorMessage as string;
  }

  describe('the image', function () {
    it('refuses a message with no image at all without calling the API', async function () {
      const text = await refuses({}, { payload: 'not a buffer' });
      should(text).match(/No image given/);
    });

    it('refuses a missing file and names the path', async function () {
      const text = await refuses({}, { imagePath: 'missing.png' });
      should(text).match(/ImagePath/).and.match(/missing\.png/);
    });

    it('refuses a directory', async function () {
      await mkdir(join(fixtures.dir, 'a-folder'), { recursive: true });
      const text = await refuses({}, { imagePath: 'a-folder' });
      should(text).match(/regular file/).and.match(/directory/);
    });

    it('refuses a FIFO from stat, without blocking on it', async function () {
      const fifo = join(fixtures.dir, 'pipe.png');
      execFileSync('mkfifo', [fifo]);
      const text = await refuses({}, { imagePath: fifo });
      should(text).match(/regular file/).and.match(/FIFO/);
    });

    it('refuses a device such as /dev/zero without reading it', async function () {
      const text = await refuses({}, { imagePath: '/dev/zero' });
      should(text).match(/character device/).and.match(/\/dev\/zero/);
    });

    it('refuses a 0-byte file', async function () {
      const path = await fixtures.file('empty.png', Buffer.alloc(0));
      const text = await refuses({}, { imagePath: path });
      should(text).match(/empty/);
    });

    it('refuses a path that leaves the base folder with .. when restricted to it', async function () {
      const outside = await fixtures.png('outside.png', 64, 64);
      const base = join(fixtures.dir, 'base');
      await mkdir(base, { recursive: true });
      const text = await refuses({ baseFolder: base, restrictToBaseFolder: true }, { imagePath: '../outside.png' });
      should(text).match(/inside the base folder/).and.containEql(outside);
    });

    it('refuses a symlink inside the base folder that leads out of it when restricted', async function () {
      const outside = await fixtures.png('target.png', 64, 64);
      const base = join(fixtures.dir, 'base-link');
      await mkdir(base, { recursive: true });
      await symlink(outside, join(base, 'innocent.png'));
      const text = await refuses({ baseFolder: base, restrictToBaseFolder: true }, { imagePath: 'innocent.png' });
      should(text).match(/inside the base folder/);
    });

    it('refuses a variations image of 4 MB or more from stat, before reading it', async function () {
      const path = await fixtures.file('big.png', await makeTestPng(64, 64));
      await truncate(path, 4 * 1024 * 1024);
      const text = await refuses({ method: 'variations' }, { imagePath: path });
      should(text).match(/smaller than 4\.0 MB/).and.match(/variations/);
    });

    it('refuses an edit image of 50 MB or more from stat', async function () {
      const path = await fixtures.file('huge.png', await makeTestPng(64, 64));
      await truncate(path, 60 * 1024 * 1024);
      const text = await refuses({ method: 'edit' }, { imagePath: path });
      should(text).match(/smaller than 50\.0 MB/).and.match(/60\.0 MB/);
    });

    it('refuses a JPEG named .png for variations: the format comes from magic bytes', async function () {
      const path = await fixtures.file('photo.png', await makeTestImage('jpeg', 64, 64));
      const text = await refuses({ method: 'variations' }, { imagePath: path });
      should(text).match(/PNG/).and.match(/JPEG/);
    });

    it('refuses a GIF for edit', async function () {
      const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
      const text = await refuses({ method: 'edit' }, { image: gif });
      should(text).match(/PNG, JPEG or WebP/).and.match(/GIF/);
    });

    it('refuses a non-square PNG for variations and gives its dimensions', async function () {
      const text = await refuses({ method: 'variations' }, { image: await makeTestPng(96, 64) });
      should(text).match(/square/).and.match(/96x64/);
    });

    it('refuses a truncated PNG header', async function () {
      const png = await makeTestPng(64, 64);
      const text = await refuses({ method: 'variations' }, { image: png.subarray(0, 20) });
      should(text).match(/truncated PNG header/);
    });

    it('refuses a PNG whose header lies about its dimensions (checksum mismatch)', async function () {
      const png = Buffer.from(await makeTestPng(64, 32));
      png.writeUInt32BE(32, 16); // claims 32x32, a square, without fixing the CRC
      const text = await refuses({ method: 'variations' }, { image: png });
      should(text).match(/checksum/);
    });

    it('refuses base64 that is not an image', async function () {
      const text = await refuses({}, { image: Buffer.from('hello, world').toString('base64') });
      should(text).match(/no known image format/);
    });

    it('refuses a string that is not base64', async function () {
      const text = await refuses({}, { image: 'not base64 at all!' });
      should(text).match(/msg\.image/).and.match(/base64/);
    });

    it('refuses a data: URL of another media type', async function () {
      const text = await refuses({}, { image: 'data:text/plain;base64,aGVsbG8=' });
      should(text).match(/data: URL of an image/).and.match(/text\/plain/);
    });

    it('refuses an image of a wrong type such as a number', async function () {
      const text = await refuses({}, { image: 42 });
      should(text).match(/Buffer, a base64 string or a data: URL/).and.match(/42/);
    });

    it('refuses a path with a NUL byte', async function () {
      const text = await refuses({}, { imagePath: 'image\0.png' });
      should(text).match(/ImagePath/);
    });
  });

  describe('the parameters', function () {
    let square: string;
    before(async function () {
      square = await fixtures.png('square.png', 64, 64);
    });

    for (const n of [11, 0, -1, 2.5, 'abc', '', Number.NaN, 1e9]) {
      it(`refuses n = ${String(n) || '""'} without calling the API`, async function () {
        const text = await refuses({}, { imagePath: square, n });
        should(text).match(/N must be an integer from 1 to 10, got /);
      });
    }

    it('names the value received: N must be an integer from 1 to 10, got 11', async function () {
      const text = await refuses({}, { imagePath: square, n: 11 });
      should(text).equal('N must be an integer from 1 to 10, got 11');
    });

    it('refuses a form Count that is not an integer', async function () {
      const text = await refuses({ count: '2.5' }, { imagePath: square });
      should(text).match(/got "2\.5"/);
    });

    it('refuses a size the variations endpoint does not serve', async function () {
      const text = await refuses({ method: 'variations' }, { imagePath: square, size: '1536x1024' });
      should(text).match(/Size must be/).and.match(/256x256/).and.match(/1536x1024/);
    });

    it('refuses an edit size whose sides are not divisible by 16', async function () {
      const text = await refuses({ method: 'edit' }, { imagePath: square, size: '1000x1000' });
      should(text).match(/divisible by 16/).and.match(/1000x1000/);
    });

    it('refuses a response format other than url or b64_json', async function () {
      const text = await refuses({}, { imagePath: square, responseFormat: 'jpeg' });
      should(text).match(/ResponseFormat must be url or b64_json, got "jpeg"/);
    });

    it('refuses a user that is not a string', async function () {
      const text = await refuses({}, { imagePath: square, user: 42 });
      should(text).match(/User must be a string, got 42/);
    });

    it('refuses an unknown method', async function () {
      const text = await refuses({}, { imagePath: square, method: 'generate' });
      should(text).match(/Method must be edit or variations, got "generate"/);
    });

    it('refuses an empty prompt for edit', async function () {
      const text = await refuses({}, { imagePath: square, prompt: '   ' });
      should(text).match(/Prompt/);
    });

    it('refuses a model that is not a string', async function () {
      const text = await refuses({}, { imagePath: square, model: 7 });
      should(text).match(/Model must be a non-empty string, got 7/);
    });
  });

  describe('the API key', function () {
    let saved: string | undefined;
    before(function () {
      saved = process.env.OPENAI_API_KEY;
      delete process.env.OPENAI_API_KEY;
    });
    after(function () {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    });

    it('fails with NO_API_KEY, saying how to set one, when neither credential nor OPENAI_API_KEY is set', async function () {
      const square = await fixtures.png('key.png', 64, 64);
      const text = await refuses({}, { imagePath: square }, 'NO_API_KEY', { apiKey: null });
      should(text).match(/OPENAI_API_KEY/).and.match(/config node/);
    });
  });
});
