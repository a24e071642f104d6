/**
 * Issue 4: `npm start` runs a working demo. The demo is started as the CLI starts it (the real
 * Node-RED in a child process, the simulator in this process), on a free port with a temporary
 * user directory, and observed only from outside: HTTP, the admin API and the gallery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import should from 'should';
import { GALLERY_IDS, REPO_ROOT, nodeId, type FlowNode } from '../../tools/demo/gallery-flow';
import { OPENAI_BASE_URL, readGallery, startDemo, waitForEntry, type Demo } from '../../tools/demo/start';
import { PACKAGE_NAME, prepareUserDir } from '../../tools/demo/user-dir';

const tempDir = () => mkdtemp(join(tmpdir(), 'variation-demo-test-'));

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json', ...headers } });
  should(response.status).equal(200, `GET ${url}`);
  return (await response.json()) as T;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)));
  });
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return false;
  } catch {
    return true;
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('issue 4: npm start runs a working demo', function () {
  this.timeout(60_000);
  let demo: Demo;
  let userDir: string;
  let startedAt: number;
  const output: string[] = [];

  before(async function () {
    userDir = await tempDir();
    startedAt = Date.now();
    demo = await startDemo({
      port: 0,
      userDir,
      apiKey: '',
      log: (line) => output.push(line),
      nodeRedLog: (line) => output.push(line),
    });
  });
  after(async function () {
    await demo?.stop();
    await rm(userDir, { recursive: true, force: true });
  });

  it('uses the in-process simulator when no API key is given, and says so', function () {
    should(demo.mode).equal('simulator');
    should(demo.apiBaseURL).equal(demo.simulator!.baseURL);
    should(output.join('\n')).match(/No OPENAI_API_KEY: using the built-in OpenAI API simulator at http:\/\/127\.0\.0\.1:\d+\/v1/);
  });

  it('serves the Node-RED editor on 127.0.0.1', async function () {
    should(demo.url).match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${demo.url}/`);
    should(response.status).equal(200);
    should(await response.text()).match(/<title>Node-RED: image variation demo<\/title>/);
  });

  it('loads the package from the working tree like an installed one, examples included', async function () {
    const sets = await getJson<Array<{ module: string; types: string[]; enabled: boolean }>>(`${demo.url}/nodes`);
    const ours = sets.filter((set) => set.module === PACKAGE_NAME);
    should(ours.flatMap((set) => set.types).sort()).eql(['create-image-variation', 'openai-image-api']);
    should(ours.every((set) => set.enabled)).be.true();
    const examples = await getJson<Array<{ fn: string }>>(`${demo.url}/library/examples/flows/${PACKAGE_NAME}/`);
    should(examples.map((example) => example.fn)).containEql('06 - Demo gallery');
  });

  it('deploys the demo flow with its config node pointing at the simulator and no key in the flow', async function () {
    const { flows } = await getJson<{ flows: FlowNode[] }>(`${demo.url}/flows`, { 'Node-RED-API-Version': 'v2' });
    should(flows.find((node) => node.type === 'create-image-variation')).have.property('id', GALLERY_IDS.variation);
    const api = flows.find((node) => node.type === 'openai-image-api');
    should(api).have.property('baseURL', demo.simulator!.baseURL);
    should(api).not.have.property('credentials');
    const saved = await readFile(join(userDir, 'flows.json'), 'utf8');
    should(saved).not.match(/apiKey|sk-sim/);
    should(existsSync(join(userDir, 'flows_cred.json'))).be.false();
  });

  it('shows a variation in the gallery without anyone clicking, within 20 s of starting', async function () {
    const entry = await waitForEntry(demo.url, (e) => e.state === 'done', 20_000);
    should(entry.title).equal('Square PNG (edit)');
    should(entry.settings).eql({ method: 'edit', model: 'gpt-image-2', size: 'auto', n: 1, responseFormat: 'url' });
    should(entry.images).have.length(1);
    should(Date.now() - startedAt).be.below(20_000);

    const image = await fetch(`${demo.url}/${entry.images[0]}`);
    should(image.headers.get('content-type')).equal('image/png');
    const source = await fetch(`${demo.url}/variations/source/${entry.id}`);
    should(source.headers.get('content-type')).equal('image/png');
    should(Buffer.from(await source.arrayBuffer()).equals(await readFile(join(userDir, 'demo-samples', 'square.png')))).be.true();

    // Mustache escapes the slashes of the relative links (&#x2F;), which browsers read back as '/'.
    const page = (await (await fetch(demo.galleryUrl)).text()).replaceAll('&#x2F;', '/');
    should(page).containEql(`<img src="variations/source/${entry.id}"`);
    should(page).containEql(`<img src="${entry.images[0]}" alt="variation 1">`);
    should(page).match(/<b>method<\/b>edit<\/span>/);
  });

  it('shows a failed request in the gallery with its error text', async function () {
    await fetch(`${demo.url}/inject/${GALLERY_IDS.injectMissing}`, { method: 'POST' });
    const entry = await waitForEntry(demo.url, (e) => e.title === 'Missing file (fails)' && e.state !== 'working');
    should(entry.state).equal('failed');
    should(entry.error!.code).equal('INVALID_INPUT');
    should(entry.error!.message).match(/missing\.png/);
    const page = await (await fetch(demo.galleryUrl)).text();
    should(page).containEql('<code>INVALID_INPUT</code>');
  });

  it('serves the legacy variations example from the gateway-playing simulator, with hosted URLs', async function () {
    await fetch(`${demo.url}/inject/${nodeId('inject-legacy')}`, { method: 'POST' });
    const entry = await waitForEntry(demo.url, (e) => e.settings.method === 'variations' && e.state !== 'working');
    should(entry.state).equal('done');
    should(entry.images).have.length(2);
    for (const url of entry.images) {
      should(url.startsWith(`${demo.simulator!.url}/files/`)).be.true();
      should((await fetch(url)).status).equal(200);
    }
  });

  it('creates variations of an image uploaded with the gallery form', async function () {
    const form = new FormData();
    const webp = await readFile(join(userDir, 'demo-samples', 'wide.webp'));
    form.append('image', new Blob([webp], { type: 'image/webp' }), 'wide.webp');
    form.append('method', 'edit');
    form.append('n', '2');
    form.append('model', '');
    const response = await fetch(`${demo.url}/variations/upload`, { method: 'POST', body: form, redirect: 'manual' });
    should(response.status).equal(303);
    should(response.headers.get('location')).equal('../variations');
    const entry = await waitForEntry(demo.url, (e) => e.title === 'Upload: wide.webp' && e.state !== 'working');
    should(entry.state).equal('done');
    should(entry.settings.n).equal(2);
    should(entry.images).have.length(2);
    const request = demo.simulator!.requests.filter((r) => r.path === '/v1/images/edits').at(-1)!;
    should(request.files[0].detectedType).equal('webp');
  });

  it('keeps the newest request on top', async function () {
    const entries = await readGallery(demo.url);
    should(entries[0].title).equal('Upload: wide.webp');
    should(entries.at(-1)!.title).equal('Square PNG (edit)');
  });

  it('stops cleanly: Node-RED exits, the simulator closes, the port is free again', async function () {
    const simulatorUrl = `${demo.simulator!.url}/files/none.png`;
    await demo.stop();
    should(await demo.exited).equal(0);
    should(() => process.kill(demo.nodeRedPid, 0)).throw(/ESRCH/);
    should(await refusesConnections(demo.url)).be.true();
    should(await refusesConnections(simulatorUrl)).be.true();
    should(await portIsFree(demo.port)).be.true();
  });
});

describe('issue 4: the demo user directory', function () {
  let userDir: string;
  beforeEach(async function () {
    userDir = await tempDir();
  });
  afterEach(async function () {
    await rm(userDir, { recursive: true, force: true });
  });

  const flowOf = async () => JSON.parse(await readFile(join(userDir, 'flows.json'), 'utf8')) as FlowNode[];
  const apiOf = (flow: FlowNode[]) => flow.find((node) => node.id === GALLERY_IDS.api)!;

  it('points the config node at api.openai.com when a key is used, leaving the credential empty', async function () {
    await prepareUserDir({ userDir, apiBaseURL: OPENAI_BASE_URL });
    should(apiOf(await flowOf())).have.property('baseURL', OPENAI_BASE_URL);
    should(JSON.stringify(await flowOf())).not.match(/apiKey|credentials/);
  });

  it('writes settings that keep Node-RED local and quiet', async function () {
    const { settingsFile } = await prepareUserDir({ userDir, apiBaseURL: OPENAI_BASE_URL });
    const settings = await readFile(settingsFile, 'utf8');
    should(settings).match(/uiHost: '127\.0\.0\.1'/);
    should(settings).match(/telemetry: \{ enabled: false \}/);
  });

  it('keeps an edited flow on the next start, with the new API address, unless reset', async function () {
    await prepareUserDir({ userDir, apiBaseURL: 'http://127.0.0.1:1111/v1' });
    const edited = await flowOf();
    edited.push({ id: 'added-by-user', type: 'comment', z: GALLERY_IDS.tab, name: 'mine', x: 100, y: 700, wires: [] });
    await writeFile(join(userDir, 'flows.json'), JSON.stringify(edited));

    should((await prepareUserDir({ userDir, apiBaseURL: 'http://127.0.0.1:2222/v1' })).flow).equal('kept');
    should((await flowOf()).some((node) => node.id === 'added-by-user')).be.true();
    should(apiOf(await flowOf())).have.property('baseURL', 'http://127.0.0.1:2222/v1');

    should((await prepareUserDir({ userDir, apiBaseURL: 'http://127.0.0.1:3333/v1', resetFlow: true })).flow).equal('created');
    should((await flowOf()).some((node) => node.id === 'added-by-user')).be.false();
  });
});

describe('issue 4: the npm start command line', function () {
  this.timeout(60_000);
  let userDir: string;
  let cli: ChildProcess | undefined;

  beforeEach(async function () {
    userDir = await tempDir();
  });
  afterEach(async function () {
    if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    await rm(userDir, { recursive: true, force: true });
  });

  /** Starts tools/demo/cli.ts as `npm start` does (without the build) and waits for its gallery address. */
  async function startCli(): Promise<{ galleryUrl: string; lines: string[] }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/demo/cli.ts', '--port', '0', '--no-build', '--user-dir', userDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, OPENAI_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cli = child;
    const lines: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
    const galleryUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        const match = /Gallery: +(http\S+)/.exec(line);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited (${code}):\n${lines.join('\n')}`)));
    });
    return { galleryUrl, lines };
  }

  it('prints where to open the editor and the gallery, and stops everything on SIGTERM', async function () {
    const { galleryUrl, lines } = await startCli();
    const url = galleryUrl.replace(/\/variations$/, '');
    should(lines.join('\n')).match(/Flow editor: http:\/\/127\.0\.0\.1:\d+\//);
    should((await fetch(galleryUrl)).status).equal(200);
    const exited = new Promise<number | null>((resolve) => cli!.once('exit', (code) => resolve(code)));
    cli!.kill('SIGTERM');
    should(await exited).equal(0);
    should(lines.join('\n')).match(/SIGTERM: stopping Node-RED and the simulator/);
    should(lines.join('\n')).match(/\[demo\] Stopped\./);
    should(await refusesConnections(url)).be.true();
  });

  it('leaves no Node-RED behind when the launcher itself is killed', async function () {
    const { galleryUrl } = await startCli();
    cli!.kill('SIGKILL');
    await eventually(() => refusesConnections(galleryUrl), 15_000, 'Node-RED to exit after its launcher was killed');
  });
});
