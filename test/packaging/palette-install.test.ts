/**
 * SPEC 1: the package installs like a palette package. `npm pack` builds the tarball a user gets
 * from the registry; it is installed into a fresh Node-RED user directory the way the palette
 * manager does, Node-RED is started from that directory, and the admin API shows what a user
 * would see: both nodes loaded, the examples offered, a deployed flow that works.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import should from 'should';
import { makeTestPng, sniffImage, startSimulator, DEFAULT_API_KEY, type Simulator } from '../../tools/simulator';
import {
  deploy,
  getJson,
  npm,
  NODE_RED_VERSION,
  PACKAGE,
  REPO_ROOT,
  runNodeRed,
  writeSettings,
  type RunningNodeRed,
} from './support';

/** Everything a user's Node-RED needs, and nothing else. */
const SHIPPED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^examples\/[^/]+\.json$/,
  /^dist\/nodes\/[\w-]+\/[\w-]+\.(js|html)$/,
  /^dist\/nodes\/[\w-]+\/locales\/[\w-]+\/[\w-]+\.(json|html)$/,
  /^dist\/nodes\/[\w-]+\/icons\/[\w.-]+\.(svg|png)$/,
];

const NODE_TYPES = Object.keys(PACKAGE['node-red'].nodes);
const EXAMPLES = readdirSync(join(REPO_ROOT, 'examples')).filter((file) => file.endsWith('.json'));

/** The files TypeScript compiles for the runtime: each must ship as .js. */
function compiledSources(dir = join(REPO_ROOT, 'nodes'), prefix = 'dist/nodes'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return entry.name === 'locales' ? [] : compiledSources(join(dir, entry.name), `${prefix}/${entry.name}`);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [`${prefix}/${entry.name.replace(/\.ts$/, '.js')}`] : [];
  });
}

interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  version: string;
  err?: unknown;
}

