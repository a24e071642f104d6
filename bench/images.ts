/**
 * Benchmark inputs drawn at run time: square PNGs of seeded noise. Noise does not compress, so
 * a PNG of side s weighs about 3·s² bytes and the requested size is really sent.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export interface BenchImage {
  label: string;
  side: number;
  bytes: Buffer;
  path: string;
}

function noise(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let offset = 0; offset < length; offset++) {
    // xorshift32: fast, seeded, and far from compressible.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[offset] = state & 0xff;
  }
  return out;
}

function encode(side: number, seed: number): Promise<Buffer> {
  return sharp(noise(side * side * 3, seed), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** A square noise PNG of about `targetBytes` (within 1 %), written to `dir`. */
export async function makeNoisePng(dir: string, label: string, targetBytes: number, seed: number): Promise<BenchImage> {
  let side = Math.round(Math.sqrt(targetBytes / 3));
  let bytes = await encode(side, seed);
  // One correction step: PNG filter bytes and zlib framing add a little per row.
  side = Math.max(16, Math.round(side * Math.sqrt(targetBytes / bytes.length)));
  bytes = await encode(side, seed);
  const path = join(dir, `${label.replace(/\s+/g, '')}-${side}x${side}.png`);
  await writeFile(path, bytes);
  return { label, side, bytes, path };
}

export const MB = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(2)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}
