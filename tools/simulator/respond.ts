/**
 * Writes an Answer to the wire: whole, truncated (full content-length, half the bytes, then the
 * socket is destroyed) or trickled. Waits take an AbortSignal so a closed connection or a closed
 * simulator stops them at once and leaves no timer behind.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from './errors';

export function contentLength(answer: Answer): number {
  return answer.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
}

export function writeAnswer(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': contentLength(answer) });
  res.cork();
  for (const chunk of answer.chunks) res.write(chunk);
  res.end();
  res.uncork();
}

/** Sends the headers and half the body, then cuts the connection once that half is on its way. */
export function writeTruncated(res: ServerResponse, answer: Answer): void {
  const body = Buffer.concat(answer.chunks);
  res.writeHead(answer.status, { ...answer.headers, 'content-length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

export async function writeSlowly(
  res: ServerResponse,
  answer: Answer,
  options: { bytesPerChunk?: number; intervalMs?: number },
  signal: AbortSignal,
): Promise<void> {
  const body = Buffer.concat(answer.chunks);
  const step = Math.max(1, options.bytesPerChunk ?? Math.ceil(body.length / 20));
  const interval = options.intervalMs ?? 25;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': body.length });
  res.flushHeaders();
  for (let offset = 0; offset < body.length; offset += step) {
    if (offset > 0) await sleep(interval, undefined, { signal });
    res.write(body.subarray(offset, offset + step));
  }
  res.end();
}

/** Waits `ms` unless the signal fires first, in which case it rejects with an AbortError. */
export async function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}
