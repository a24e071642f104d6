// Compiles the nodes and lays out what ships the way Node-RED's loader looks for it:
// each node's .js beside its .html, locales/ and icons/ (dist/nodes/<node>/).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'nodes');
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});

const { EDITOR_CHOICES } = require(join(out, 'shared', 'types.js'));
const CHOICES_TOKEN = '__SHARED_CHOICES__';

for (const node of readdirSync(join(root, 'nodes'))) {
  const source = join(root, 'nodes', node);
  const html = join(source, `${node}.html`);
  if (!existsSync(html)) continue;
  const target = join(out, node);
  writeFileSync(join(target, `${node}.html`), readFileSync(html, 'utf8').replaceAll(CHOICES_TOKEN, JSON.stringify(EDITOR_CHOICES)));
  if (existsSync(join(source, 'locales'))) cpSync(join(source, 'locales'), join(target, 'locales'), { recursive: true });
  cpSync(join(root, 'icons'), join(target, 'icons'), { recursive: true });
}
