import OpenAI from 'openai';
import { CONFIG_DEFAULTS } from '../shared/types';
import { RequestQueue } from './queue';

/** The config node's form as saved in the flow; the editor stores numbers as strings. */
export interface ConnectionSettings {
  baseURL?: string;
  organization?: string;
  project?: string;
  timeout?: string | number;
  maxRetries?: string | number;
  maxConcurrent?: string | number;
  queueLimit?: string | number;
}

/** What consumers of the config node use: a client (when a key exists) and the shared queue. */
export class ImageApiConnection {
  readonly baseURL: string;
  readonly timeoutSeconds: number;
  readonly queue: RequestQueue;
  readonly client: OpenAI | undefined;
  readonly invalidSettings: string[] = [];
  readonly #apiKey: string | undefined;

  constructor(settings: ConnectionSettings, apiKey: string | undefined) {
    this.baseURL = settings.baseURL?.trim() || CONFIG_DEFAULTS.baseURL;
    this.timeoutSeconds = this.number('timeout', settings.timeout, CONFIG_DEFAULTS.timeoutSeconds, 0.001);
    const maxRetries = this.number('maxRetries', settings.maxRetries, CONFIG_DEFAULTS.maxRetries, 0, true);
    const maxConcurrent = this.number('maxConcurrent', settings.maxConcurrent, CONFIG_DEFAULTS.maxConcurrent, 1, true);
    const queueLimit = this.number('queueLimit', settings.queueLimit, CONFIG_DEFAULTS.queueLimit, 0, true);
    this.queue = new RequestQueue(maxConcurrent, queueLimit);
    this.#apiKey = apiKey?.trim() || undefined;
    this.client = this.#apiKey
      ? new OpenAI({
          apiKey: this.#apiKey,
          baseURL: this.baseURL,
          organization: settings.organization?.trim() || null,
          project: settings.project?.trim() || null,
          timeout: Math.round(this.timeoutSeconds * 1000),
          maxRetries,
        })
      : undefined;
  }

  /** Removes the key from any text that leaves the node (error texts may echo what was sent). */
  redact(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join('[redacted]') : text;
  }

  close(): void {
    this.queue.cancelAll();
  }

  private number(name: string, value: unknown, fallback: number, min: number, integer = false): number {
    if (value === undefined || value === null || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed))) {
      this.invalidSettings.push(`${name}=${String(value)}`);
      return fallback;
    }
    return parsed;
  }
}
