/**
 * Issue 6, bad input: a table of malformed messages (wrong types for every message property,
 * odd numbers, odd strings, odd files). Each gives exactly one failed message whose text names
 * the input, and the simulator records no request. None hangs, none leaves a rejected promise,
 * and after the corpus a valid message still succeeds on the same running flow.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import should from 'should';
import { makeTestImage, makeTestPng, startSimulator, type Simulator } from '../../tools/simulator';
import { createFixtures, type Fixtures } from '../support/fixtures';
import { loadFlow, type Msg, type TestFlow } from '../support/flow';
import { SMALL_EDIT, apiRequests, errorOf, smallPng, watchUnhandledRejections } from './support';

/** Files built once for the whole corpus. */
interface Files {
  dir: string;
  square: string;
  folder: string;
  fifo: string;
  devZeroLink: string;
  loop: string;
  huge: string;
  empty: string;
  text: string;
  truncatedPng: string;
  notADir: string;
  jpegNamedPng: string;
  wide: string;
  overVariationsLimit: string;
  webp: string;
  outside: string;
}

interface Row {
  name: string;
  msg: (files: Files) => Msg;
  /** The text must name the input (and usually the value). */
  text: RegExp;
}

const png = Buffer.from('89504e470d0a1a0a', 'hex');
let validPng: Buffer;
let lyingPng: Buffer;

const N = /^N must be an integer from 1 to 10, got /;
const SIZE = /^Size must be .* for method edit, got /;
const FORMAT = /^ResponseFormat must be url or b64_json, got /;
const USER = /^User must be a string, got /;
const METHOD = /^Method must be edit or variations, got /;
const PROMPT = /^Prompt must be a non-empty string of at most 32000 characters, got /;
const MODEL = /^Model must be a non-empty string, got /;
const IMAGE_TYPE = /^Image must be a Buffer, a base64 string or a data: URL, got /;
const PATH_TYPE = /^ImagePath must be a non-empty string without NUL bytes, got /;

/** Each row's message also carries a valid image unless the row is about the image. */
const withImage = (extra: Msg) => (files: Files): Msg => ({ imagePath: files.square, ...extra });

