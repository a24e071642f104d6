/**
 * The request rules of the two image endpoints (docs/openai-images-api.md), as the API applies
 * them: a failed rule becomes a 400 invalid_request_error naming `param`, a retired model a 404
 * `model_not_found`. A request that passes becomes a RenderPlan; nothing here touches pixels.
 */
import { invalid, modelNotFound, type Answer } from './errors';
import type { ParsedForm, UploadedFile } from './multipart';
import { sniffImage, type ImageInfo } from './sniff';

export type Endpoint = 'edits' | 'variations';
export type OutputFormat = 'png' | 'webp' | 'jpeg';
export type ResponseFormat = 'url' | 'b64_json';

export interface RenderPlan {
  endpoint: Endpoint;
  model: string;
  /** The image the variations are made from (the first one for edits). */
  image: Buffer;
  imageCount: number;
  width: number;
  height: number;
  n: number;
  format: OutputFormat;
  responseFormat: ResponseFormat;
  /** GPT Image models answer with the extra fields (size, quality, usage ...). */
  gptImage: boolean;
  quality: string;
  background: string;
  prompt: string;
}

export type Validation = { plan: RenderPlan } | { answer: Answer };

export const MB = 1024 * 1024;
export const LIMITS = {
  variationBytes: 4 * MB,
  editBytes: 50 * MB,
  editImages: 16,
  promptChars: 32000,
  maxN: 10,
};

/** Models shut down at OpenAI (2026-05-12 and 2026-10-23). */
const RETIRED_MODELS = new Set(['dall-e-2', 'dall-e-3', 'gpt-image-1']);
const VARIATION_SIZES = ['256x256', '512x512', '1024x1024'];
const EDIT_NAMED_SIZES = ['1024x1024', '1536x1024', '1024x1536'];
const QUALITIES = ['low', 'medium', 'high', 'auto', 'xhigh', 'max', 'standard'];
const BACKGROUNDS = ['transparent', 'opaque', 'auto'];
const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'webp', 'jpeg'];
const RESPONSE_FORMATS: readonly ResponseFormat[] = ['url', 'b64_json'];

export function validateVariations(form: ParsedForm, retiredModels: boolean): Validation {
  const model = form.fields.model;
  if (retiredModels) {
    const asked = model || 'dall-e-2';
    if (RETIRED_MODELS.has(asked)) return { answer: modelNotFound(asked) };
    return { answer: invalid('model', `Invalid model '${asked}': /v1/images/variations only supports dall-e-2.`) };
  }
  const file = imageFiles(form)[0];
  if (!file) return { answer: missing('image') };
  const info = sniffImage(file.data);
  const pngRule = 'Uploaded image must be a PNG and less than 4 MB.';
  if (file.truncated || file.data.length >= LIMITS.variationBytes) return { answer: invalid('image', pngRule, 'image_too_large') };
  if (info.type !== 'png') return { answer: invalid('image', `${pngRule} Got ${info.type}.`, 'invalid_image_format') };
  if (info.width !== info.height) {
    return { answer: invalid('image', `Uploaded image must be square, got ${info.width}x${info.height}.`, 'invalid_image_dimensions') };
  }
  const n = parseN(form.fields.n);
  if ('answer' in n) return n;
  const size = form.fields.size ?? '1024x1024';
  if (!VARIATION_SIZES.includes(size)) return { answer: notOneOf('size', size, VARIATION_SIZES) };
  const responseFormat = form.fields.response_format ?? 'url';
  if (!isResponseFormat(responseFormat)) return { answer: notOneOf('response_format', responseFormat, RESPONSE_FORMATS) };
  const [width, height] = size.split('x').map(Number);
  return {
    plan: {
      endpoint: 'variations',
      model: model ?? 'dall-e-2',
      image: file.data,
      imageCount: 1,
      width,
      height,
      n: n.value,
      format: 'png',
      responseFormat,
      gptImage: false,
      quality: 'standard',
      background: 'opaque',
      prompt: '',
    },
  };
}

