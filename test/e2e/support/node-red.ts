/**
 * A real Node-RED for the end-to-end tests: a temporary user directory where the package is
 * installed the way a user has it (node_modules/@variantflow/... is a symlink to this working
 * tree, listed in the user directory's package.json), an empty flow, and Node-RED started as a
 * child process on a free loopback port by the demo's launcher.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../../tools/demo/gallery-flow';
import { startNodeRed } from '../../../tools/demo/node-red-process';
import { PACKAGE_NAME } from '../../../tools/demo/user-dir';

const HOST = '127.0.0.1';

const SETTINGS = `module.exports = {
    uiHost: '${HOST}',
    flowFile: 'flows.json',
    credentialSecret: 'e2e-fixed-credential-secret',
    // No update or telemetry question at first open, no welcome tour over the workspace.
    telemetry: { enabled: false },
    // The palette manager's catalogue is on the internet; the tests stay on loopback.
    editorTheme: { tours: false, palette: { catalogues: [] } },
    // Info level, because the launcher waits for "Started flows"; the test keeps the lines
    // to itself and shows them only when Node-RED fails to start.
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;

export interface EditorServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly userDir: string;
  /** What Node-RED printed so far (for failure reports). */
  readonly log: readonly string[];
  /** Stops Node-RED and removes the user directory. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startEditorServer(): Promise<EditorServer> {
  const userDir = await mkdtemp(join(tmpdir(), 'variation-e2e-'));
  const log: string[] = [];
  try {
    await installPackage(userDir);
    const settingsFile = join(userDir, 'settings.js');
    await writeFile(settingsFile, SETTINGS);
    await writeFile(join(userDir, 'flows.json'), '[]\n');
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The key must come from the config node the test creates, not from the environment.
    delete env.OPENAI_API_KEY;
    const nodeRed = await startNodeRed({
      userDir,
      settingsFile,
      port,
      env,
      onLine: (line) => log.push(line),
      startTimeoutMs: 60_000,
    });
    let stopping: Promise<void> | undefined;
    return {
      url: `http://${HOST}:${port}`,
      userDir,
      log,
      stop() {
        stopping ??= nodeRed.stop().finally(() => rm(userDir, { recursive: true, force: true }));
        return stopping;
      },
    };
  } catch (error) {
    await rm(userDir, { recursive: true, force: true });
    throw error;
  }
}

async function installPackage(userDir: string): Promise<void> {
  const link = join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  await mkdir(dirname(link), { recursive: true });
  await symlink(REPO_ROOT, link, 'junction');
  const manifest = {
    name: 'node-red-e2e-user-dir',
    version: '0.0.0',
    private: true,
    dependencies: { [PACKAGE_NAME]: `file:${REPO_ROOT}` },
  };
  await writeFile(join(userDir, 'package.json'), `${JSON.stringify(manifest, null, 4)}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: HOST, port: 0 }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
