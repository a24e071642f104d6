/**
 * Sample images for the demo and the example flows, drawn in code (SVG rendered by sharp), so the
 * repository ships no binaries and needs no download. Three kinds, the inputs users meet most:
 * a square PNG (the only shape the legacy variations endpoint takes), a photo-like JPEG and a
 * non-square WebP. The same sharp version always gives the same bytes.
 *
 *   tsx tools/samples/make-samples.ts [directory]    (default: .node-red-demo/demo-samples)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

export interface Sample {
  file: string;
  description: string;
  width: number;
  height: number;
}

export const SAMPLES: readonly Sample[] = [
  { file: 'square.png', description: 'square PNG, flat shapes on a gradient', width: 1024, height: 1024 },
  { file: 'photo.jpg', description: 'photo-like JPEG, a lake at sunset', width: 1536, height: 1024 },
  { file: 'wide.webp', description: 'non-square WebP, rolling hills', width: 1600, height: 900 },
];

/** Where the demo keeps its samples, relative to the Node-RED user directory. */
export const SAMPLES_FOLDER = 'demo-samples';

/** Writes every sample into `directory` (created if needed) and returns the absolute paths. */
export async function makeSamples(directory: string): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  return Promise.all(
    SAMPLES.map(async (sample) => {
      const path = join(directory, sample.file);
      await writeFile(path, await renderSample(sample));
      return path;
    }),
  );
}

function renderSample(sample: Sample): Promise<Buffer> {
  const { width, height } = sample;
  switch (sample.file) {
    case 'square.png':
      return sharp(Buffer.from(shapesSvg(width, height))).png({ compressionLevel: 9, palette: true }).toBuffer();
    case 'photo.jpg':
      return sharp(Buffer.from(lakeSvg(width, height))).jpeg({ quality: 82, mozjpeg: true }).toBuffer();
    default:
      return sharp(Buffer.from(hillsSvg(width, height))).webp({ quality: 80 }).toBuffer();
  }
}

function shapesSvg(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 100 100">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#1d3b6f"/><stop offset="1" stop-color="#6a2c70"/>
    </linearGradient>
  </defs>
  <rect width="100" height="100" fill="url(#bg)"/>
  <circle cx="36" cy="38" r="20" fill="#f7b32b"/>
  <rect x="52" y="48" width="34" height="34" rx="4" fill="#2ec4b6" transform="rotate(12 69 65)"/>
  <polygon points="12,88 34,56 52,90" fill="#f2f2f2"/>
  <circle cx="78" cy="22" r="7" fill="#ff6b6b"/>
</svg>`;
}

function lakeSvg(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 150 100" preserveAspectRatio="none">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#2b1d52"/><stop offset="0.45" stop-color="#c8577a"/><stop offset="0.62" stop-color="#f6a94b"/>
    </linearGradient>
    <linearGradient id="water" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#e48a5a"/><stop offset="1" stop-color="#1c2340"/>
    </linearGradient>
    <radialGradient id="sun"><stop offset="0" stop-color="#fff6d5"/><stop offset="0.5" stop-color="#ffd27a"/><stop offset="1" stop-color="#ffd27a" stop-opacity="0"/></radialGradient>
    <filter id="grain"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="7"/><feColorMatrix values="0 0 0 0 0.5  0 0 0 0 0.5  0 0 0 0 0.5  0 0 0 0.35 0"/><feBlend in="SourceGraphic" mode="overlay"/></filter>
  </defs>
  <g filter="url(#grain)">
    <rect width="150" height="62" fill="url(#sky)"/>
    <circle cx="98" cy="54" r="22" fill="url(#sun)"/>
    <path d="M0 62 L0 44 L14 36 L24 44 L40 26 L56 46 L66 40 L78 52 L150 62 Z" fill="#3a2449"/>
    <path d="M64 62 L86 48 L100 54 L118 36 L136 46 L150 42 L150 62 Z" fill="#55305a"/>
    <rect y="62" width="150" height="38" fill="url(#water)"/>
    <g opacity="0.55" fill="#ffe0a0">
      <rect x="92" y="65" width="12" height="0.7"/><rect x="89" y="69" width="18" height="0.7"/>
      <rect x="94" y="74" width="8" height="0.6"/><rect x="90" y="80" width="15" height="0.6"/>
    </g>
    <path d="M0 66 Q18 63 34 68 Q50 74 44 100 L0 100 Z" fill="#141a2e" opacity="0.6"/>
    <path d="M6 100 L9 76 L12 100 Z M13 100 L17 68 L21 100 Z M22 100 L24 80 L26 100 Z" fill="#0d1020"/>
  </g>
</svg>`;
}

function hillsSvg(w: number, h: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 160 90" preserveAspectRatio="none">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#7ec8e3"/><stop offset="1" stop-color="#e6f4f1"/>
    </linearGradient>
  </defs>
  <rect width="160" height="90" fill="url(#sky)"/>
  <circle cx="128" cy="18" r="8" fill="#fff3b0"/>
  <ellipse cx="40" cy="20" rx="14" ry="4" fill="#ffffff" opacity="0.85"/>
  <ellipse cx="50" cy="17" rx="9" ry="4" fill="#ffffff" opacity="0.85"/>
  <path d="M0 58 Q30 38 62 52 T120 46 T160 50 L160 90 L0 90 Z" fill="#7fb069"/>
  <path d="M0 70 Q40 54 80 66 T160 62 L160 90 L0 90 Z" fill="#4d8b46"/>
  <path d="M0 82 Q50 70 100 80 T160 78 L160 90 L0 90 Z" fill="#2f5d34"/>
  <g fill="#1f3d24"><circle cx="112" cy="60" r="3"/><rect x="111.4" y="62" width="1.2" height="4"/>
  <circle cx="120" cy="58" r="2.4"/><rect x="119.5" y="60" width="1" height="3.5"/></g>
</svg>`;
}

async function main(): Promise<void> {
  const directory = resolve(process.argv[2] ?? join('.node-red-demo', SAMPLES_FOLDER));
  for (const path of await makeSamples(directory)) console.log(`wrote ${path}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
