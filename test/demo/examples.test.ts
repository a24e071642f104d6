/**
 * The example flows (examples/*.json, offered in the editor's import menu). Each is read as a
 * user would import it, then deployed into the demo's real Node-RED through the admin API,
 * pointed at the simulator, and run from its first inject.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import should from 'should';
import { galleryExampleText, REPO_ROOT, type FlowNode } from '../../tools/demo/gallery-flow';
import { startDemo, type Demo } from '../../tools/demo/start';

const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
const examples = readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, text: readFileSync(join(EXAMPLES_DIR, file), 'utf8') }));

/** What each example's first inject should make the node ask the API for. */
const EXPECTED_ENDPOINT: Record<string, string> = {
  '01 - Basic variation.json': '/v1/images/edits',
  '02 - Save variations as files.json': '/v1/images/edits',
  '03 - Camera-style Buffer.json': '/v1/images/edits',
  '04 - Legacy variations on a gateway.json': '/v1/images/variations',
  '05 - Handle errors.json': '/v1/images/edits',
  '06 - Demo gallery.json': '/v1/images/edits',
};

describe('example flows', function () {
  it('has the six documented examples', function () {
    should(examples.map((example) => example.file)).eql(Object.keys(EXPECTED_ENDPOINT));
  });

  for (const { file, text } of examples) {
    describe(file, function () {
      const flow = JSON.parse(text) as FlowNode[];

      it('explains itself in a comment node', function () {
        const comments = flow.filter((node) => node.type === 'comment');
        should(comments.length).be.above(0);
        should(comments.some((node) => typeof node.info === 'string' && node.info.length > 200)).be.true();
      });

      it('carries no credentials and no key', function () {
        should(flow.some((node) => 'credentials' in node)).be.false();
        should(text).not.match(/apiKey|sk-[A-Za-z0-9]/);
      });

      it('has one config node, used by every create-image-variation node', function () {
        const apis = flow.filter((node) => node.type === 'openai-image-api');
        should(apis).have.length(1);
        const variations = flow.filter((node) => node.type === 'create-image-variation');
        should(variations.length).be.above(0);
        for (const node of variations) should(node.api).equal(apis[0].id);
      });

      it('has unique ids and wires that lead to nodes of the same file', function () {
        const ids = flow.map((node) => node.id);
        should(new Set(ids).size).equal(ids.length);
        for (const node of flow) {
          for (const target of ((node.wires as string[][] | undefined) ?? []).flat()) should(ids).containEql(target);
        }
      });
    });
  }

  it('06 is up to date with its sources in tools/demo/gallery (tsx tools/demo/gallery-flow.ts)', function () {
    should(examples.find((example) => example.file === '06 - Demo gallery.json')!.text).equal(galleryExampleText());
  });
});

describe('example flows in the real runtime', function () {
  this.timeout(60_000);
  let demo: Demo;
  let userDir: string;
  const log: string[] = [];

  before(async function () {
    userDir = await mkdtemp(join(tmpdir(), 'variation-examples-test-'));
    demo = await startDemo({ port: 0, userDir, apiKey: '', log: () => {}, nodeRedLog: (line) => log.push(line) });
  });
  after(async function () {
    await demo?.stop();
    await rm(userDir, { recursive: true, force: true });
  });

  /** Deploys the nodes as the only flow (on a tab of their own when they come without one). */
  async function deploy(flow: FlowNode[]): Promise<void> {
    const tab = flow.find((node) => node.type === 'tab') ?? { id: 'examples-test-tab', type: 'tab', label: 'example' };
    const nodes = flow
      .filter((node) => node.type !== 'tab')
      .map((node) => {
        if (node.type === 'openai-image-api') return { ...node, baseURL: demo.simulator!.baseURL };
        return 'x' in node && !node.z ? { ...node, z: tab.id } : node;
      });
    const logged = log.length;
    const response = await fetch(`${demo.url}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify({ flows: [tab, ...nodes] }),
    });
    should(response.status).equal(200, await response.clone().text());
    const deadline = Date.now() + 10_000;
    while (!log.slice(logged).some((line) => /\] Started flows$/.test(line))) {
      const missing = log.slice(logged).find((line) => /missing types/.test(line));
      if (missing) throw new Error(`${missing}\n${log.slice(logged).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`flows did not start:\n${log.slice(logged).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  for (const { file, text } of examples) {
    it(`${file}: deploys with every node type known, and its first inject reaches the API`, async function () {
      const flow = JSON.parse(text) as FlowNode[];
      const registered = ((await (await fetch(`${demo.url}/nodes`, { headers: { accept: 'application/json' } })).json()) as Array<{
        types: string[];
      }>).flatMap((set) => set.types);
      for (const type of new Set(flow.map((node) => node.type))) {
        if (type !== 'tab') should(registered).containEql(type);
      }

      demo.simulator!.reset();
      await deploy(flow);
      const inject = flow.find((node) => node.type === 'inject')!;
      should((await fetch(`${demo.url}/inject/${inject.id}`, { method: 'POST' })).status).equal(200);
      const [request] = await demo.simulator!.waitForRequests(1, 10_000);
      should(request.path).equal(EXPECTED_ENDPOINT[file]);
      await until(async () => request.status !== undefined);
      should(request.status).equal(200);
      if (file.startsWith('02 ')) {
        // Its write file node stores both images (fileWorkingDirectory is the user directory).
        const written = () => readdir(join(userDir, 'variations')).catch(() => [] as string[]);
        await until(async () => (await written()).length === 2);
        should((await written()).every((name) => /^[0-9a-f]+-[12]\.png$/.test(name))).be.true();
      }
    });
  }
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
