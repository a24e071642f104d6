import OpenAI, { toFile } from 'openai';
import type { ImagesResponse } from 'openai/resources/images';
import { VariationError } from './errors';
import { MEDIA_TYPES, type ImageFormat } from './image-format';
import type { VariationParams } from './validate';

export interface VariationRequest extends VariationParams {
  /** Resolved for variations ("same as input" already turned into a size). */
  size?: string;
  image: Buffer;
  format: ImageFormat;
}

export interface VariationResult {
  /** The response body exactly as received, so `msg.response` costs no second stringify. */
  body: string;
  response: ImagesResponse;
  requestId?: string;
}

export interface RequestOptions {
  signal: AbortSignal;
  /** Limits reading the body once headers have arrived; the SDK's timeout ends at the headers. */
  bodyTimeoutMs: number;
}

function send(client: OpenAI, request: VariationRequest, signal: AbortSignal) {
  const name = `image.${request.format === 'jpeg' ? 'jpg' : request.format}`;
  const type = MEDIA_TYPES[request.format];
  // Bytes, not a stream: the SDK can retry only a body it can send again.
  const upload = toFile(request.image, name, { type });
  const sdkOptions = { signal };
  if (request.method === 'edit') {
    return upload.then((image) =>
      client.images
        .edit(
          {
            image,
            prompt: request.prompt ?? '',
            model: request.model,
            n: request.n,
            ...(request.size ? { size: request.size } : {}),
            ...(request.user ? { safety_identifier: request.user } : {}),
          },
          sdkOptions,
        )
        .asResponse(),
    );
  }
  return upload.then((image) =>
    client.images
      .createVariation(
        {
          image,
          n: request.n,
          response_format: request.responseFormat,
          ...(request.model ? { model: request.model } : {}),
          ...(request.size ? { size: request.size as '256x256' | '512x512' | '1024x1024' } : {}),
          ...(request.user ? { user: request.user } : {}),
        },
        sdkOptions,
      )
      .asResponse(),
  );
}

function badResponse(reason: string, requestId: string | undefined): VariationError {
  return new VariationError('BAD_RESPONSE', 'badResponse', { reason }, requestId ? { requestId } : {});
}

/**
 * `stop` aborts the request's connection when the body is late: the body stream is locked by
 * `text()`, so cancelling it would fail and leave the socket open until the server finishes.
 */
async function readBody(
  response: Response,
  options: RequestOptions,
  requestId: string | undefined,
  stop: AbortController,
): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop.abort();
      reject(new VariationError('TIMEOUT', 'timeout', { seconds: options.bodyTimeoutMs / 1000 }, requestId ? { requestId } : {}));
    }, options.bodyTimeoutMs);
  });
  try {
    return await Promise.race([response.text(), deadline]);
  } catch (error) {
    if (error instanceof VariationError || options.signal.aborted) throw error;
    throw badResponse(`the body ended early (${(error as Error).message})`, requestId);
  } finally {
    clearTimeout(timer);
  }
}

function parseImages(body: string, requestId: string | undefined): ImagesResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badResponse('the body is not JSON', requestId);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) throw badResponse('the response holds no images', requestId);
  const usable = data.every(
    (item: { b64_json?: unknown; url?: unknown } | null) =>
      typeof item?.b64_json === 'string' || typeof item?.url === 'string',
  );
  if (!usable) throw badResponse('an entry holds neither b64_json nor url', requestId);
  return parsed as ImagesResponse;
}

/** Sends one variation request; failures are thrown as the SDK's errors or as VariationError. */
export async function requestVariations(
  client: OpenAI,
  request: VariationRequest,
  options: RequestOptions,
): Promise<VariationResult> {
  const stop = new AbortController();
  const response = await send(client, request, AbortSignal.any([options.signal, stop.signal]));
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const body = await readBody(response, options, requestId, stop);
  return { body, response: parseImages(body, requestId), requestId };
}
