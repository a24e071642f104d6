/**
 * `npm start [-- options]`: builds the package, starts the demo, prints where to look, and stops
 * everything on Ctrl-C or SIGTERM.
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './gallery-flow';
import { DEFAULT_PORT, startDemo, waitForEntry, type Demo } from './start';

const HELP = `Usage: npm start [-- options]

Starts Node-RED on 127.0.0.1 with this package and a demo flow whose gallery shows each image
beside its variations. Without OPENAI_API_KEY it uses a built-in simulator of the OpenAI API.

  --port N       editor and gallery port (default ${DEFAULT_PORT})
  --simulator    use the simulator even when OPENAI_API_KEY is set
  --reset        replace an edited demo flow with the original
  --user-dir D   Node-RED user directory (default .node-red-demo)
  --no-build     skip the build (node tools/build.mjs)
  --help`;

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      simulator: { type: 'boolean', default: false },
      reset: { type: 'boolean', default: false },
      'user-dir': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  return { ...values, port };
}

async function main(): Promise<void> {
  const args = options();
  if (args.help) {
    console.log(HELP);
    return;
  }
  const started = Date.now();
  if (!args['no-build']) {
    console.log('[demo] Building the package (node tools/build.mjs) ...');
    execFileSync(process.execPath, [join(REPO_ROOT, 'tools', 'build.mjs')], { stdio: 'inherit', cwd: REPO_ROOT });
  }
  const say = (line: string) => console.log(`[demo] ${line}`);
  const demo = await startDemo({
    port: args.port,
    userDir: args['user-dir'] ? resolve(args['user-dir']) : undefined,
    simulator: args.simulator,
    resetFlow: args.reset,
    log: say,
  });
  stopOnSignals(demo);
  console.log(`
[demo] Ready in ${seconds(started)} s, using ${demo.mode === 'simulator' ? 'the simulator' : 'the OpenAI API'} at ${demo.apiBaseURL}
[demo]   Flow editor: ${demo.url}/
[demo]   Gallery:     ${demo.galleryUrl}
[demo] Press Ctrl-C to stop.
`);
  demo.exited.then((code) => {
    if (stopping) return;
    say(`Node-RED exited (code ${code}); stopping.`);
    demo.stop().finally(() => process.exit(1));
  });
  waitForEntry(demo.url, (entry) => entry.state !== 'working', 60_000).then(
    (entry) => say(`First result in the gallery (${entry.title}: ${entry.state}) ${seconds(started)} s after start: ${demo.galleryUrl}`),
    () => say(`No result in the gallery yet; open ${demo.galleryUrl} and click an inject in the editor.`),
  );
}

let stopping = false;

function stopOnSignals(demo: Demo): void {
  const stop = (reason: string) => {
    if (stopping) {
      // A second Ctrl-C means "now"; Node-RED then stops by itself when this process is gone.
      if (reason !== 'SIGINT') return;
      console.log(`[demo] ${reason} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`\n[demo] ${reason}: stopping Node-RED and the simulator ...`);
    demo.stop().then(
      () => {
        console.log('[demo] Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('[demo] Stop failed:', error);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  // npm runs this through `sh -c`, and a SIGTERM sent to npm ends that shell without passing the
  // signal on. Being re-parented means whoever started the demo is gone: stop as well.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) stop('Parent process gone');
  }, 500).unref();
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
