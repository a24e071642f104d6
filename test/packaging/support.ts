/**
 * What the packaging tests share: npm run the way a user runs it, a Node-RED user directory,
 * Node-RED started from it as a child process (the project's own node-red), and its admin API.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import vm from 'node:vm';
import { startNodeRed, type NodeRedProcess } from '../../tools/demo/node-red-process';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  'node-red': { version: string; nodes: Record<string, string> };
}

export const PACKAGE: PackageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

/** The Node-RED these tests start: the project's devDependency, or the one a CI matrix leg put there. */
export const NODE_RED_VERSION: string = JSON.parse(
  readFileSync(join(dirname(require.resolve('node-red/red.js')), 'package.json'), 'utf8'),
).version;

/**
 * The environment of the child processes: without npm's run-script variables (an inherited
 * `npm_config_prefix` would point an install at this repository) and without a real API key.
 * This Node.js comes first on PATH, so npm runs on the Node.js the tests run on.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'OPENAI_API_KEY'),
  );
  env.PATH = [dirname(process.execPath), process.env.PATH].join(delimiter);
  return env;
}

/** Runs npm; rejects with its output when it fails. */
export function npm(args: string[], cwd: string, timeoutMs = 150_000): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`npm ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${stdout}\n${stderr}`));
    });
  });
}

/** A settings file for a test user directory: loopback only, no telemetry, credentials stored plain. */
export async function writeSettings(userDir: string): Promise<string> {
  const settingsFile = join(userDir, 'settings.js');
  await writeFile(
    settingsFile,
    `module.exports = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    fileWorkingDirectory: __dirname,
    telemetry: { enabled: false },
    editorTheme: { tours: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`,
  );
  return settingsFile;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningNodeRed {
  url: string;
  /** Every line Node-RED has printed. */
  log: string[];
  process: NodeRedProcess;
  stop(): Promise<void>;
}

export async function runNodeRed(userDir: string, settingsFile: string): Promise<RunningNodeRed> {
  const log: string[] = [];
  const port = await freePort();
  const child = await startNodeRed({
    userDir,
    settingsFile,
    port,
    env: childEnv(),
    onLine: (line) => log.push(line),
    startTimeoutMs: 60_000,
  });
  return { url: `http://127.0.0.1:${port}`, log, process: child, stop: () => child.stop() };
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Deploys `flows` as the whole configuration and waits until Node-RED has started them. */
export async function deploy(nodeRed: RunningNodeRed, flows: object[]): Promise<void> {
  const logged = nodeRed.log.length;
  const response = await fetch(`${nodeRed.url}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flows),
  });
  if (response.status !== 200 && response.status !== 204) {
    throw new Error(`deploy: ${response.status} ${await response.text()}`);
  }
  await until(() => {
    const since = nodeRed.log.slice(logged);
    const missing = since.find((line) => /missing types/i.test(line));
    if (missing) throw new Error(`deploy: ${missing}\n${since.join('\n')}`);
    return since.some((line) => /\] Started flows$/.test(line));
  }, 15_000);
}

/** Resolves once `check` holds, polling; a throw from `check` rejects at once. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface EditorDefinition {
  defaults: Record<string, unknown>;
  credentials?: Record<string, { type: string }>;
}

/**
 * A node's definition as the editor registers it, read from the built `.html` the package ships:
 * its `defaults` are the properties the editor saves into a flow.
 */
export function editorDefinition(type: string): EditorDefinition {
  const html = readFileSync(join(REPO_ROOT, 'dist', 'nodes', type, `${type}.html`), 'utf8');
  const definitions: Record<string, EditorDefinition> = {};
  const RED = { nodes: { registerType: (name: string, definition: EditorDefinition) => (definitions[name] = definition) } };
  for (const [, script] of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
    vm.runInNewContext(script, { RED });
  }
  const definition = definitions[type];
  if (!definition) throw new Error(`${type}.html registers no "${type}"`);
  // Plain objects of this realm, not of the script's context, so deep comparisons work.
  return { defaults: definition.defaults, credentials: definition.credentials && JSON.parse(JSON.stringify(definition.credentials)) };
}
