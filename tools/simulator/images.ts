/**
 * Output images: real, visibly different variations of the input (hue turn, brightness, zoom,
 * mirroring, each depending on the index), so tests can tell outputs from the input and from each
 * other. Encoding is the only expensive step, so encoded results are cached by (input hash, size,
 * index, format) in a bounded LRU and concurrent misses for the same key share one encode.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { OutputFormat } from './validate';

export class InvalidImageError extends Error {}

/** One encoded output; the base64 text is made on first use and kept, ready to be written as is. */
export class RenderedImage {
  private base64?: Buffer;
  constructor(
    readonly bytes: Buffer,
    readonly format: OutputFormat,
  ) {}

  /** The base64 text as ASCII bytes (written into JSON bodies without another copy). */
  get b64(): Buffer {
    this.base64 ??= Buffer.from(this.bytes.toString('base64'), 'latin1');
    return this.base64;
  }

  /** What the entry costs in memory once its base64 form exists too. */
  get cost(): number {
    return Math.ceil(this.bytes.length * 2.34);
  }
}

export interface VariationRequest {
  image: Buffer;
  width: number;
  height: number;
  n: number;
  format: OutputFormat;
}

export class VariationCache {
  private readonly entries = new Map<string, RenderedImage>();
  private readonly pending = new Map<string, Promise<RenderedImage>>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  /** The `n` variations of one request; a cache hit never touches sharp. */
  render(request: VariationRequest): Promise<RenderedImage[]> {
    const hash = createHash('sha1').update(request.image).digest('hex');
    const jobs: Promise<RenderedImage>[] = [];
    for (let index = 0; index < request.n; index++) {
      jobs.push(this.one(`${hash}:${request.width}x${request.height}:${index}:${request.format}`, request, index));
    }
    return Promise.all(jobs);
  }

  get size(): number {
    return this.entries.size;
  }

  private one(key: string, request: VariationRequest, index: number): Promise<RenderedImage> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key); // re-insert: Map order is the LRU order
      this.entries.set(key, hit);
      return Promise.resolve(hit);
    }
    const shared = this.pending.get(key);
    if (shared) return shared;
    this.misses++;
    const job = encodeVariation(request, index)
      .then((rendered) => {
        this.store(key, rendered);
        return rendered;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, job);
    return job;
  }

  private store(key: string, rendered: RenderedImage): void {
    this.entries.set(key, rendered);
    this.bytes += rendered.cost;
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes || oldKey === key) break;
      this.entries.delete(oldKey);
      this.bytes -= old.cost;
    }
  }
}

async function encodeVariation(request: VariationRequest, index: number): Promise<RenderedImage> {
  const { width, height, format } = request;
  const zoom = 1 + 0.05 * (1 + (index % 3));
  const zoomedWidth = Math.round(width * zoom);
  const zoomedHeight = Math.round(height * zoom);
  let pipeline = sharp(request.image)
    .resize(zoomedWidth, zoomedHeight, { fit: 'cover' })
    .extract({
      left: Math.floor((zoomedWidth - width) / 2),
      top: Math.floor((zoomedHeight - height) / 2),
      width,
      height,
    })
    // Hue turns of 40 + 67*i degrees never come back to 0 for i in 0..9.
    .modulate({ hue: (40 + 67 * index) % 360, brightness: index % 2 === 0 ? 0.9 : 1.1, saturation: 1.2 });
  if (index % 2 === 0) pipeline = pipeline.flop();
  if (format === 'jpeg') pipeline = pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 80 });
  else if (format === 'webp') pipeline = pipeline.webp({ quality: 80, effort: 1 });
  else pipeline = pipeline.png({ compressionLevel: 3, adaptiveFiltering: false });
  try {
    return new RenderedImage(await pipeline.toBuffer(), format);
  } catch (err) {
    throw new InvalidImageError(err instanceof Error ? err.message : String(err));
  }
}
