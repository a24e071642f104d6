import type { Image } from 'openai/resources/images';
import type { OutputMode, ResponseFormat } from '../shared/types';
import type { ApiErrorDetails, ErrorCode } from './errors';
import type { VariationResult } from './request';

export type Message = Record<string, unknown>;

export interface OutputOptions {
  responseFormat: ResponseFormat;
  mode: OutputMode;
  /** Node-RED's cloneMessage: every message after the first is a copy, the first is the input itself. */
  clone: (msg: Message) => Message;
  newId: () => string;
}

interface ShapedImage {
  payload: Buffer | string;
  imageUrl?: string;
  imageB64?: string;
}

function mediaType(result: VariationResult): string {
  const format = (result.response as { output_format?: unknown }).output_format;
  return `image/${typeof format === 'string' ? format : 'png'}`;
}

function shapeImage(item: Image, responseFormat: ResponseFormat, type: string): ShapedImage {
  const b64 = item.b64_json;
  const shaped: ShapedImage = { payload: b64 !== undefined ? Buffer.from(b64, 'base64') : (item.url as string) };
  if (responseFormat === 'url') {
    // GPT Image models return no hosted URLs: the bytes become a data: URL instead.
    shaped.imageUrl = item.url ?? `data:${type};base64,${b64}`;
  } else if (b64 !== undefined) {
    shaped.imageB64 = b64;
  }
  return shaped;
}

function withoutPayload(msg: Message): Message {
  const { payload: _replaced, ...rest } = msg;
  return rest;
}

/** One message per image (split) or one message holding them all (single), SPEC 6. */
export function successMessages(msg: Message, result: VariationResult, options: OutputOptions): Message[] {
  const type = mediaType(result);
  const images = (result.response.data ?? []).map((item) => shapeImage(item, options.responseFormat, type));
  if (options.mode === 'single') {
    const urls = images.map((image) => image.imageUrl).filter((url): url is string => url !== undefined);
    const b64s = images.map((image) => image.imageB64).filter((b64): b64 is string => b64 !== undefined);
    Object.assign(msg, { payload: images.map((image) => image.payload), response: result.body });
    if (urls.length) Object.assign(msg, { imageUrls: urls, imageUrl: urls[0] });
    if (b64s.length) Object.assign(msg, { imageB64s: b64s, imageB64: b64s[0] });
    return [msg];
  }
  const template = images.length > 1 ? withoutPayload(msg) : msg;
  const partsId = options.newId();
  return images.map((image, index) => {
    const out = index === 0 ? msg : options.clone(template);
    Object.assign(out, image, { response: result.body });
    if (images.length > 1) {
      // An incoming msg.parts is kept nested, as Node-RED's split node does, so an outer join still works.
      const incoming = out.parts;
      out.parts = { id: partsId, index, count: images.length, type: 'array', ...(incoming !== undefined ? { parts: incoming } : {}) };
    }
    return out;
  });
}

export interface FailureDetails extends ApiErrorDetails {
  code: ErrorCode;
  message: string;
}

export interface NodeIdentity {
  id: string;
  type: string;
  name?: string;
}

/** The failed message of output 2: the input message with `errorMessage` and `error` (SPEC 6). */
export function failedMessage(msg: Message, failure: FailureDetails, source: NodeIdentity): Message {
  const { message, code, ...api } = failure;
  msg.errorMessage = message;
  msg.error = { message, source: { id: source.id, type: source.type, name: source.name ?? '' }, code, ...api };
  return msg;
}
