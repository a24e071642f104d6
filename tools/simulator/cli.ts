/**
 * Runs the simulator on its own: `npm run simulator -- --port 4010`. Prints the baseURL and key to
 * put in the "OpenAI API" config node, logs one line per request, and exits cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_API_KEY, startSimulator, type RecordedRequest } from './index';

const USAGE = `Usage: npm run simulator -- [options]

  --port N            port to listen on (default 4010; 0 = any free port)
  --host HOST         interface to listen on (default 127.0.0.1)
  --latency MS        latency added before every answer (default 0)
  --api-key KEY       bearer key to require (default ${DEFAULT_API_KEY})
  --any-key           accept any key, or none
  --gateway           play a gateway: /images/variations serves dall-e-2 and any model id
                      (default: play api.openai.com, where dall-e-2/dall-e-3/gpt-image-1 are retired)
  --url-ttl SECONDS   lifetime of hosted image URLs (default 3600)
  --quiet             do not log requests
  --help              show this text`;

function numberOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a number >= 0, got ${raw}\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      latency: { type: 'string' },
      'api-key': { type: 'string' },
      'any-key': { type: 'boolean' },
      gateway: { type: 'boolean' },
      'url-ttl': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const apiKey = values['any-key'] ? null : (values['api-key'] ?? DEFAULT_API_KEY);
  const sim = await startSimulator({
    host: values.host ?? '127.0.0.1',
    port: numberOption('port', values.port, 4010),
    apiKey,
    retiredModels: !values.gateway,
    latencyMs: numberOption('latency', values.latency, 0),
    urlTtlMs: numberOption('url-ttl', values['url-ttl'], 3600) * 1000,
  });
  console.log(`OpenAI image API simulator listening
  baseURL: ${sim.baseURL}
  API key: ${apiKey ?? '(any key accepted)'}
  plays:   ${values.gateway ? 'a gateway (variations served for any model)' : 'api.openai.com (dall-e-2, dall-e-3, gpt-image-1 retired)'}`);

  if (!values.quiet) {
    const log = (r: RecordedRequest) =>
      console.log(
        `${new Date(r.startedAt).toISOString()} ${r.id} ${r.method} ${r.path} ` +
          `${r.aborted ? 'aborted' : (r.status ?? 'no answer')} ${(r.endedAt ?? Date.now()) - r.startedAt}ms` +
          (r.fault ? ` fault=${r.fault}` : ''),
      );
    sim.on('response', log).on('aborted', log);
  }

  // A long-running standalone server must not keep every request forever.
  sim.on('response', () => {
    if (sim.requests.length > 10_000) sim.reset();
  });

  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: closing`);
    sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
