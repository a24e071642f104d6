/**
 * Runs our nodes in the real Node-RED runtime (node-red-node-test-helper) with the real
 * i18n catalogues, and observes outcomes through the runtime's own `onComplete` hook.
 */
import { join } from 'node:path';
import helper from 'node-red-node-test-helper';
import { hooks, i18n } from '@node-red/util';

const root = join(__dirname, '..', '..');
export const distNodes = join(root, 'dist', 'nodes');

helper.init(require.resolve('node-red'));

import type { NodeInitializer } from 'node-red';

type Register = (red: Record<string, unknown>) => unknown;
type Translate = (key: string, params?: Record<string, unknown>) => string;

/** Registers the built node's locales as Node-RED's loader would, and uses them for RED._. */
function withCatalog(type: string): NodeInitializer {
  const register = require(join(distNodes, type, `${type}.js`)) as Register;
  let catalog: Promise<void> | undefined;
  const wrapped = (red: object) => {
    (i18n as unknown as { init(settings: object): void }).init({ lang: 'en-US' });
    catalog ??= i18n.registerMessageCatalog(type, join(distNodes, type, 'locales'), `${type}.json`);
    // The helper's RED._ returns the key itself and is shared by every module it loads; each
    // module gets its own view whose RED._ reads its catalogue, as Node-RED's loader does.
    const scoped = Object.create(red) as Record<string, unknown>;
    scoped._ = ((key: string, params?: Record<string, unknown>) => (i18n._ as Translate)(`${type}:${key}`, params)) as unknown;
    return catalog.then(() => register(scoped));
  };
  return wrapped as unknown as NodeInitializer;
}

export const variationNode = withCatalog('create-image-variation');
export const apiNode = withCatalog('openai-image-api');

export interface CompleteEvent {
  nodeId: string;
  msg: Record<string, unknown>;
  error?: Error;
}

/** Every `done()` the runtime sees, in order. */
export function recordCompletions(onEvent: () => void): { events: CompleteEvent[]; stop: () => void } {
  const events: CompleteEvent[] = [];
  hooks.add('onComplete.tests', (event: { msg: Record<string, unknown>; error?: Error; node: { id: string } }) => {
    events.push({ nodeId: event.node.id, msg: event.msg, error: event.error });
    onEvent();
  });
  return { events, stop: () => hooks.remove('*.tests') };
}

export { helper };
