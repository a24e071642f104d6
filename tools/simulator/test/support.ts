/**
 * Helpers shared by the simulator's tests: a real OpenAI client, a plain multipart POST for what
 * the SDK would not send, and pixel comparisons done with sharp.
 */
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { DEFAULT_API_KEY, type RecordedRequest, type Simulator, type SimulatorEvent } from '../index';

export const KEY = DEFAULT_API_KEY;

export function client(sim: Simulator, options: { apiKey?: string; maxRetries?: number } = {}): OpenAI {
  return new OpenAI({ apiKey: options.apiKey ?? KEY, baseURL: sim.baseURL, maxRetries: options.maxRetries ?? 0 });
}

export function upload(bytes: Buffer, name = 'image.png', type = 'image/png'): Promise<File> {
  return toFile(bytes, name, { type });
}

export interface ApiJson {
  created?: number;
  data?: { b64_json?: string; url?: string }[];
  error?: { message: string; type: string; param: string | null; code: string | null };
  size?: string;
  output_format?: string;
  quality?: string;
  background?: string;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
}

export interface PostResult {
  status: number;
  headers: Headers;
  json: ApiJson;
}

export interface FilePart {
  data: Buffer;
  field?: string;
  name?: string;
  type?: string;
}

/** A multipart POST with fetch, for requests the SDK's types would not let a test make. */
export async function post(
  sim: Simulator,
  endpoint: 'edits' | 'variations',
  fields: Record<string, string>,
  files: FilePart[] = [],
  options: { key?: string | null; signal?: AbortSignal } = {},
): Promise<PostResult> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) {
    form.append(file.field ?? 'image', blobOf(file.data, file.type ?? 'image/png'), file.name ?? 'image.png');
  }
  const key = options.key === undefined ? KEY : options.key;
  const response = await fetch(`${sim.baseURL}/images/${endpoint}`, {
    method: 'POST',
    body: form,
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
    signal: options.signal,
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as ApiJson };
}

/** Blob wants bytes backed by a plain ArrayBuffer; a Buffer may sit in a shared pool. */
export function blobOf(bytes: Buffer, type: string): Blob {
  return new Blob([Uint8Array.from(bytes)], { type });
}

export function nextEvent(sim: Simulator, event: SimulatorEvent): Promise<RecordedRequest> {
  return new Promise((resolve) => {
    const listener = (r: RecordedRequest) => {
      sim.off(event, listener);
      resolve(r);
    };
    sim.on(event, listener);
  });
}

export async function dimensionsOf(image: Buffer): Promise<{ width: number; height: number; format: string }> {
  const meta = await sharp(image).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0, format: meta.format ?? 'unknown' };
}

/** Mean absolute difference per channel (0..255) after scaling both images to 64x64 RGB. */
export async function difference(a: Buffer, b: Buffer): Promise<number> {
  const [pa, pb] = await Promise.all(
    [a, b].map((image) => sharp(image).flatten({ background: '#ffffff' }).resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer()),
  );
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i] - pb[i]);
  return sum / pa.length;
}

export function b64Images(json: { data?: { b64_json?: string }[] }): Buffer[] {
  return (json.data ?? []).map((d) => Buffer.from(d.b64_json ?? '', 'base64'));
}
