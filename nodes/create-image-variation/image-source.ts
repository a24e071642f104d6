import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { describeValue, invalidInput } from './errors';
import { HEADER_BYTES, inspectImageHeader, type ImageInfo } from './image-format';

/** Where the image came from; the bytes of a file are read only when its request starts (SPEC 7). */
export type ImageSource =
  | { kind: 'bytes'; origin: string; bytes: Buffer; info: ImageInfo }
  | { kind: 'file'; origin: string; path: string; byteLength: number; info: ImageInfo };

export interface FileRules {
  baseFolder: string;
  restrictToBaseFolder: boolean;
  maxBytes: number;
  method: string;
}

const BASE64_BODY = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

export function checkByteLength(length: number, maxBytes: number, method: string): void {
  if (length >= maxBytes) {
    throw invalidInput('tooLarge', { limit: formatBytes(maxBytes), method, value: formatBytes(length) });
  }
}

/** A Buffer, a base64 string or a data: URL, as given in `msg.image` or `msg.payload`. */
export function decodeImageValue(value: unknown, origin: string): Buffer {
  if (Buffer.isBuffer(value)) {
    if (value.length === 0) throw invalidInput('emptyImage', { source: origin });
    return value;
  }
  if (typeof value !== 'string') throw invalidInput('imageType', { value: describeValue(value) });
  let base64 = value;
  const dataUrl = DATA_URL.exec(value);
  if (dataUrl) {
    const [prefix, mediaType, parameters] = dataUrl;
    if (!mediaType.toLowerCase().startsWith('image/') || !parameters.toLowerCase().includes(';base64')) {
      throw invalidInput('badDataUrl', { source: origin, value: describeValue(prefix) });
    }
    base64 = value.slice(prefix.length);
  } else if (value.startsWith('data:')) {
    throw invalidInput('badDataUrl', { source: origin, value: describeValue(value) });
  }
  if (base64.trim() === '' || !BASE64_BODY.test(base64)) {
    throw invalidInput('badBase64', { source: origin, value: describeValue(value) });
  }
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw invalidInput('emptyImage', { source: origin });
  return bytes;
}

export function inspectBytes(bytes: Buffer, origin: string): ImageSource {
  return { kind: 'bytes', origin, bytes, info: inspectImageHeader(bytes.subarray(0, HEADER_BYTES)) };
}

function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'FIFO';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSocket()) return 'socket';
  return 'special file';
}

function isInside(folder: string, target: string): boolean {
  const path = relative(folder, target);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

function systemReason(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? String(error);
}

async function statFile(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw invalidInput('fileMissing', { path });
    }
    throw invalidInput('unreadable', { path, reason: systemReason(error) });
  }
}

async function assertInsideBaseFolder(path: string, baseFolder: string): Promise<void> {
  let realBase: string;
  let realTarget: string;
  try {
    [realBase, realTarget] = await Promise.all([realpath(baseFolder), realpath(path)]);
  } catch (error) {
    throw invalidInput('unreadable', { path, reason: systemReason(error) });
  }
  if (!isInside(realBase, realTarget)) throw invalidInput('outsideBaseFolder', { base: baseFolder, path });
}

/**
 * Opens without blocking and re-checks the type through the descriptor, so a path swapped
 * for a FIFO or device after `stat` is still never read.
 */
export async function readRegularFile(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((error: unknown) => {
    throw invalidInput('unreadable', { path, reason: systemReason(error) });
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw invalidInput('notRegularFile', { kind: fileKind(stats), path });
    const length = Math.min(stats.size, limit);
    const bytes = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === length ? bytes : bytes.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Checks a path from `stat` and its first bytes; the whole file is read later. */
export async function inspectFile(pathValue: unknown, origin: string, rules: FileRules): Promise<ImageSource> {
  if (typeof pathValue !== 'string' || pathValue.trim() === '' || pathValue.includes('\0')) {
    throw invalidInput('pathType', { value: describeValue(pathValue) });
  }
  const path = resolve(rules.baseFolder, pathValue);
  // A path outside the folder is refused before any stat, so the answer tells nothing about what is there.
  if (rules.restrictToBaseFolder && !isInside(resolve(rules.baseFolder), path)) {
    throw invalidInput('outsideBaseFolder', { base: rules.baseFolder, path });
  }
  const stats = await statFile(path);
  if (!stats.isFile()) throw invalidInput('notRegularFile', { kind: fileKind(stats), path });
  if (rules.restrictToBaseFolder) await assertInsideBaseFolder(path, rules.baseFolder);
  if (stats.size === 0) throw invalidInput('emptyImage', { source: path });
  checkByteLength(stats.size, rules.maxBytes, rules.method);
  const head = await readRegularFile(path, HEADER_BYTES);
  return { kind: 'file', origin, path, byteLength: stats.size, info: inspectImageHeader(head) };
}
