/**
 * Node-RED as a child process: the project's own node-red (node_modules/node-red/red.js), run by
 * the same Node.js as the launcher. A child keeps Node-RED's process-wide state out of the
 * launcher (and out of test runs that use node-red-node-test-helper), and it can be stopped like
 * any Node-RED: SIGTERM, which stops the flows and exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';

export interface NodeRedOptions {
  userDir: string;
  settingsFile: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** Every line Node-RED prints. */
  onLine: (line: string) => void;
  startTimeoutMs: number;
}

export interface NodeRedProcess {
  readonly pid: number;
  /** Settles when the process has exited, with its exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

const RED_JS = require.resolve('node-red/red.js');
/** The project's own Node.js (devDependency `node`), for when the launcher runs on an older one. */
const PROJECT_NODE = join(__dirname, '..', '..', 'node_modules', 'node', 'bin', 'node');
const EXIT_WITH_PARENT = join(__dirname, 'exit-with-parent.cjs');
const STOP_GRACE_MS = 10_000;

export async function startNodeRed(options: NodeRedOptions): Promise<NodeRedProcess> {
  const child = spawn(
    nodeForNodeRed(),
    ['-r', EXIT_WITH_PARENT, RED_JS, '--userDir', options.userDir, '--settings', options.settingsFile, '--port', String(options.port)],
    {
      cwd: options.userDir,
      env: options.env,
      // Own process group: a Ctrl-C in the terminal reaches the launcher, which stops Node-RED in order.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const recent: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const watch = (line: string) => {
      recent.push(line);
      if (recent.length > 40) recent.shift();
      options.onLine(line);
      if (/\] Started flows$/.test(line)) resolve();
      if (/Waiting for missing types/.test(line)) reject(new Error(`Node-RED is missing node types:\n${recent.join('\n')}`));
    };
    createInterface({ input: child.stdout! }).on('line', watch);
    createInterface({ input: child.stderr! }).on('line', watch);
    child.once('error', reject);
    exited.then((code) => reject(new Error(`Node-RED exited (code ${code}) before starting its flows:\n${recent.join('\n')}`)));
  });
  const handle = processHandle(child, exited);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Node-RED did not start its flows within ${options.startTimeoutMs} ms:\n${recent.join('\n')}`)),
      options.startTimeoutMs,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await handle.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return handle;
}

/** This Node.js when Node-RED accepts it (its `engines.node`, `>=X.Y`), else the project's own. */
function nodeForNodeRed(): string {
  const engines: string = JSON.parse(readFileSync(join(dirname(RED_JS), 'package.json'), 'utf8')).engines.node;
  const [major, minor] = engines.replace(/^>=\s*/, '').split('.').map(Number);
  const accepts = (version: string) => {
    const [a, b] = version.replace(/^v/, '').split('.').map(Number);
    return a > major || (a === major && b >= (minor || 0));
  };
  if (accepts(process.versions.node)) return process.execPath;
  if (existsSync(PROJECT_NODE) && accepts(spawnSync(PROJECT_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim())) {
    return PROJECT_NODE;
  }
  throw new Error(`Node-RED needs Node.js ${engines}; this is ${process.version}. Run it with npm start (npm install provides Node.js 22).`);
}

function processHandle(child: ChildProcess, exited: Promise<number | null>): NodeRedProcess {
  let stopping: Promise<void> | undefined;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid!,
    exited,
    stop() {
      stopping ??= (async () => {
        if (alive()) {
          // Node-RED stops its flows, then exits, on SIGTERM; Windows has no such signal, and
          // red.js takes a 'shutdown' message instead.
          if (process.platform === 'win32' && child.connected) child.send('shutdown');
          else child.kill('SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
          if ((await Promise.race([exited, late])) === 'late' && alive()) child.kill('SIGKILL');
          clearTimeout(timer);
          await exited;
        }
        if (child.connected) child.disconnect();
      })();
      return stopping;
    },
  };
}
