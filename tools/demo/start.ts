/**
 * The demo behind `npm start`: Node-RED on 127.0.0.1 with the package loaded from the working
 * tree and the gallery flow deployed, talking to the real OpenAI API when a key is set and to
 * the in-process simulator otherwise. `tools/demo/cli.ts` is the command-line wrapper; tests
 * call `startDemo` directly.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_API_KEY, startSimulator, type Simulator } from '../simulator';
import { REPO_ROOT } from './gallery-flow';
import { startNodeRed, type NodeRedProcess } from './node-red-process';
import { prepareUserDir } from './user-dir';

export const DEFAULT_PORT = 1880;
export const DEFAULT_USER_DIR = join(REPO_ROOT, '.node-red-demo');
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const HOST = '127.0.0.1';

export interface DemoOptions {
  /** Editor and gallery port. Default 1880; 0 picks a free one. */
  port?: number;
  /** Node-RED user directory. Default `.node-red-demo/` in the repository. */
  userDir?: string;
  /** Key for the real API. Default `process.env.OPENAI_API_KEY`; empty means the simulator. */
  apiKey?: string;
  /** Use the simulator even when a key is set. */
  simulator?: boolean;
  /** Replace flows.json with the demo flow even if it was edited. */
  resetFlow?: boolean;
  /** The demo's own messages. Default `console.log`. */
  log?: (line: string) => void;
  /** Node-RED's output, line by line. Default `console.log`. */
  nodeRedLog?: (line: string) => void;
  /** Default 60 s. */
  startTimeoutMs?: number;
}

export interface Demo {
  /** `http://127.0.0.1:<port>`; the editor is at `url + '/'`. */
  readonly url: string;
  readonly galleryUrl: string;
  readonly port: number;
  readonly userDir: string;
  readonly mode: 'simulator' | 'openai';
  /** The API address the demo's config node uses. */
  readonly apiBaseURL: string;
  /** Set in simulator mode. */
  readonly simulator?: Simulator;
  readonly nodeRedPid: number;
  /** Settles if Node-RED exits by itself, with its exit code. */
  readonly exited: Promise<number | null>;
  /** Stops Node-RED (flows closed), then the simulator. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? console.log;
  const userDir = options.userDir ?? DEFAULT_USER_DIR;
  const port = await usablePort(options.port ?? DEFAULT_PORT);
  const apiKey = (options.apiKey ?? process.env.OPENAI_API_KEY ?? '').trim();
  const mode = apiKey && !options.simulator ? 'openai' : 'simulator';

  let simulator: Simulator | undefined;
  let nodeRed: NodeRedProcess | undefined;
  try {
    // The simulator plays a gateway that still serves the legacy variations endpoint, so every
    // example of the demo flow but the broken one succeeds.
    simulator = mode === 'simulator' ? await startSimulator({ host: HOST, port: 0, retiredModels: false }) : undefined;
    const apiBaseURL = simulator?.baseURL ?? OPENAI_BASE_URL;
    if (simulator) {
      log(`No OPENAI_API_KEY: using the built-in OpenAI API simulator at ${apiBaseURL} (no key, no internet, no cost).`);
    } else {
      log(`OPENAI_API_KEY is set: using the OpenAI API at ${apiBaseURL}. Each variation is a billed request (--simulator avoids them).`);
    }
    const prepared = await prepareUserDir({ userDir, apiBaseURL, resetFlow: options.resetFlow });
    log(
      prepared.flow === 'created'
        ? `User directory ${userDir}: demo flow written.`
        : `User directory ${userDir}: keeping your edited flow (--reset restores the demo flow).`,
    );
    log(`Starting Node-RED on http://${HOST}:${port}/ ...`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The config node's key stays empty; the node falls back to OPENAI_API_KEY (SPEC 2).
    env.OPENAI_API_KEY = simulator ? DEFAULT_API_KEY : apiKey;
    nodeRed = await startNodeRed({
      userDir,
      settingsFile: prepared.settingsFile,
      port,
      env,
      onLine: options.nodeRedLog ?? console.log,
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
    });
  } catch (error) {
    await nodeRed?.stop();
    await simulator?.close();
    throw error;
  }

  const url = `http://${HOST}:${port}`;
  const running = nodeRed;
  let stopping: Promise<void> | undefined;
  return {
    url,
    galleryUrl: `${url}/variations`,
    port,
    userDir,
    mode,
    apiBaseURL: simulator?.baseURL ?? OPENAI_BASE_URL,
    simulator,
    nodeRedPid: running.pid,
    exited: running.exited,
    stop() {
      stopping ??= running.stop().finally(() => simulator?.close());
      return stopping;
    },
  };
}

/** The port itself when it is free (0: a free one), else a clear error before anything starts. */
async function usablePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${HOST} is in use (another Node-RED?). Try: npm start -- --port ${port + 1}`)
          : error,
      );
    });
    probe.listen({ host: HOST, port }, () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
}

export interface GalleryEntry {
  id: string;
  title: string;
  state: 'working' | 'done' | 'failed';
  source: string;
  settings: { method: string; model: string; size: string; n: number; responseFormat: string };
  resultSize?: string;
  images: string[];
  error?: { code: string; message: string };
}

/** The gallery's entries, newest first (GET /variations.json). */
export async function readGallery(demoUrl: string): Promise<GalleryEntry[]> {
  const response = await fetch(`${demoUrl}/variations.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /variations.json answered ${response.status}`);
  return ((await response.json()) as { entries: GalleryEntry[] }).entries;
}

/** Polls the gallery until an entry matches; rejects after `timeoutMs`. */
export async function waitForEntry(
  demoUrl: string,
  matches: (entry: GalleryEntry) => boolean,
  timeoutMs = 20_000,
): Promise<GalleryEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readGallery(demoUrl).catch(() => [])).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching gallery entry within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
