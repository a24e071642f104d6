/**
 * The soak's Node-RED user directory: the package "installed" by a symlink to the working tree
 * (so its built `dist` is what runs), a settings file with two hooks for the driver, the flow,
 * and a sample image. Everything lives in a temporary folder the soak removes afterwards.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { makeTestPng } from '../simulator';

const REPO_ROOT = resolve(__dirname, '..', '..');
const PACKAGE_NAME = '@variantflow/node-red-openai-image-variation';
export const SAMPLE_IMAGE = 'soak.png';

export interface ApiSettings {
  baseURL: string;
  timeoutSeconds: number;
  maxRetries: number;
  maxConcurrent: number;
  queueLimit: number;
}

/**
 * `soakReport` collects outcome events that GET /soak/outcomes hands to the driver (and clears);
 * `soakProbe` measures this process (GET /soak/probe). The editor and admin API are off.
 */
const SETTINGS = `// Written by tools/soak for one soak run.
const events = [];
module.exports = {
    uiHost: '127.0.0.1',
    httpAdminRoot: false,
    flowFile: 'flows.json',
    // No credentials: the key comes from OPENAI_API_KEY, as SPEC 2 allows.
    credentialSecret: false,
    telemetry: { enabled: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    functionGlobalContext: {
        soakReport: (event) => { events.push(event); },
        soakDrain: () => events.splice(0, events.length),
        soakProbe: (collectGarbage) => {
            if (collectGarbage && typeof globalThis.gc === 'function') globalThis.gc();
            const memory = process.memoryUsage();
            const resources = {};
            for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] || 0) + 1;
            return { rss: memory.rss, heapUsed: memory.heapUsed, resources };
        },
    },
};
`;

const ACCEPT = `const body = msg.payload || {};
const out = { soakId: body.id, user: body.id };
if (body.image !== undefined) out.image = body.image;
else out.imagePath = body.imagePath;
if (body.n !== undefined) out.n = body.n;
msg.payload = { accepted: body.id };
msg.statusCode = 202;
return [msg, out];`;

const report = (fields: string) => `global.get('soakReport')({ id: msg.soakId, at: Date.now(), ${fields} });\nreturn null;`;

function flow(api: ApiSettings): Record<string, unknown>[] {
  const z = 'soak-tab';
  const at = { z, x: 100, y: 100 };
  return [
    { id: z, type: 'tab', label: 'soak' },
    {
      id: 'soak-api',
      type: 'openai-image-api',
      name: 'simulator',
      baseURL: api.baseURL,
      timeout: String(api.timeoutSeconds),
      maxRetries: String(api.maxRetries),
      maxConcurrent: String(api.maxConcurrent),
      queueLimit: String(api.queueLimit),
    },
    { id: 'soak-in', type: 'http in', ...at, url: '/soak', method: 'post', upload: false, wires: [['soak-accept']] },
    { id: 'soak-accept', type: 'function', ...at, func: ACCEPT, outputs: 2, wires: [['soak-ack'], ['soak-variation']] },
    { id: 'soak-ack', type: 'http response', ...at, statusCode: '', headers: {}, wires: [] },
    {
      id: 'soak-variation',
      type: 'create-image-variation',
      ...at,
      name: 'soak',
      api: 'soak-api',
      size: '64x64',
      wires: [['soak-success'], ['soak-failed']],
    },
    { id: 'soak-success', type: 'function', ...at, func: report("kind: 'success', parts: msg.parts ? msg.parts.count : 1"), outputs: 1, wires: [[]] },
    { id: 'soak-failed', type: 'function', ...at, func: report("kind: 'failed', code: msg.error && msg.error.code"), outputs: 1, wires: [[]] },
    { id: 'soak-complete', type: 'complete', ...at, scope: ['soak-variation'], uncaught: false, wires: [['soak-done']] },
    { id: 'soak-done', type: 'function', ...at, func: report("kind: 'done'"), outputs: 1, wires: [[]] },
    { id: 'soak-outcomes-in', type: 'http in', ...at, url: '/soak/outcomes', method: 'get', wires: [['soak-outcomes']] },
    { id: 'soak-outcomes', type: 'function', ...at, func: "msg.payload = global.get('soakDrain')();\nreturn msg;", outputs: 1, wires: [['soak-outcomes-out']] },
    { id: 'soak-outcomes-out', type: 'http response', ...at, statusCode: '', headers: {}, wires: [] },
    { id: 'soak-probe-in', type: 'http in', ...at, url: '/soak/probe', method: 'get', wires: [['soak-probe']] },
    { id: 'soak-probe', type: 'function', ...at, func: "msg.payload = global.get('soakProbe')(msg.req.query.gc === '1');\nreturn msg;", outputs: 1, wires: [['soak-probe-out']] },
    { id: 'soak-probe-out', type: 'http response', ...at, statusCode: '', headers: {}, wires: [] },
  ];
}

/** Writes the user directory; returns the settings file for red.js. */
export async function prepareUserDir(userDir: string, api: ApiSettings): Promise<string> {
  const link = join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  await mkdir(join(link, '..'), { recursive: true });
  await symlink(REPO_ROOT, link, 'junction');
  await writeFile(join(userDir, 'package.json'), JSON.stringify({ name: 'soak', private: true, dependencies: { [PACKAGE_NAME]: `file:${REPO_ROOT}` } }));
  await writeFile(join(userDir, 'flows.json'), JSON.stringify(flow(api), null, 2));
  await writeFile(join(userDir, SAMPLE_IMAGE), await makeTestPng(64, 64, { seed: 7 }));
  const settingsFile = join(userDir, 'settings.js');
  await writeFile(settingsFile, SETTINGS);
  return settingsFile;
}
