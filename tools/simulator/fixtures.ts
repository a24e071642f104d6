/**
 * Test images built in code: a diagonal gradient with a few shapes, so that hue turns, mirroring
 * and zoom all change pixels visibly. The same arguments always give the same bytes; a different
 * `seed` gives a different image (and so a different cache entry in the simulator).
 */
import sharp from 'sharp';

export type TestImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface TestImageOptions {
  /** Varies colours and shape positions. Default 1. */
  seed?: number;
  /** Keep an alpha channel with a transparent corner (PNG and WebP). Default false. */
  alpha?: boolean;
}

export function makeTestPng(width: number, height: number, options: TestImageOptions = {}): Promise<Buffer> {
  return makeTestImage('png', width, height, options);
}

export async function makeTestImage(
  format: TestImageFormat,
  width: number,
  height: number,
  options: TestImageOptions = {},
): Promise<Buffer> {
  let image = sharp(Buffer.from(testSvg(width, height, options.seed ?? 1, options.alpha ?? false)));
  if (!options.alpha || format === 'jpeg' || format === 'gif') image = image.flatten({ background: '#ffffff' });
  switch (format) {
    case 'png':
      return image.png().toBuffer();
    case 'jpeg':
      return image.jpeg({ quality: 90 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 90 }).toBuffer();
    case 'gif':
      return image.gif().toBuffer();
  }
}

function testSvg(width: number, height: number, seed: number, alpha: boolean): string {
  const hue = (seed * 83) % 360;
  const shift = (seed * 0.137) % 0.3;
  const min = Math.min(width, height);
  const corner = alpha
    ? `<polygon points="0,0 ${width / 3},0 0,${height / 3}" fill="black" />`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs>
    <linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},80%,55%)" />
      <stop offset="1" stop-color="hsl(${(hue + 150) % 360},70%,35%)" />
    </linearGradient>
    <mask id="m"><rect width="100%" height="100%" fill="white" />${corner}</mask>
  </defs>
  <g mask="url(#m)">
    <rect width="100%" height="100%" fill="url(#g)" />
    <circle cx="${width * (0.3 + shift)}" cy="${height * 0.35}" r="${min * 0.18}" fill="hsl(${(hue + 60) % 360},90%,60%)" />
    <rect x="${width * 0.55}" y="${height * (0.5 + shift / 2)}" width="${width * 0.3}" height="${height * 0.25}" fill="hsl(${(hue + 200) % 360},85%,45%)" />
    <polygon points="${width * 0.1},${height * 0.9} ${width * 0.4},${height * 0.55} ${width * 0.5},${height * 0.95}" fill="white" />
  </g>
</svg>`;
}
