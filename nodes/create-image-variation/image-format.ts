import { crc32 } from 'node:zlib';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageInfo {
  format: ImageFormat | 'unknown';
  /** Known for PNG only: the variations endpoint needs them to check squareness. */
  width?: number;
  height?: number;
  /** Set when the bytes start like a format but its header is broken or inconsistent. */
  defect?: string;
}

/** Enough leading bytes to recognise every supported format and read a PNG's IHDR. */
export const HEADER_BYTES = 33;

export const MEDIA_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function inspectPng(head: Buffer): ImageInfo {
  if (head.length < HEADER_BYTES) return { format: 'png', defect: 'truncated PNG header' };
  const chunkLength = head.readUInt32BE(8);
  const chunkType = head.toString('latin1', 12, 16);
  if (chunkLength !== 13 || chunkType !== 'IHDR') return { format: 'png', defect: 'PNG without an IHDR header' };
  // The CRC covers type and data: a header edited to claim other dimensions no longer matches it.
  if (crc32(head.subarray(12, 29)) !== head.readUInt32BE(29)) {
    return { format: 'png', defect: 'PNG header checksum mismatch' };
  }
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    return { format: 'png', defect: `PNG header with impossible dimensions ${width}x${height}` };
  }
  return { format: 'png', width, height };
}

/** Recognises the format from magic bytes, never from a name or a claimed media type. */
export function inspectImageHeader(head: Buffer): ImageInfo {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return inspectPng(head);
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { format: 'jpeg' };
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return { format: 'webp' };
  }
  if (head.length >= 6 && /^GIF8[79]a$/.test(head.toString('latin1', 0, 6))) return { format: 'gif' };
  return { format: 'unknown' };
}
