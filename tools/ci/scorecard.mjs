// The Flow Library scorecard (`node-red-dev validate`) for what this package publishes: the
// tarball `npm pack` makes, unpacked, as the Flow Library validates a published version.
//
// node-red-dev runs its checks in one promise chain and gives up on the first host it cannot
// reach (catalogue.nodered.org from a machine that only reaches the npm registry). So this runs
// the same check modules with a logger of its own, lets a failed request to an unreachable host
// answer an empty stand-in, reports the checks that depended on that host as skipped, and lets
// every other check decide pass or fail.
//
//   node tools/ci/scorecard.mjs [--path DIR] [--output scorecard.json]
//     --path DIR   validate an unpacked package folder instead of packing this repository
//     --output F   also write the results as JSON
// Exit status: 0 when no check failed, 1 otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import vm from 'node:vm';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CATALOGUE = 'catalogue.nodered.org';
const REGISTRY = 'registry.npmjs.org';
const DEPS_TIMEOUT_MS = 120_000;

/** Each check of node-red-dev 0.1.6, and the host it needs beyond the package itself. */
const CHECKS = {
  P01: { title: 'declares a license' },
  P03: { title: 'links a repository or bug tracker' },
  P04: { title: 'uses a scoped (or valid) name' },
  P05: { title: "has the 'node-red' keyword" },
  P06: { title: 'node-red.version accepts the current Node-RED releases', host: REGISTRY },
  P07: { title: "engines.node accepts the latest Node-RED's minimum Node.js", host: REGISTRY },
  P08: { title: 'no similarly named package in the Flow Library', host: CATALOGUE },
  N01: { title: 'node types not used by another package', host: CATALOGUE },
  N02: { title: 'an example flow for every node' },
  D01: { title: 'at most 6 dependencies' },
  D02: { title: 'no known incompatible package among the dependencies', host: REGISTRY },
  D03: { title: 'dependencies at their latest version', host: REGISTRY },
};

const { values: args } = parseArgs({ options: { path: { type: 'string' }, output: { type: 'string' } } });
const requireFromDev = createRequire(join(ROOT, 'node_modules', 'node-red-dev', 'package.json'));
const devVersion = requireFromDev('./package.json').version;

