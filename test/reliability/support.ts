/**
 * Helpers shared by the reliability tests: what the simulator saw, events awaited instead of
 * sleeps, and watchers for unhandled rejections and timers.
 */
import { makeTestPng, type RecordedRequest, type Simulator, type SimulatorEvent } from '../../tools/simulator';
import type { Msg } from '../support/flow';

export { apiRequests } from '../support/flow';


/** A small square PNG: cheap for the simulator to vary, valid for both methods. */
export const smallPng = (seed = 1) => makeTestPng(64, 64, { seed });

/** The node's form for fast requests: an output as small as the input. */
export const SMALL_EDIT = { size: '64x64' };

export function errorOf(msg: Msg): Record<string, unknown> {
  return msg.error as Record<string, unknown>;
}

/** Resolves once `count` simulator events of one kind have been seen (counting from now). */
export function awaitSimulatorEvents(
  sim: Simulator,
  event: SimulatorEvent,
  count: number,
  timeoutMs = 10_000,
): Promise<RecordedRequest[]> {
  const seen: RecordedRequest[] = [];
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      sim.off(event, listener);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`saw ${seen.length} of ${count} '${event}' events within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (record: RecordedRequest) => {
      seen.push(record);
      if (seen.length < count) return;
      done();
      resolve(seen);
    };
    sim.on(event, listener);
  });
}

/** Lets queued I/O callbacks and message deliveries run, without waiting on the clock. */
export async function settle(rounds = 5): Promise<void> {
  for (let index = 0; index < rounds; index++) await new Promise((resolve) => setImmediate(resolve));
}

/** Collects unhandled promise rejections while a test runs. */
export function watchUnhandledRejections(): { reasons: unknown[]; stop: () => void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', listener);
  return { reasons, stop: () => process.off('unhandledRejection', listener) };
}

/** How many timers (setTimeout/setInterval) are alive in this process now. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** Stringifies a message for a text search, leaving Buffers out (an image's bytes could match anything). */
export function textOf(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (Buffer.isBuffer(inner)) return '[Buffer]';
    if (inner && typeof inner === 'object' && (inner as { type?: unknown }).type === 'Buffer' && Array.isArray((inner as { data?: unknown }).data)) {
      return '[Buffer]';
    }
    return inner;
  });
}
