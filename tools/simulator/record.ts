/**
 * The request log tests assert on. Credentials are redacted as the record is made, so the key
 * never sits in memory that a test could print or serialise.
 */
import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from './types';

/** Headers that carry a key (OpenAI's bearer, Azure's and some gateways' own). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'api-key', 'x-api-key', 'proxy-authorization']);

export function bearerKey(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(.*)$/i.exec(req.headers.authorization ?? '');
  return match ? match[1].trim() : undefined;
}

export function newRecord(id: string, req: IncomingMessage, path: string, authorized: boolean): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'authorization') headers[name] = /^Bearer\s/i.test(value.toString()) ? 'Bearer [redacted]' : '[redacted]';
    else if (CREDENTIAL_HEADERS.has(name)) headers[name] = '[redacted]';
    else headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    id,
    method: req.method ?? 'GET',
    path,
    headers,
    authorized,
    fields: {},
    files: [],
    startedAt: Date.now(),
  };
}

/** Resolves `waitForRequests` calls as API requests come in; rejects them on timeout or close. */
export class RequestWaiters {
  private readonly waiting = new Set<{ check: () => void; fail: (err: Error) => void }>();

  wait(count: number, timeoutMs: number, received: () => RecordedRequest[]): Promise<RecordedRequest[]> {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const list = received();
          if (list.length < count) return;
          this.settle(waiter, timer);
          resolve(list);
        },
        fail: (err: Error) => {
          this.settle(waiter, timer);
          reject(err);
        },
      };
      const timer = setTimeout(
        () => waiter.fail(new Error(`waited ${timeoutMs} ms for ${count} API requests, ${received().length} arrived`)),
        timeoutMs,
      );
      this.waiting.add(waiter);
      waiter.check();
    });
  }

  /** Called after each API request is received. */
  notify(): void {
    for (const waiter of [...this.waiting]) waiter.check();
  }

  failAll(err: Error): void {
    for (const waiter of [...this.waiting]) waiter.fail(err);
  }

  private settle(waiter: { check: () => void; fail: (err: Error) => void }, timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.waiting.delete(waiter);
  }
}
