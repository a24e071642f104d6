/**
 * One request three ways: (a) the node in Node-RED, (b) the `openai` SDK called directly with the
 * client options the config node uses, (c) a bare `fetch` of a multipart body built once. Each
 * ends with the same thing in hand: the images as Buffers.
 */
import { randomBytes } from 'node:crypto';
import OpenAI, { toFile } from 'openai';
import { DEFAULTS } from '../nodes/shared/types';
import type { BenchImage } from './images';
import type { EmbeddedNodeRed, Outcome } from './node-red';

export interface RequestSpec {
  method: 'edit' | 'variations';
  image: BenchImage;
  n: number;
  size: string;
}

const EDIT_MODEL = DEFAULTS.editModel;
const REQUEST_TIMEOUT_MS = 120_000;
const PROMPT = DEFAULTS.prompt;

/** Multipart text fields exactly as the node sends them for this spec. */
export function requestFields(spec: RequestSpec): Record<string, string> {
  return spec.method === 'edit'
    ? { prompt: PROMPT, model: EDIT_MODEL, n: String(spec.n), size: spec.size }
    : { n: String(spec.n), response_format: 'b64_json', size: spec.size };
}

/** The node's form for this spec (b64_json; for edit the API returns base64 anyway). */
export function nodeForm(spec: RequestSpec, output: 'split' | 'single' = 'split'): Record<string, unknown> {
  return {
    method: spec.method,
    model: spec.method === 'edit' ? EDIT_MODEL : '',
    prompt: spec.method === 'edit' ? PROMPT : '',
    count: String(spec.n),
    size: spec.size,
    responseFormat: 'b64_json',
    output,
  };
}

/** What the config node builds (nodes/openai-image-api/connection.ts) for timeout 300 s, maxRetries 2. */
export function sdkClient(baseURL: string, apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL, organization: null, project: null, timeout: 300_000, maxRetries: 2 });
}

function decode(data: { b64_json?: string }[] | undefined): Buffer[] {
  return (data ?? []).map((item) => Buffer.from(item.b64_json ?? '', 'base64'));
}

function expectImages(images: Buffer[], n: number, who: string): Buffer[] {
  if (images.length !== n || images.some((image) => image.length === 0)) {
    throw new Error(`${who}: expected ${n} images, got ${images.length}`);
  }
  return images;
}

/** (a) through the node: the input as a Buffer in msg.payload, or as msg.imagePath. */
export async function viaNode(red: EmbeddedNodeRed, nodeId: string, spec: RequestSpec, input: 'buffer' | 'path', output: 'split' | 'single' = 'split'): Promise<Outcome> {
  const msg = input === 'buffer' ? { payload: spec.image.bytes } : { imagePath: spec.image.path };
  const outcome = await red.send(nodeId, msg, output === 'split' ? spec.n : 1);
  const payloads = outcome.messages.flatMap((m) => (Array.isArray(m.payload) ? m.payload : [m.payload])) as Buffer[];
  expectImages(payloads.filter(Buffer.isBuffer), spec.n, 'node');
  return outcome;
}

/** (b) the SDK directly, as a flow author would without the node. */
export async function viaSdk(client: OpenAI, spec: RequestSpec): Promise<Buffer[]> {
  const image = await toFile(spec.image.bytes, 'image.png', { type: 'image/png' });
  // The node passes its queue's abort signal too; here it only bounds a lost request.
  const options = { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  const response =
    spec.method === 'edit'
      ? await client.images.edit({ image, prompt: PROMPT, model: EDIT_MODEL, n: spec.n, size: spec.size as 'auto' }, options)
      : await client.images.createVariation({ image, n: spec.n, size: spec.size as '512x512', response_format: 'b64_json' }, options);
  return expectImages(decode(response.data), spec.n, 'sdk');
}

/** (c) fetch with a prebuilt multipart body: the floor of what any client can do. */
export class PrebuiltFetch {
  private readonly body: Uint8Array<ArrayBuffer>;
  private readonly headers: Record<string, string>;
  private readonly url: string;

  constructor(
    baseURL: string,
    apiKey: string,
    private readonly spec: RequestSpec,
  ) {
    const boundary = `----bench${randomBytes(12).toString('hex')}`;
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(requestFields(spec))) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    }
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="image.png"\r\nContent-Type: image/png\r\n\r\n`),
      spec.image.bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    );
    this.body = new Uint8Array(Buffer.concat(parts));
    this.headers = { authorization: `Bearer ${apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` };
    this.url = `${baseURL}/images/${spec.method === 'edit' ? 'edits' : 'variations'}`;
  }

  async send(): Promise<Buffer[]> {
    const response = await fetch(this.url, { method: 'POST', headers: this.headers, body: this.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`fetch: status ${response.status}: ${text.slice(0, 200)}`);
    return expectImages(decode((JSON.parse(text) as { data?: { b64_json?: string }[] }).data), this.spec.n, 'fetch');
  }
}
