/**
 * Upgrade safety: a flow saved by an earlier version keeps working after the package is updated.
 * fixtures/flow-v1.json is a flow as the 1.0.0 editor saves it (every property of both nodes).
 * Node-RED starts with it as its flow file, the way it starts after `npm update` and a restart,
 * and the flow runs against the simulator.
 *
 * When a property is renamed, keep flow-v1.json as it is, migrate old flows in the runtime and
 * in the editor (oneditprepare), and record the rename in RENAMED_SINCE_V1 below.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import should from 'should';
import { makeTestPng, startSimulator, DEFAULT_API_KEY, type Simulator } from '../../tools/simulator';
import { editorDefinition, getJson, NODE_RED_VERSION, PACKAGE, REPO_ROOT, runNodeRed, until, writeSettings, type RunningNodeRed } from './support';

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Old flow property -> the property that replaced it, per node type. None so far. */
const RENAMED_SINCE_V1: Record<string, Record<string, string>> = {
  'create-image-variation': {},
  'openai-image-api': {},
};
/** Properties added after 1.0.0, per node type; old flows load without them. None so far. */
const ADDED_SINCE_V1: Record<string, string[]> = {
  'create-image-variation': [],
  'openai-image-api': [],
};
/** What the editor saves for every node besides its `defaults`. */
const LAYOUT = ['id', 'type', 'z', 'g', 'x', 'y', 'w', 'h', 'wires'];

const SAVED: FlowNode[] = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'flow-v1.json'), 'utf8'));
const ours = (type: string) => SAVED.filter((node) => node.type === type);
const [editNode, variationsNode] = ours('create-image-variation');
const [apiNode] = ours('openai-image-api');

describe('upgrade safety: a flow saved by 1.0.0', function () {
  describe('in the editor', function () {
    for (const type of Object.keys(RENAMED_SINCE_V1)) {
      it(`${type}: every saved property is still a property of the form, or migrated`, function () {
        const current = Object.keys(editorDefinition(type).defaults);
        const renamed = RENAMED_SINCE_V1[type];
        for (const node of ours(type)) {
          const saved = Object.keys(node).filter((key) => !LAYOUT.includes(key));
          should(saved.filter((key) => !current.includes(key) && !(key in renamed))).eql([], 'a saved property vanished without a migration');
          const known = [...saved.map((key) => renamed[key] ?? key), ...ADDED_SINCE_V1[type]];
          should(current.filter((key) => !known.includes(key))).eql([], 'the form has a property flow-v1.json does not explain');
        }
      });
    }

    it('openai-image-api keeps its key in the credential apiKey', function () {
      should(editorDefinition('openai-image-api').credentials).eql({ apiKey: { type: 'password' } });
    });
  });

  describe(`in the runtime (Node-RED ${NODE_RED_VERSION}, Node.js ${process.version})`, function () {
    this.timeout(30_000);
    let userDir: string;
    let simulator: Simulator;
    let nodeRed: RunningNodeRed;

    before(async function () {
      this.timeout(90_000);
      userDir = await mkdtemp(join(tmpdir(), 'variation-upgrade-'));
      // The package as an installed module of this user directory.
      const link = join(userDir, 'node_modules', ...PACKAGE.name.split('/'));
      await mkdir(dirname(link), { recursive: true });
      await symlink(REPO_ROOT, link, 'junction');
      await mkdir(join(userDir, 'images'));
      await writeFile(join(userDir, 'images', 'source.png'), await makeTestPng(256, 256));
      // A gateway that still serves the legacy variations endpoint.
      simulator = await startSimulator({ retiredModels: false });
      const flow = SAVED.map((node) => (node.id === apiNode.id ? { ...node, baseURL: simulator.baseURL } : node));
      await writeFile(join(userDir, 'flows.json'), JSON.stringify(flow, null, 4));
      // Credentials as Node-RED stores them beside the flow (settings: credentialSecret false).
      await writeFile(join(userDir, 'flows_cred.json'), JSON.stringify({ [apiNode.id]: { apiKey: DEFAULT_API_KEY } }, null, 4));
      nodeRed = await runNodeRed(userDir, await writeSettings(userDir));
    });

    after(async function () {
      this.timeout(30_000);
      await nodeRed?.stop();
      await simulator?.close();
      if (userDir) await rm(userDir, { recursive: true, force: true });
    });

    it('starts the flow with no error, and keeps every saved property', async function () {
      should(nodeRed.log.filter((line) => /\[(error|warn)\].*(create-image-variation|openai-image-api)/.test(line))).eql([]);
      should(nodeRed.log.filter((line) => /\[error\]/.test(line))).eql([]);
      const flows = await getJson<FlowNode[]>(`${nodeRed.url}/flows`);
      for (const saved of [editNode, variationsNode]) should(flows.find((node) => node.id === saved.id)).eql(saved);
      should(flows.find((node) => node.id === apiNode.id)).match({ ...apiNode, baseURL: simulator.baseURL });
    });

    it('runs it: each node sends its saved settings to the API and its answer reaches the flow', async function () {
      simulator.reset();
      const injected = await fetch(`${nodeRed.url}/inject/${SAVED.find((node) => node.type === 'inject')!.id}`, { method: 'POST' });
      should(injected.status).equal(200);
      const results = join(userDir, 'results');
      await until(() => existsSync(join(results, 'edit.json')) && existsSync(join(results, 'variations.json')), 15_000);

      should(existsSync(join(results, 'failed.txt'))).be.false();
      should(JSON.parse(await readFile(join(results, 'edit.json'), 'utf8')).data).have.length(2);
      should(JSON.parse(await readFile(join(results, 'variations.json'), 'utf8')).data[0].url).startWith(simulator.url);

      const requests = simulator.requests.filter((request) => request.path.startsWith('/v1/images/'));
      const edit = requests.find((request) => request.path === '/v1/images/edits')!;
      should(edit.fields).eql({
        prompt: editNode.prompt,
        model: editNode.model,
        n: editNode.count,
        size: editNode.size,
        safety_identifier: editNode.user,
      });
      should(edit.headers).match({ 'openai-organization': apiNode.organization, 'openai-project': apiNode.project });
      const variations = requests.find((request) => request.path === '/v1/images/variations')!;
      should(variations.fields).eql({ n: '1', response_format: 'url', size: '256x256' });
      should(requests.every((request) => request.authorized)).be.true();
      // maxConcurrent "1": the second request started after the first had ended.
      const [first, second] = [...requests].sort((a, b) => a.startedAt - b.startedAt);
      should(second.startedAt).be.aboveOrEqual(first.endedAt!);
    });
  });
});
