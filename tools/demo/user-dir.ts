/**
 * The demo's Node-RED user directory: a settings file, the package "installed" by a symlink in
 * node_modules (so Node-RED loads it, its examples included, exactly like a palette install),
 * the sample images and the demo flow. Everything here is rewritten on each start except the
 * flow, which keeps the user's edits unless a reset is asked for.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { makeSamples, SAMPLES_FOLDER } from '../samples/make-samples';
import { GALLERY_EXAMPLE, GALLERY_IDS, REPO_ROOT, type FlowNode } from './gallery-flow';

export const PACKAGE_NAME: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).name;

export interface UserDirOptions {
  userDir: string;
  /** The API the demo's config node points at. */
  apiBaseURL: string;
  /** Rewrite flows.json from the example even when one exists. */
  resetFlow?: boolean;
}

export interface PreparedUserDir {
  settingsFile: string;
  flowFile: string;
  /** `created`: written from the example; `kept`: the existing flow, its API address updated. */
  flow: 'created' | 'kept';
}

const SETTINGS = `// Written by \`npm start\` (tools/demo/user-dir.ts) on every start: change that file, not this one.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    flowFilePretty: true,
    // A random key kept beside this file, so a key typed into the editor is stored encrypted.
    credentialSecret: readFileSync(join(__dirname, '.credential-secret'), 'utf8').trim(),
    // File nodes resolve relative paths like create-image-variation does: against the user directory.
    fileWorkingDirectory: __dirname,
    telemetry: { enabled: false },
    editorTheme: {
        tours: false,
        page: { title: 'Node-RED: image variation demo' },
        header: { title: 'Node-RED: image variation demo' },
    },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;

export async function prepareUserDir(options: UserDirOptions): Promise<PreparedUserDir> {
  const { userDir } = options;
  await mkdir(userDir, { recursive: true });
  await makeSamples(join(userDir, SAMPLES_FOLDER));
  await linkPackage(userDir);
  await writeUserPackageJson(userDir);
  const secretFile = join(userDir, '.credential-secret');
  if (!existsSync(secretFile)) await writeFile(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const settingsFile = join(userDir, 'settings.js');
  await writeFile(settingsFile, SETTINGS);
  const flowFile = join(userDir, 'flows.json');
  const flow = await writeFlow(flowFile, options);
  return { settingsFile, flowFile, flow };
}

/** <userDir>/node_modules/<package name> -> the working tree, relative so the folder can move with the repo. */
async function linkPackage(userDir: string): Promise<void> {
  const link = join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  const target = relative(dirname(link), REPO_ROOT) || '.';
  const current = await lstat(link).catch(() => undefined);
  if (current?.isSymbolicLink() && (await readlink(link)) === target) return;
  if (current) await rm(link, { recursive: true, force: true });
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link, 'junction');
}

/** Lists the package as a user install, as the palette manager would after installing it. */
async function writeUserPackageJson(userDir: string): Promise<void> {
  const manifest = {
    name: 'node-red-image-variation-demo',
    description: 'Node-RED user directory of `npm start` (generated)',
    version: '0.0.0',
    private: true,
    dependencies: { [PACKAGE_NAME]: `file:${relative(userDir, REPO_ROOT) || '.'}` },
  };
  await writeFile(join(userDir, 'package.json'), `${JSON.stringify(manifest, null, 4)}\n`);
}

async function writeFlow(flowFile: string, options: UserDirOptions): Promise<PreparedUserDir['flow']> {
  const existing = options.resetFlow ? undefined : await readFlow(flowFile);
  const flow = existing ?? (JSON.parse(await readFile(GALLERY_EXAMPLE, 'utf8')) as FlowNode[]);
  for (const node of flow) {
    if (node.id === GALLERY_IDS.api) node.baseURL = options.apiBaseURL;
  }
  await writeFile(flowFile, `${JSON.stringify(flow, null, 4)}\n`);
  return existing ? 'kept' : 'created';
}

async function readFlow(flowFile: string): Promise<FlowNode[] | undefined> {
  try {
    const flow: unknown = JSON.parse(await readFile(flowFile, 'utf8'));
    return Array.isArray(flow) && flow.length > 0 ? (flow as FlowNode[]) : undefined;
  } catch {
    return undefined;
  }
}
