import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'cli.ts');

function startCli(args: string[]): { child: ChildProcessWithoutNullStreams; baseURL: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: 'pipe' });
  let output = '';
  const baseURL = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /baseURL: (\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the CLI exited with ${code} before listening: ${output}`)));
  });
  return { child, baseURL, output: () => output };
}

describe('simulator: command line', () => {
  let running: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
  });

  it('serves on the given port with the given key, logs requests and exits cleanly on SIGTERM', async () => {
    const cli = startCli(['--port', '0', '--api-key', 'sk-cli-key', '--gateway', '--latency', '1']);
    running = cli.child;
    const baseURL = await cli.baseURL;
    assert.match(baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.match(cli.output(), /API key: sk-cli-key/);
    const refused = await fetch(`${baseURL}/images/variations`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.equal(refused.status, 401);
    const exited = once(cli.child, 'exit');
    cli.child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.match(cli.output(), /POST \/v1\/images\/variations 401/);
  });

  it('refuses a bad number with exit code 2', async () => {
    const cli = startCli(['--latency', 'soon']);
    running = cli.child;
    const [code] = await once(cli.child, 'exit');
    assert.equal(code, 2);
    assert.match(cli.output(), /--latency must be a number/);
    await assert.rejects(cli.baseURL);
  });
});
