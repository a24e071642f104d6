import type { Method } from '../shared/types';
import { VariationError, invalidInput } from './errors';
import { HEADER_BYTES, inspectImageHeader, type ImageFormat } from './image-format';
import {
  checkByteLength,
  decodeImageValue,
  inspectBytes,
  inspectFile,
  readRegularFile,
  type ImageSource,
} from './image-source';
import { resolveInputs, type VariationNodeConfig } from './inputs';
import { maxImageBytes, sizeSameAsInput, validateImageInfo, validateParams, type VariationParams } from './validate';

/** A message that passed every rule of SPEC 5; it holds only a path or its own Buffer. */
export interface PreparedVariation {
  params: VariationParams;
  image: ImageSource;
  format: ImageFormat;
}

export interface PrepareContext {
  form: VariationNodeConfig;
  baseFolder: string;
  restrictToBaseFolder: boolean;
  hasApiKey: boolean;
}

async function locateImage(msg: Record<string, unknown>, context: PrepareContext, method: Method): Promise<ImageSource> {
  const input = resolveInputs(msg, context.form).image;
  const maxBytes = maxImageBytes(method);
  if (input.kind === 'none') throw invalidInput('noImage');
  if (input.kind === 'path') {
    return inspectFile(input.value, input.origin, {
      baseFolder: context.baseFolder,
      restrictToBaseFolder: context.restrictToBaseFolder,
      maxBytes,
      method,
    });
  }
  const bytes = decodeImageValue(input.value, input.origin);
  checkByteLength(bytes.length, maxBytes, method);
  return inspectBytes(bytes, input.origin);
}

/** Every check that needs no network, in the order a user would fix them. */
export async function prepareVariation(msg: Record<string, unknown>, context: PrepareContext): Promise<PreparedVariation> {
  const params = validateParams(resolveInputs(msg, context.form));
  if (!context.hasApiKey) throw new VariationError('NO_API_KEY', 'noApiKey');
  const image = await locateImage(msg, context, params.method);
  validateImageInfo(image.info, params.method);
  if (params.method === 'variations' && params.size === undefined) {
    params.size = sizeSameAsInput(image.info.width as number);
  }
  return { params, image, format: image.info.format as ImageFormat };
}

/**
 * The bytes to upload, read when the request starts. A file is checked again: it may have
 * changed since it was inspected.
 */
export async function loadImageBytes(prepared: PreparedVariation): Promise<Buffer> {
  const { image, params } = prepared;
  if (image.kind === 'bytes') return image.bytes;
  const maxBytes = maxImageBytes(params.method);
  const bytes = await readRegularFile(image.path, maxBytes);
  checkByteLength(bytes.length, maxBytes, params.method);
  const info = inspectImageHeader(bytes.subarray(0, HEADER_BYTES));
  validateImageInfo(info, params.method);
  if (info.format !== prepared.format) {
    throw invalidInput('badFormat', { allowed: prepared.format.toUpperCase(), method: params.method, value: info.format });
  }
  return bytes;
}
