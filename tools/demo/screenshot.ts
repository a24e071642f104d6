/**
 * Takes docs/images/gallery.png: starts the demo (simulator, temporary user directory), runs the
 * demo flow's injects, and photographs the gallery page with headless Chromium.
 *
 *   tsx tools/demo/screenshot.ts [--chromium /usr/bin/chromium] [--out docs/images/gallery.png]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { GALLERY_EXAMPLE, REPO_ROOT, type FlowNode } from './gallery-flow';
import { readGallery, startDemo, waitForEntry } from './start';

/** Oldest first; the gallery shows the newest on top. The flow's "once" inject comes before all. */
const INJECT_ORDER = [
  'Legacy variations (dall-e-2, gateways only)',
  'Missing file (fails)',
  'Wide WebP (edit, 1280x720)',
  'Photo-like JPEG (edit, 2 images, b64_json)',
];
const MAX_BYTES = 300 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      chromium: { type: 'string', default: '/usr/bin/chromium' },
      out: { type: 'string', default: join(REPO_ROOT, 'docs', 'images', 'gallery.png') },
    },
  });
  const userDir = await mkdtemp(join(tmpdir(), 'variation-screenshot-'));
  try {
    const demo = await startDemo({ port: 0, userDir, apiKey: '', log: () => {}, nodeRedLog: () => {} });
    try {
      await fillGallery(demo.url);
      const png = await photograph(demo.galleryUrl, values.chromium);
      const out = resolve(values.out);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, png);
      const { width, height } = await sharp(png).metadata();
      console.log(`wrote ${out} (${width}x${height}, ${Math.round(png.length / 1024)} KB)`);
      if (png.length > MAX_BYTES) throw new Error(`the screenshot is over ${MAX_BYTES / 1024} KB`);
    } finally {
      await demo.stop();
    }
  } finally {
    await rm(userDir, { recursive: true, force: true });
  }
}

/** Runs the injects one after the other, so the gallery's order is known, and waits for every answer. */
async function fillGallery(url: string): Promise<void> {
  await waitForEntry(url, (entry) => entry.state === 'done');
  const flow = JSON.parse(readFileSync(GALLERY_EXAMPLE, 'utf8')) as FlowNode[];
  for (const name of INJECT_ORDER) {
    const inject = flow.find((node) => node.type === 'inject' && node.name === name);
    if (!inject) throw new Error(`no inject named ${name}`);
    const before = (await readGallery(url)).length;
    await fetch(`${url}/inject/${inject.id}`, { method: 'POST' });
    await waitUntil(async () => (await readGallery(url)).length > before);
  }
  await waitUntil(async () => (await readGallery(url)).every((entry) => entry.state !== 'working'));
}

async function photograph(galleryUrl: string, executablePath: string): Promise<Buffer> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(galleryUrl, { waitUntil: 'networkidle' });
    await page.evaluate(() => Promise.all([...document.images].map((img) => img.decode().catch(() => undefined))));
    const shot = await page.screenshot({ fullPage: true });
    return await sharp(shot).png({ palette: true, quality: 90, compressionLevel: 9, effort: 10 }).toBuffer();
  } finally {
    await browser.close();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
