/**
 * The hosted images behind `response_format=url`: `/files/<id>.<ext>`, valid for a limited time
 * like the API's 60-minute URLs. Expiry is checked when a URL is fetched (no timers to clear), and
 * the store keeps at most `maxEntries`, dropping the oldest.
 */
import { randomBytes } from 'node:crypto';
import type { RenderedImage } from './images';

interface Hosted {
  image: RenderedImage;
  expiresAt: number;
}

const CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

export class UrlStore {
  private readonly hosted = new Map<string, Hosted>();
  /** Random per store, then a counter: names that cannot be guessed across runs, without a syscall each. */
  private readonly prefix = randomBytes(8).toString('hex');
  private counter = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  /** Hosts the image and returns its path, e.g. `/files/4f1c...png`. */
  add(image: RenderedImage): string {
    const name = `${this.prefix}${(++this.counter).toString(16).padStart(8, '0')}.${image.format === 'jpeg' ? 'jpg' : image.format}`;
    this.hosted.set(name, { image, expiresAt: Date.now() + this.ttlMs });
    if (this.hosted.size > this.maxEntries) {
      const oldest = this.hosted.keys().next();
      if (!oldest.done) this.hosted.delete(oldest.value);
    }
    return `/files/${name}`;
  }

  /** The image and its content type, or undefined when unknown or expired. */
  get(name: string): { bytes: Buffer; contentType: string } | undefined {
    const entry = this.hosted.get(name);
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAt) {
      this.hosted.delete(name);
      return undefined;
    }
    return { bytes: entry.image.bytes, contentType: CONTENT_TYPES[entry.image.format] };
  }
}