export function validateEdits(form: ParsedForm, retiredModels: boolean): Validation {
  const { fields } = form;
  const model = fields.model;
  if (!model) return { answer: missing('model') };
  if (retiredModels && RETIRED_MODELS.has(model)) return { answer: modelNotFound(model) };
  const files = imageFiles(form);
  if (form.tooManyFiles || files.length > LIMITS.editImages) {
    return { answer: invalid('image', `Too many images: at most ${LIMITS.editImages} are allowed.`, 'too_many_images') };
  }
  if (files.length === 0) return { answer: missing('image') };
  if (!fields.prompt) return { answer: missing('prompt') };
  if (form.truncatedFields.includes('prompt') || fields.prompt.length > LIMITS.promptChars) {
    return { answer: invalid('prompt', `Prompt is too long: at most ${LIMITS.promptChars} characters.`, 'string_above_max_length') };
  }
  const infos = files.map((file) => sniffImage(file.data));
  for (const [index, file] of files.entries()) {
    const info = infos[index];
    if (file.truncated || file.data.length >= LIMITS.editBytes) {
      return { answer: invalid('image', `Image ${index + 1} is too large: images must be under 50 MB.`, 'image_too_large') };
    }
    if (info.type !== 'png' && info.type !== 'jpeg' && info.type !== 'webp') {
      return {
        answer: invalid('image', `Invalid image file or mode for image ${index + 1}: expected PNG, JPEG or WebP, got ${info.type}.`, 'invalid_image_format'),
      };
    }
    if (!info.width || !info.height) {
      return { answer: invalid('image', `Invalid image file for image ${index + 1}: could not read its dimensions.`, 'invalid_image') };
    }
  }
  const gptImage = /^(gpt-image|chatgpt-image)/.test(model);
  if (gptImage && fields.response_format !== undefined) {
    return { answer: invalid('response_format', "Unknown parameter: 'response_format'.", 'unknown_parameter') };
  }
  if (fields.stream === 'true') {
    return { answer: invalid('stream', 'Streaming image edits is not supported by the simulator.', 'unsupported_value') };
  }
  const n = parseN(fields.n);
  if ('answer' in n) return n;
  const size = editSize(fields.size ?? 'auto', model, infos[0]);
  if ('answer' in size) return size;
  const quality = fields.quality ?? 'auto';
  if (!QUALITIES.includes(quality)) return { answer: notOneOf('quality', quality, QUALITIES) };
  const background = fields.background ?? 'auto';
  if (!BACKGROUNDS.includes(background)) return { answer: notOneOf('background', background, BACKGROUNDS) };
  const format = fields.output_format ?? 'png';
  if (!isOutputFormat(format)) return { answer: notOneOf('output_format', format, OUTPUT_FORMATS) };
  if (background === 'transparent' && format === 'jpeg') {
    return { answer: invalid('background', 'A transparent background needs output_format png or webp.', 'invalid_value') };
  }
  const responseFormat = gptImage ? 'b64_json' : (fields.response_format ?? 'url');
  if (!isResponseFormat(responseFormat)) return { answer: notOneOf('response_format', responseFormat, RESPONSE_FORMATS) };
  return {
    plan: {
      endpoint: 'edits',
      model,
      image: files[0].data,
      imageCount: files.length,
      width: size.width,
      height: size.height,
      n: n.value,
      format,
      responseFormat,
      gptImage,
      quality: quality === 'auto' ? 'medium' : quality,
      background: background === 'auto' ? 'opaque' : background,
      prompt: fields.prompt,
    },
  };
}

/** The SDK names a single upload `image` and several `image[]`; both are accepted. */
function imageFiles(form: ParsedForm): UploadedFile[] {
  return form.files.filter((f) => f.field === 'image' || f.field === 'image[]');
}

function missing(param: string): Answer {
  return invalid(param, `Missing required parameter: '${param}'.`, 'missing_required_parameter');
}

function notOneOf(param: string, value: string, allowed: readonly string[]): Answer {
  return invalid(param, `'${value}' is not one of ${JSON.stringify(allowed)} - '${param}'`, 'invalid_value');
}

function parseN(raw: string | undefined): { value: number } | { answer: Answer } {
  if (raw === undefined) return { value: 1 };
  if (!/^-?\d+$/.test(raw)) return { answer: invalid('n', `'${raw}' is not of type 'integer' - 'n'`, 'invalid_type') };
  const value = Number(raw);
  if (value < 1) return { answer: invalid('n', `${raw} is less than the minimum of 1 - 'n'`, 'integer_below_min_value') };
  if (value > LIMITS.maxN) {
    return { answer: invalid('n', `${raw} is greater than the maximum of ${LIMITS.maxN} - 'n'`, 'integer_above_max_value') };
  }
  return { value };
}

/**
 * `auto` keeps the input's aspect by picking the nearest named size; named sizes are exact; any
 * other `WxH` needs sides divisible by 16, aspect 1:3..3:1 and at most 3840x2160 (gpt-image-2 and
 * later; the older GPT Image families take named sizes only; gateway models also the DALL-E ones).
 */
function editSize(raw: string, model: string, input: ImageInfo): { width: number; height: number } | { answer: Answer } {
  if (raw === 'auto') {
    const aspect = Math.log((input.width ?? 1) / (input.height ?? 1));
    const nearest = EDIT_NAMED_SIZES.map((s) => s.split('x').map(Number)).reduce((best, s) =>
      Math.abs(Math.log(s[0] / s[1]) - aspect) < Math.abs(Math.log(best[0] / best[1]) - aspect) ? s : best,
    );
    return { width: nearest[0], height: nearest[1] };
  }
  const match = /^(\d+)x(\d+)$/.exec(raw);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  const gptImage = /^(gpt-image|chatgpt-image)/.test(model);
  const named = EDIT_NAMED_SIZES.includes(raw) || (!gptImage && VARIATION_SIZES.includes(raw));
  const customAllowed = !/^(gpt-image-1|chatgpt-image)/.test(model);
  const custom =
    match !== null &&
    width % 16 === 0 &&
    height % 16 === 0 &&
    width >= 16 &&
    height >= 16 &&
    Math.max(width, height) <= 3840 &&
    width * height <= 3840 * 2160 &&
    Math.max(width, height) <= 3 * Math.min(width, height);
  if (named || (customAllowed && custom)) return { width, height };
  return {
    answer: invalid(
      'size',
      `Invalid value for 'size': '${raw}'. Supported values are 'auto', ${EDIT_NAMED_SIZES.map((s) => `'${s}'`).join(', ')}` +
        (customAllowed ? ', or WxH with both sides divisible by 16, aspect 1:3 to 3:1, at most 3840x2160.' : '.'),
    ),
  };
}

function isResponseFormat(value: string): value is ResponseFormat {
  return (RESPONSE_FORMATS as readonly string[]).includes(value);
}

function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}