/** Packs this repository (prepack builds it) and unpacks the tarball into a temporary folder. */
function packedPackage() {
  const work = mkdtempSync(join(tmpdir(), 'variation-scorecard-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [{ filename }] = JSON.parse(out);
  execFileSync('tar', ['-xzf', join(work, filename.replace(/^.*\//, '')), '-C', work]);
  return { path: join(work, 'package'), cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

async function reachable(host) {
  try {
    await fetch(`https://${host}/`, { method: 'HEAD', signal: AbortSignal.timeout(8000) });
    return true;
  } catch {
    return false;
  }
}

/** Stand-ins so the chain goes on past a host that cannot be reached; checks using them are skipped. */
function standIn(url) {
  const { host, pathname } = new URL(url);
  if (host === CATALOGUE) return { modules: [] };
  if (host === REGISTRY && pathname === '/node-red') {
    const local = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-red', 'package.json'), 'utf8'));
    return { 'dist-tags': { latest: local.version }, versions: { [local.version]: { engines: local.engines } } };
  }
  return undefined;
}

const unreachable = new Set();
const axios = requireFromDev('axios');
axios.interceptors.response.use(undefined, (error) => {
  const url = error?.config?.url;
  const data = !error?.response && url ? standIn(url) : undefined;
  if (data === undefined) return Promise.reject(error);
  unreachable.add(new URL(url).host);
  return { data, status: 200, statusText: 'stand-in', headers: {}, config: error.config };
});

/** What node-red-dev prints after a stand-in answered, as if the check had run. */
const STAND_IN_RESULTS = [
  { host: CATALOGUE, pattern: /No similar named packages found|Nodes all have unique names/ },
  { host: REGISTRY, pattern: /Compatible with Node-RED v|Compatible NodeJS Version found/ },
];

const errors = [];
const cli = {
  log: (line) => {
    const standIn = STAND_IN_RESULTS.find(({ host, pattern }) => unreachable.has(host) && pattern.test(line));
    console.log(standIn ? `⏭️  skipped (${standIn.host} unreachable): ${line.replace(/^✅\s*/, '')}` : line);
  },
  warn: (line) => console.log(`⚠️  ${line}`),
  error: (error) => {
    errors.push(error);
    console.log(`❌ ${error?.message ?? error}`);
  },
  exit: () => {},
};

/**
 * The node types each node file registers in its editor, read by running the shipped `.html`'s
 * scripts against a stub of RED: node-red-dev reads them with a parser that only understands an
 * object literal written inside the `registerType` call.
 */
function editorTypes(path, pkg) {
  const types = {};
  for (const js of Object.values(pkg['node-red'].nodes)) {
    const html = readFileSync(join(path, js.replace(/\.js$/, '.html')), 'utf8');
    const RED = { nodes: { registerType: (type, definition) => (types[type] = definition.category) } };
    for (const [, script] of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
      vm.runInNewContext(script, { RED });
    }
  }
  return types;
}

/** Node types used in the package's example flows. */
function exampleTypes(path) {
  const dir = join(path, 'examples');
  const files = existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((file) => String(file).endsWith('.json')) : [];
  return new Set(files.flatMap((file) => JSON.parse(readFileSync(join(dir, String(file)), 'utf8')).map((node) => node.type)));
}

function withTimeout(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const target = args.path ? { path: resolve(args.path), cleanup: () => {} } : packedPackage();
const pkg = JSON.parse(readFileSync(join(target.path, 'package.json'), 'utf8'));
console.log(`Flow Library scorecard: node-red-dev ${devVersion} validate, ${args.path ? target.path : 'the packed tarball'}`);
for (const host of [CATALOGUE, REGISTRY]) {
  if (!(await reachable(host))) unreachable.add(host);
}

const scorecard = {};
const checkpackage = requireFromDev('./src/libs/checkpackage');
const checknodes = requireFromDev('./src/libs/checknodes');
const checkdeps = requireFromDev('./src/libs/checkdeps');
await checkpackage(target.path, cli, scorecard, false);
await checknodes(target.path, cli, scorecard, false);
// checknodes does not wait for its examples check (N02); let it finish.
await new Promise((done) => setTimeout(done, 100));
let depsFinished = false;
if (unreachable.has(REGISTRY)) {
  console.log(`${REGISTRY} unreachable: dependency checks need it`);
} else {
  await withTimeout(checkdeps(target.path, cli, scorecard, false), DEPS_TIMEOUT_MS, 'the dependency checks')
    .then(() => (depsFinished = true))
    .catch((error) => cli.error(error));
}
// node-red-dev passes N02 when it could read no node definition at all: check what it saw.
const categories = editorTypes(target.path, pkg);
const flowTypes = Object.keys(categories).filter((type) => categories[type] !== 'config');
const examples = exampleTypes(target.path);
const withoutExample = flowTypes.filter((type) => !examples.has(type));
const unread = flowTypes.filter((type) => !(scorecard.N02?.nodes ?? []).includes(type));
if (scorecard.N02 && withoutExample.length > 0) {
  scorecard.N02 = { test: false, 'no example for': withoutExample };
} else if (scorecard.N02 && unread.length > 0) {
  scorecard.N02 = {
    test: false,
    'examples cover': flowTypes,
    'but node-red-dev could not read the definition of': unread,
    fix: 'pass the definition to RED.nodes.registerType as an object literal in the .html',
  };
}
target.cleanup();

// node-red-dev reports P05 as passed even when the keyword is missing (it only warns).
if (scorecard.P05) scorecard.P05.test = Array.isArray(pkg.keywords) && pkg.keywords.includes('node-red');
// Without the registry, D01 (a count of package.json's dependencies) is still decided here.
if (!depsFinished && !scorecard.D01) {
  const count = Object.keys(pkg.dependencies ?? {}).length;
  scorecard.D01 = { test: count <= 6, total: count };
}

const results = Object.entries(CHECKS).map(([id, check]) => {
  const entry = scorecard[id];
  let status;
  if (check.host && unreachable.has(check.host)) status = 'skipped';
  else if (check.host === REGISTRY && id.startsWith('D') && !depsFinished) status = 'failed';
  else status = entry?.test === true ? 'passed' : 'failed';
  const note =
    status === 'skipped'
      ? `${check.host} unreachable`
      : entry === undefined
        ? 'did not run'
        : Object.entries(entry)
            .filter(([key]) => key !== 'test')
            .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') : value}`)
            .join('; ');
  return { id, title: check.title, status, note };
});

const count = (status) => results.filter((result) => result.status === status).length;
console.log(`\nScorecard for ${pkg.name}@${pkg.version}`);
for (const result of results) {
  console.log(`  ${result.id}  ${result.status.padEnd(7)}  ${result.title}${result.note ? ` (${result.note})` : ''}`);
}
const unexplained = errors.filter((error) => !unreachable.has(error?.hostname) && !/ENOTFOUND|EAI_AGAIN/.test(String(error?.code ?? error)));
for (const error of unexplained) console.log(`  error: ${error?.message ?? error}`);
const failed = count('failed') + unexplained.length;
console.log(`scorecard: ${count('passed')} passed, ${count('skipped')} skipped (host unreachable), ${failed} failed`);
if (args.output) writeFileSync(args.output, `${JSON.stringify({ package: `${pkg.name}@${pkg.version}`, results }, null, 2)}\n`);
process.exit(failed === 0 ? 0 : 1);