const editRows: Row[] = [
  { name: 'n = 11', msg: withImage({ n: 11 }), text: /^N must be an integer from 1 to 10, got 11$/ },
  { name: 'n = 0', msg: withImage({ n: 0 }), text: /got 0$/ },
  { name: 'n = -1', msg: withImage({ n: -1 }), text: /got -1$/ },
  { name: 'n = 2.5', msg: withImage({ n: 2.5 }), text: /got 2\.5$/ },
  { name: 'n = NaN', msg: withImage({ n: Number.NaN }), text: /^N must .* got NaN$/ },
  { name: 'n = Infinity', msg: withImage({ n: Number.POSITIVE_INFINITY }), text: /^N must .* got Infinity$/ },
  { name: 'n = -Infinity', msg: withImage({ n: Number.NEGATIVE_INFINITY }), text: /^N must .* got -Infinity$/ },
  { name: 'n = 1e308', msg: withImage({ n: 1e308 }), text: /^N must .* got 1e\+308$/ },
  { name: 'n = Number.MAX_SAFE_INTEGER + 2', msg: withImage({ n: Number.MAX_SAFE_INTEGER + 2 }), text: N },
  { name: 'n = "" (empty string)', msg: withImage({ n: '' }), text: /^N must .* got ""$/ },
  { name: 'n = "abc"', msg: withImage({ n: 'abc' }), text: /^N must .* got "abc"$/ },
  { name: 'n = "3.5"', msg: withImage({ n: '3.5' }), text: /got "3\.5"$/ },
  { name: 'n = "99999999999999999999"', msg: withImage({ n: '99999999999999999999' }), text: N },
  { name: 'n = an object', msg: withImage({ n: { value: 3 } }), text: /^N must .* got an object$/ },
  { name: 'n = an array', msg: withImage({ n: [3] }), text: /^N must .* got an array$/ },
  { name: 'n = true', msg: withImage({ n: true }), text: /^N must .* got true$/ },
  { name: 'size = 123 (a number)', msg: withImage({ size: 123 }), text: /^Size must .* got 123$/ },
  { name: 'size = "" (empty string)', msg: withImage({ size: '' }), text: SIZE },
  { name: 'size = "huge"', msg: withImage({ size: 'huge' }), text: /^Size must .* got "huge"$/ },
  { name: 'size = "0x0"', msg: withImage({ size: '0x0' }), text: /got "0x0"$/ },
  { name: 'size = "-16x16"', msg: withImage({ size: '-16x16' }), text: /got "-16x16"$/ },
  { name: 'size = "1000x1000" (not divisible by 16)', msg: withImage({ size: '1000x1000' }), text: /divisible by 16.* got "1000x1000"$/ },
  { name: 'size = an object', msg: withImage({ size: { width: 64 } }), text: /^Size must .* got an object$/ },
  { name: 'size = an array', msg: withImage({ size: ['64x64'] }), text: /^Size must .* got an array$/ },
  { name: 'responseFormat = "jpeg"', msg: withImage({ responseFormat: 'jpeg' }), text: /^ResponseFormat .* got "jpeg"$/ },
  { name: 'responseFormat = 42', msg: withImage({ responseFormat: 42 }), text: /^ResponseFormat .* got 42$/ },
  { name: 'responseFormat = ""', msg: withImage({ responseFormat: '' }), text: FORMAT },
  { name: 'responseFormat = an array', msg: withImage({ responseFormat: ['url'] }), text: FORMAT },
  { name: 'user = 42', msg: withImage({ user: 42 }), text: /^User must be a string, got 42$/ },
  { name: 'user = an object', msg: withImage({ user: { id: 'x' } }), text: /^User must be a string, got an object$/ },
  { name: 'user = an array', msg: withImage({ user: ['x'] }), text: USER },
  { name: 'user = false', msg: withImage({ user: false }), text: /^User .* got false$/ },
  { name: 'method = "generate"', msg: withImage({ method: 'generate' }), text: /^Method .* got "generate"$/ },
  { name: 'method = "" (empty string)', msg: withImage({ method: '' }), text: METHOD },
  { name: 'method = "EDIT" (case matters)', msg: withImage({ method: 'EDIT' }), text: /got "EDIT"$/ },
  { name: 'method = 42', msg: withImage({ method: 42 }), text: METHOD },
  { name: 'method = an array', msg: withImage({ method: ['edit'] }), text: METHOD },
  { name: 'prompt = "" (empty string)', msg: withImage({ prompt: '' }), text: PROMPT },
  { name: 'prompt = spaces only', msg: withImage({ prompt: '   ' }), text: PROMPT },
  { name: 'prompt = 42', msg: withImage({ prompt: 42 }), text: /^Prompt .* got 42$/ },
  { name: 'prompt = an object', msg: withImage({ prompt: { text: 'x' } }), text: /^Prompt .* got an object$/ },
  { name: 'prompt of 32,001 characters', msg: withImage({ prompt: 'x'.repeat(32001) }), text: /^Prompt .* got "x{57}\.\.\."$/ },
  { name: 'model = "" (empty string)', msg: withImage({ model: '' }), text: MODEL },
  { name: 'model = spaces only', msg: withImage({ model: '   ' }), text: MODEL },
  { name: 'model = 7', msg: withImage({ model: 7 }), text: /^Model .* got 7$/ },
  { name: 'model = an object', msg: withImage({ model: { id: 'gpt-image-2' } }), text: /^Model .* got an object$/ },
  { name: 'model = an array', msg: withImage({ model: ['gpt-image-2'] }), text: /^Model .* got an array$/ },
  { name: 'image = 42', msg: () => ({ image: 42 }), text: /^Image must be .* got 42$/ },
  { name: 'image = true', msg: () => ({ image: true }), text: IMAGE_TYPE },
  { name: 'image = an object', msg: () => ({ image: { data: [1, 2, 3] } }), text: /^Image must be .* got an object$/ },
  { name: 'image = an array', msg: () => ({ image: [0x89, 0x50] }), text: /^Image must be .* got an array$/ },
  { name: 'image = a Uint8Array (not a Buffer)', msg: () => ({ image: new Uint8Array(validPng) }), text: IMAGE_TYPE },
  { name: 'image = "" (empty string)', msg: () => ({ image: '' }), text: /^Image in msg\.image is neither base64 nor a data: URL, got ""$/ },
  { name: 'image = text that is not base64', msg: () => ({ image: 'not base64 at all!' }), text: /^Image in msg\.image is neither base64/ },
  { name: 'image = base64 that is not an image', msg: () => ({ image: Buffer.from('hello, world').toString('base64') }), text: /^Image must be PNG, JPEG or WebP for method edit, got bytes of no known image format$/ },
  { name: 'image = a data: URL of text/plain', msg: () => ({ image: 'data:text/plain;base64,aGVsbG8=' }), text: /^Image in msg\.image must be a data: URL of an image, got "data:text\/plain;base64,"$/ },
  { name: 'image = a data: URL without ;base64', msg: () => ({ image: 'data:image/png,iVBORw0KGgo=' }), text: /^Image in msg\.image must be a data: URL of an image/ },
  { name: 'image = a data: URL of image/png holding text', msg: () => ({ image: `data:image/png;base64,${Buffer.from('plain text').toString('base64')}` }), text: /^Image must be PNG, JPEG or WebP .* no known image format$/ },
  { name: 'image = an empty Buffer', msg: () => ({ image: Buffer.alloc(0) }), text: /^Image in msg\.image is empty \(0 bytes\)$/ },
  { name: 'payload = an empty Buffer', msg: () => ({ payload: Buffer.alloc(0) }), text: /^Image in msg\.payload is empty \(0 bytes\)$/ },
  { name: 'image = a truncated PNG header', msg: () => ({ image: Buffer.concat([png, Buffer.alloc(4)]) }), text: /^Image must be .* got truncated PNG header$/ },
  { name: 'image = a PNG whose IHDR was edited without fixing the CRC', msg: () => ({ image: lyingPng }), text: /^Image must be .* got PNG header checksum mismatch$/ },
  { name: 'image = a GIF', msg: () => ({ image: Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64') }), text: /^Image must be PNG, JPEG or WebP for method edit, got GIF$/ },
  { name: 'payload = a string (a path is not taken from payload)', msg: (f) => ({ payload: f.square }), text: /^No image given: set msg\.image, msg\.imagePath/ },
  { name: 'imagePath = 42', msg: () => ({ imagePath: 42 }), text: /^ImagePath must be .* got 42$/ },
  { name: 'imagePath = an object', msg: () => ({ imagePath: { path: 'a.png' } }), text: /^ImagePath must be .* got an object$/ },
  { name: 'imagePath = an array', msg: (f) => ({ imagePath: [f.square] }), text: PATH_TYPE },
  { name: 'imagePath = "" (empty string)', msg: () => ({ imagePath: '' }), text: PATH_TYPE },
  { name: 'imagePath = spaces only', msg: () => ({ imagePath: '   ' }), text: PATH_TYPE },
  { name: 'imagePath with a NUL byte', msg: () => ({ imagePath: 'square.png\0.txt' }), text: PATH_TYPE },
  { name: 'imagePath of a missing file', msg: () => ({ imagePath: 'missing.png' }), text: /^ImagePath: no file at .*missing\.png$/ },
  { name: 'imagePath through a file as if it were a folder', msg: (f) => ({ imagePath: f.notADir }), text: /^ImagePath: no file at .*square\.png\/inner\.png$/ },
  { name: 'imagePath of a directory', msg: (f) => ({ imagePath: f.folder }), text: /^ImagePath must be a regular file, got a directory at / },
  { name: 'imagePath of a FIFO (mkfifo)', msg: (f) => ({ imagePath: f.fifo }), text: /^ImagePath must be a regular file, got a FIFO at .*pipe\.png$/ },
  { name: 'imagePath = /dev/zero', msg: () => ({ imagePath: '/dev/zero' }), text: /^ImagePath must be a regular file, got a character device at \/dev\/zero$/ },
  { name: 'imagePath of a symlink to /dev/zero', msg: (f) => ({ imagePath: f.devZeroLink }), text: /^ImagePath must be a regular file, got a character device at .*zero\.png$/ },
  { name: 'imagePath of a symlink loop', msg: (f) => ({ imagePath: f.loop }), text: /^ImagePath: cannot read .*loop\.png \(ELOOP\)$/ },
  { name: 'imagePath of a 0-byte file', msg: (f) => ({ imagePath: f.empty }), text: /^Image in .*empty\.png is empty \(0 bytes\)$/ },
  { name: 'imagePath of a 60 MB file (sparse)', msg: (f) => ({ imagePath: f.huge }), text: /^Image must be smaller than 50\.0 MB for method edit, got 60\.0 MB$/ },
  { name: 'imagePath of a text file named .png', msg: (f) => ({ imagePath: f.text }), text: /^Image must be PNG, JPEG or WebP .* no known image format$/ },
  { name: 'imagePath of a truncated PNG file', msg: (f) => ({ imagePath: f.truncatedPng }), text: /^Image must be .* got truncated PNG header$/ },
];

const variationRows: Row[] = [
  { name: 'a JPEG file named .png', msg: (f) => ({ imagePath: f.jpegNamedPng }), text: /^Image must be a PNG for method variations, got JPEG$/ },
  { name: 'a WebP image', msg: (f) => ({ imagePath: f.webp }), text: /^Image must be a PNG for method variations, got WEBP$/ },
  { name: 'a PNG that is not square', msg: (f) => ({ imagePath: f.wide }), text: /^Image must be square for method variations, got 96x64$/ },
  { name: 'a PNG header edited to claim a square', msg: () => ({ image: lyingPng }), text: /^Image must be a PNG .* checksum mismatch$/ },
  { name: 'a 5 MB file (sparse) over the 4 MB limit', msg: (f) => ({ imagePath: f.overVariationsLimit }), text: /^Image must be smaller than 4\.0 MB for method variations, got 5\.0 MB$/ },
  { name: 'a 5 MB Buffer over the 4 MB limit', msg: () => ({ image: Buffer.concat([validPng, Buffer.alloc(5 * 1024 * 1024)]) }), text: /^Image must be smaller than 4\.0 MB/ },
  { name: 'size = "1024x1536" (an edit size)', msg: withImage({ size: '1024x1536' }), text: /^Size must be 256x256, 512x512, 1024x1024 for method variations, got "1024x1536"$/ },
  { name: 'size = "64x64"', msg: withImage({ size: '64x64' }), text: /^Size must be .* for method variations, got "64x64"$/ },
];

const restrictedRows: Row[] = [
  { name: 'a path that climbs out with ..', msg: () => ({ imagePath: '../outside.png' }), text: /^ImagePath must be inside the base folder .*base, got .*outside\.png$/ },
  { name: 'a deep .. path that comes back out', msg: () => ({ imagePath: 'a/../../outside.png' }), text: /^ImagePath must be inside the base folder/ },
  { name: 'an absolute path outside', msg: (f) => ({ imagePath: f.outside }), text: /^ImagePath must be inside the base folder .* got .*outside\.png$/ },
  { name: 'a symlink inside that leads out', msg: () => ({ imagePath: 'innocent.png' }), text: /^ImagePath must be inside the base folder .* got .*innocent\.png$/ },
  { name: 'a file under a symlinked folder that leads out', msg: () => ({ imagePath: 'linked-folder/outside.png' }), text: /^ImagePath must be inside the base folder/ },
  { name: '/etc/passwd', msg: () => ({ imagePath: '/etc/passwd' }), text: /^ImagePath must be inside the base folder .* got \/etc\/passwd$/ },
  // Outside the base folder nothing is even looked at: the answer must not tell what is there.
  { name: 'a missing file outside, without telling that it is missing', msg: () => ({ imagePath: '../no-such-file.png' }), text: /^ImagePath must be inside the base folder .* got .*no-such-file\.png$/ },
  { name: 'a folder outside, without telling that it is a folder', msg: () => ({ imagePath: '../a-folder' }), text: /^ImagePath must be inside the base folder .* got .*a-folder$/ },
  { name: '/dev/zero, without telling that it is a device', msg: () => ({ imagePath: '/dev/zero' }), text: /^ImagePath must be inside the base folder .* got \/dev\/zero$/ },
];

describe('Reliability: a corpus of bad input never reaches the API', function () {
  let sim: Simulator;
  let fixtures: Fixtures;
  let files: Files;

  before(async function () {
    sim = await startSimulator({ retiredModels: false });
    fixtures = await createFixtures();
    validPng = await smallPng();
    lyingPng = Buffer.from(await makeTestPng(64, 32));
    lyingPng.writeUInt32BE(32, 16);
    const dir = fixtures.dir;
    const base = join(dir, 'base');
    await mkdir(join(base, 'a'), { recursive: true });
    await mkdir(join(dir, 'a-folder'), { recursive: true });
    const square = await fixtures.file('square.png', validPng);
    const fifo = join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    await symlink('/dev/zero', join(dir, 'zero.png'));
    await symlink(join(dir, 'loop.png'), join(dir, 'loop.png'));
    const huge = await fixtures.file('huge.png', validPng);
    await truncate(huge, 60 * 1024 * 1024);
    const overVariationsLimit = await fixtures.file('five-mb.png', validPng);
    await truncate(overVariationsLimit, 5 * 1024 * 1024);
    const outside = await fixtures.file('outside.png', validPng);
    await symlink(outside, join(base, 'innocent.png'));
    await symlink(dir, join(base, 'linked-folder'));
    await fixtures.file('base/inside.png', validPng);
    files = {
      dir,
      square,
      folder: join(dir, 'a-folder'),
      fifo,
      devZeroLink: join(dir, 'zero.png'),
      loop: join(dir, 'loop.png'),
      huge,
      empty: await fixtures.file('empty.png', Buffer.alloc(0)),
      text: await fixtures.file('notes.png', 'these are notes, not an image\n'),
      truncatedPng: await fixtures.file('truncated.png', validPng.subarray(0, 20)),
      notADir: join(square, 'inner.png'),
      jpegNamedPng: await fixtures.file('photo.png', await makeTestImage('jpeg', 64, 64)),
      wide: await fixtures.png('wide.png', 96, 64),
      overVariationsLimit,
      webp: await fixtures.image('picture.webp', 'webp', 64, 64),
      outside,
    };
  });
  after(async function () {
    await sim.close();
    await fixtures.remove();
  });

  function corpus(title: string, node: (files: Files) => Record<string, unknown>, rows: Row[], valid: (files: Files) => Msg) {
    describe(title, function () {
      let flow: TestFlow;
      let rejections: ReturnType<typeof watchUnhandledRejections>;
      before(async function () {
        rejections = watchUnhandledRejections();
        flow = await loadFlow(sim, { node: node(files) });
      });
      after(async function () {
        rejections.stop();
        await flow.unload();
        sim.reset();
      });

      rows.forEach((row, index) => {
        it(`refuses ${row.name}, names the input, sends no request`, async function () {
          const id = `${title}-${index}`;
          flow.inject({ ...row.msg(files), _msgid: id });
          const outcome = await flow.outcomeOf(id, 5000);
          should(outcome.success).have.length(0);
          should(outcome.failed).have.length(1);
          should(outcome.completions).have.length(1);
          const failed = outcome.failed[0];
          should(errorOf(failed).code).equal('INVALID_INPUT');
          should(failed.errorMessage).match(row.text);
          should(apiRequests(sim)).have.length(0);
          should(rejections.reasons).be.empty();
        });
      });

      it('still serves a valid message afterwards, on the same running flow', async function () {
        const outcome = await flow.run(valid(files));
        should(outcome.failed).have.length(0);
        should(outcome.success).have.length(1);
        should(apiRequests(sim)).have.length(1);
        should(rejections.reasons).be.empty();
      });
    });
  }

  corpus('edit', (f) => ({ ...SMALL_EDIT, baseFolder: f.dir, size: '' }), editRows, (f) => ({ imagePath: f.square, size: '64x64' }));
  corpus('variations', (f) => ({ method: 'variations', baseFolder: f.dir }), variationRows, (f) => ({ imagePath: f.square }));
  corpus('restricted to the base folder', (f) => ({ ...SMALL_EDIT, baseFolder: join(f.dir, 'base'), restrictToBaseFolder: true }), restrictedRows, () => ({ imagePath: 'inside.png' }));

  it(`holds at least 40 malformed inputs`, function () {
    should(editRows.length + variationRows.length + restrictedRows.length).be.aboveOrEqual(40);
  });
});
