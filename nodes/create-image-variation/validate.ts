import {
  DEFAULTS,
  EDIT_SIZES,
  LIMITS,
  METHODS,
  RESPONSE_FORMATS,
  VARIATION_SIZES,
  type Method,
  type ResponseFormat,
  type VariationSize,
} from '../shared/types';
import { describeValue, invalidInput } from './errors';
import type { ImageInfo } from './image-format';
import type { RawInputs } from './inputs';

/** Every parameter of the request except the image, validated (SPEC 5). */
export interface VariationParams {
  method: Method;
  /** Absent for `variations` when none is set: the gateway picks its default. */
  model?: string;
  prompt?: string;
  n: number;
  /** Absent means the method's default: `auto` for edit, "same as input" for variations. */
  size?: string;
  responseFormat: ResponseFormat;
  user?: string;
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

export function validateMethod(value: unknown): Method {
  if (value === undefined) return DEFAULTS.method;
  if (!includes(METHODS, value)) throw invalidInput('badMethod', { value: describeValue(value) });
  return value;
}

export function validateN(value: unknown): number {
  if (value === undefined) return DEFAULTS.n;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < LIMITS.minN || n > LIMITS.maxN) {
    throw invalidInput('badN', { value: describeValue(value) });
  }
  return n;
}

function isEditSize(value: string): boolean {
  if ((EDIT_SIZES as readonly string[]).includes(value)) return true;
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(value);
  if (!match) return false;
  const [width, height] = [Number(match[1]), Number(match[2])];
  return width > 0 && height > 0 && width % LIMITS.editSizeStep === 0 && height % LIMITS.editSizeStep === 0;
}

export function validateSize(value: unknown, method: Method): string | undefined {
  if (value === undefined) return undefined;
  const valid = method === 'edit' ? typeof value === 'string' && isEditSize(value) : includes(VARIATION_SIZES, value);
  if (!valid) {
    const allowed =
      method === 'edit'
        ? `${EDIT_SIZES.join(', ')} or WxH with both sides divisible by ${LIMITS.editSizeStep}`
        : VARIATION_SIZES.join(', ');
    throw invalidInput('badSize', { allowed, method, value: describeValue(value) });
  }
  return value as string;
}

export function validateResponseFormat(value: unknown): ResponseFormat {
  if (value === undefined) return DEFAULTS.responseFormat;
  if (!includes(RESPONSE_FORMATS, value)) throw invalidInput('badResponseFormat', { value: describeValue(value) });
  return value;
}

export function validateUser(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalidInput('badUser', { value: describeValue(value) });
  return value;
}

function validatePrompt(value: unknown): string {
  if (value === undefined) return DEFAULTS.prompt;
  if (typeof value !== 'string' || value.trim() === '' || value.length > LIMITS.maxPromptChars) {
    throw invalidInput('badPrompt', { value: describeValue(value) });
  }
  return value;
}

function validateModel(value: unknown, method: Method): string | undefined {
  if (value === undefined) return method === 'edit' ? DEFAULTS.editModel : undefined;
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput('badModel', { value: describeValue(value) });
  return value.trim();
}

/** The parameters that need no I/O, checked before the image is looked at. */
export function validateParams(raw: RawInputs): VariationParams {
  const method = validateMethod(raw.method);
  return {
    method,
    model: validateModel(raw.model, method),
    prompt: method === 'edit' ? validatePrompt(raw.prompt) : undefined,
    n: validateN(raw.n),
    size: validateSize(raw.size, method),
    responseFormat: validateResponseFormat(raw.responseFormat),
    user: validateUser(raw.user),
  };
}

export function maxImageBytes(method: Method): number {
  return method === 'edit' ? LIMITS.maxEditBytes : LIMITS.maxVariationBytes;
}

/** Format from magic bytes: PNG for variations (and square); PNG, JPEG or WebP for edit. */
export function validateImageInfo(info: ImageInfo, method: Method): void {
  const allowed = method === 'edit' ? ['png', 'jpeg', 'webp'] : ['png'];
  const allowedText = method === 'edit' ? 'PNG, JPEG or WebP' : 'a PNG';
  if (info.defect) throw invalidInput('badFormat', { allowed: allowedText, method, value: info.defect });
  if (!allowed.includes(info.format)) {
    const got = info.format === 'unknown' ? 'bytes of no known image format' : info.format.toUpperCase();
    throw invalidInput('badFormat', { allowed: allowedText, method, value: got });
  }
  if (method === 'variations' && info.width !== info.height) {
    throw invalidInput('notSquare', { value: `${info.width}x${info.height}` });
  }
}

/**
 * "Same as input" for variations: the input's side when allowed, else the nearest allowed
 * side, ties going up.
 */
export function sizeSameAsInput(side: number): VariationSize {
  let best: VariationSize = VARIATION_SIZES[0];
  let bestDistance = Infinity;
  for (const size of VARIATION_SIZES) {
    const distance = Math.abs(Number(size.split('x')[0]) - side);
    if (distance <= bestDistance) {
      best = size;
      bestDistance = distance;
    }
  }
  return best;
}