describe(`palette install of the packed tarball (Node-RED ${NODE_RED_VERSION}, Node.js ${process.version})`, function () {
  this.timeout(30_000);
  let work: string;
  let files: string[];
  let userDir: string;
  let simulator: Simulator;
  let nodeRed: RunningNodeRed;

  before(async function () {
    this.timeout(240_000);
    work = await mkdtemp(join(tmpdir(), 'variation-palette-'));
    // prepack builds dist/ from the sources.
    const { stdout } = await npm(['pack', '--json', '--pack-destination', work], REPO_ROOT);
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed.files.map((file) => file.path).sort();
    const tarball = join(work, basename(packed.filename));

    userDir = join(work, 'node-red');
    await mkdir(userDir);
    // What Node-RED writes into a new user directory.
    await writeFile(
      join(userDir, 'package.json'),
      JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }, null, 4),
    );
    // The palette manager's install command.
    await npm(
      ['install', '--no-audit', '--no-update-notifier', '--no-fund', '--save', '--save-prefix=~', '--omit=dev', '--engine-strict', tarball],
      userDir,
    );
    await writeFile(join(userDir, 'input.png'), await makeTestPng(256, 256));
    const settingsFile = await writeSettings(userDir);
    simulator = await startSimulator();
    nodeRed = await runNodeRed(userDir, settingsFile);
  });

  after(async function () {
    this.timeout(30_000);
    await nodeRed?.stop();
    await simulator?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('the tarball', function () {
    it('holds only what runs: built nodes, catalogues, icons, examples, package.json, README.md, LICENSE', function () {
      should(files.filter((file) => !SHIPPED.some((pattern) => pattern.test(file)))).eql([]);
    });

    it('holds every compiled runtime module, each node beside its editor, catalogues and icon', function () {
      const expected = [
        'package.json',
        'README.md',
        'LICENSE',
        ...compiledSources(),
        ...EXAMPLES.map((file) => `examples/${file}`),
        ...NODE_TYPES.flatMap((type) => {
          const js = PACKAGE['node-red'].nodes[type];
          const locales = readdirSync(join(REPO_ROOT, 'nodes', type, 'locales'));
          return [
            js,
            js.replace(/\.js$/, '.html'),
            ...locales.flatMap((lang) => [`dist/nodes/${type}/locales/${lang}/${type}.json`, `dist/nodes/${type}/locales/${lang}/${type}.html`]),
            ...readdirSync(join(REPO_ROOT, 'icons')).map((icon) => `dist/nodes/${type}/icons/${icon}`),
          ];
        }),
      ];
      should(expected.filter((file) => !files.includes(file))).eql([]);
    });
  });

  describe('the install', function () {
    it('brings the runtime dependencies and none of the development ones', function () {
      const installed = readdirSync(join(userDir, 'node_modules'));
      for (const name of Object.keys(PACKAGE.dependencies ?? {})) should(installed).containEql(name.split('/')[0]);
      const devOnly = Object.keys(PACKAGE.devDependencies ?? {}).filter((name) => installed.includes(name.split('/')[0]) && !name.startsWith('@types/'));
      should(devOnly).eql([]);
      should(readdirSync(join(userDir, 'node_modules', ...PACKAGE.name.split('/'))).sort()).eql(['LICENSE', 'README.md', 'dist', 'examples', 'package.json']);
    });

    it('is recorded in the user directory like a palette install', function () {
      const manifest = JSON.parse(readFileSync(join(userDir, 'package.json'), 'utf8'));
      should(Object.keys(manifest.dependencies)).eql([PACKAGE.name]);
    });
  });

  describe('Node-RED', function () {
    it('registers both node types, enabled, with no load error', async function () {
      const sets = (await getJson<NodeSet[]>(`${nodeRed.url}/nodes`)).filter((set) => set.module === PACKAGE.name);
      should(sets.flatMap((set) => set.types).sort()).eql([...NODE_TYPES].sort());
      for (const set of sets) {
        should(set).not.have.property('err');
        should(set.enabled).be.true();
        should(set.version).equal(PACKAGE.version);
      }
    });

    it('serves both editor definitions, their help, catalogues and the icon', async function () {
      const html = await (await fetch(`${nodeRed.url}/nodes`, { headers: { accept: 'text/html' } })).text();
      for (const type of NODE_TYPES) {
        should(html).containEql(`RED.nodes.registerType("${type}"`);
        should(html).containEql(`data-help-name="${type}"`);
        const catalogue = await getJson<Record<string, unknown>>(`${nodeRed.url}/locales/${PACKAGE.name}/${type}?lng=en-US`);
        should(catalogue).have.property(type);
      }
      const icon = await fetch(`${nodeRed.url}/icons/${PACKAGE.name}/${readdirSync(join(REPO_ROOT, 'icons'))[0]}`);
      should(icon.status).equal(200);
      should(icon.headers.get('content-type')).match(/^image\//);
    });

    it("offers every example flow in the editor's import menu", async function () {
      const modules = await getJson<string[]>(`${nodeRed.url}/library/examples/flows`);
      should(modules).containEql(PACKAGE.name);
      const entries = await getJson<Array<{ fn: string }>>(`${nodeRed.url}/library/examples/flows/${PACKAGE.name}`);
      should(entries.map((entry) => entry.fn).sort()).eql(EXAMPLES.map((file) => file.replace(/\.json$/, '')).sort());
      const first = EXAMPLES[0].replace(/\.json$/, '');
      const served = await getJson<unknown>(`${nodeRed.url}/library/examples/flows/${PACKAGE.name}/${encodeURIComponent(first)}`);
      should(served).eql(JSON.parse(readFileSync(join(REPO_ROOT, 'examples', EXAMPLES[0]), 'utf8')));
    });

    it('runs a deployed flow: an HTTP request in, a variation from the simulator out', async function () {
      await deploy(nodeRed, [
        { id: 'palette-tab', type: 'tab', label: 'palette install' },
        {
          id: 'palette-api',
          type: 'openai-image-api',
          name: 'simulator',
          baseURL: simulator.baseURL,
          timeout: '30',
          maxRetries: '0',
          credentials: { apiKey: DEFAULT_API_KEY },
        },
        { id: 'palette-in', type: 'http in', z: 'palette-tab', url: '/palette-check', method: 'get', x: 100, y: 100, wires: [['palette-node']] },
        {
          id: 'palette-node',
          type: 'create-image-variation',
          z: 'palette-tab',
          api: 'palette-api',
          imagePath: 'input.png',
          x: 300,
          y: 100,
          wires: [['palette-ok'], ['palette-why']],
        },
        { id: 'palette-ok', type: 'http response', z: 'palette-tab', statusCode: '200', headers: { 'content-type': 'image/png' }, x: 500, y: 80, wires: [] },
        {
          id: 'palette-why',
          type: 'change',
          z: 'palette-tab',
          rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'errorMessage', tot: 'msg' }],
          x: 500,
          y: 140,
          wires: [['palette-failed']],
        },
        { id: 'palette-failed', type: 'http response', z: 'palette-tab', statusCode: '502', x: 700, y: 140, wires: [] },
      ]);
      simulator.reset();

      const response = await fetch(`${nodeRed.url}/palette-check`);
      const body = Buffer.from(await response.arrayBuffer());
      should(response.status).equal(200, body.toString('utf8', 0, 500));
      should(sniffImage(body)).match({ type: 'png', width: 1024, height: 1024 });
      const api = simulator.requests.filter((request) => request.path.startsWith('/v1/images/'));
      should(api).have.length(1);
      should(api[0]).match({ path: '/v1/images/edits', authorized: true, status: 200 });
      should(api[0].files[0]).match({ detectedType: 'png', width: 256, height: 256 });
    });

    it('logs no error or warning about the package', function () {
      const ours = nodeRed.log.filter(
        (line) => /\[(warn|error)\]/.test(line) && /variantflow|image-variation|openai-image-api|openai/i.test(line),
      );
      should(ours).eql([]);
      should(nodeRed.log.filter((line) => /\[error\]/.test(line))).eql([]);
    });
  });
});
