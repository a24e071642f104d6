/**
 * The simulator's public types. Tests, the demo and the benchmarks code against these names,
 * so they change only together with every caller.
 */

export interface SimulatorOptions {
  /** Interface to listen on. Default `127.0.0.1`: the simulator is never reachable from outside by default. */
  host?: string;
  /** Port to listen on. Default 0 (an ephemeral port; read it back from `Simulator.port`). */
  port?: number;
  /** Bearer key every API request must carry. Default `sk-sim-test-key`; `null` accepts any key or none. */
  apiKey?: string | null;
  /**
   * Default true, "plays api.openai.com": `dall-e-2`, `dall-e-3` and `gpt-image-1` answer 404
   * `model_not_found`. False, "plays a gateway": `/images/variations` serves `dall-e-2` and any model id.
   */
  retiredModels?: boolean;
  /** Fixed latency added before answering every request. Default 0. */
  latencyMs?: number;
  /** Lifetime of the `/files/<id>.png` URLs that `response_format=url` hands out. Default 60 minutes. */
  urlTtlMs?: number;
}

export type SimulatorEvent = 'request' | 'response' | 'aborted';

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `url + '/v1'`: what the OpenAI client's `baseURL` is set to. */
  readonly baseURL: string;
  readonly port: number;
  /** Every request received, in arrival order (including `GET /files/...` and unknown routes). */
  readonly requests: RecordedRequest[];
  /** API requests currently being handled (not yet answered or ended). */
  readonly inFlight: number;
  /** Highest `inFlight` seen since start or the last `reset()`. */
  readonly maxInFlight: number;
  /** Queue faults; each later API request takes the next one (FIFO). An empty queue means normal answers. */
  inject(...faults: Fault[]): void;
  /** Random faults for soak and load tests: an API request with no queued fault draws one by weight. */
  setFaultMix(mix: FaultMix | null): void;
  setLatency(ms: number): void;
  setRetiredModels(on: boolean): void;
  /** Clears the record, queued faults, the fault mix and `maxInFlight`. Keeps settings and the image cache. */
  reset(): void;
  /** Resolves once at least `count` API requests have been received; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Destroys open sockets (hanging ones too), stops listening and clears every timer. */
  close(): Promise<void>;
  /**
   * `request`: a request was received (body read, record filled in). `response`: the simulator is done
   * with it (answered, truncated or reset). `aborted`: the client closed the connection before the answer ended.
   */
  on(event: SimulatorEvent, listener: (r: RecordedRequest) => void): this;
  off(event: SimulatorEvent, listener: (r: RecordedRequest) => void): this;
}

/** What an injected fault does to one API request. */
export type Fault =
  /** An error answer; the default body is the OpenAI error shape that fits `status`. */
  | {
      kind: 'status';
      status: number;
      body?: unknown;
      headers?: Record<string, string>;
      code?: string;
      message?: string;
      type?: string;
      param?: string | null;
    }
  /** Answer normally after `ms`. */
  | { kind: 'latency'; ms: number }
  /** Read the request and never answer, until the client goes away or `close()`. */
  | { kind: 'hang' }
  /** Read the request, then destroy the socket without an answer (ECONNRESET-style failure). */
  | { kind: 'reset' }
  /** 200, `application/json`, a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** 200 with the full `content-length`, half the body, then the socket is destroyed. */
  | { kind: 'truncated' }
  /** 200 with a valid body trickled out; default about 20 chunks 25 ms apart. */
  | { kind: 'slow-body'; bytesPerChunk?: number; intervalMs?: number }
  /** 200 with valid JSON holding no images: `{created, data: []}`. */
  | { kind: 'empty-data' };

export type FaultKind = Fault['kind'];

export type MixOutcome =
  | 'ok'
  | '400'
  | '401'
  | '404'
  | '429'
  | '500'
  | '503'
  | 'reset'
  | 'malformed-json'
  | 'truncated'
  | 'latency';

export type FaultMix = {
  /** PRNG seed; the same seed and arrival order give the same faults. Default 1. */
  seed?: number;
  weights: Partial<Record<MixOutcome, number>>;
  /** Delay of the `latency` outcome. Default 200 ms. */
  latencyMs?: number;
};

export type DetectedType = 'png' | 'jpeg' | 'webp' | 'gif' | 'unknown';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType: string;
  length: number;
  detectedType: DetectedType;
  width?: number;
  height?: number;
}

export interface RecordedRequest {
  /** Also sent as the `x-request-id` response header, e.g. `req_sim_000001`. */
  id: string;
  method: string;
  /** Path without the query string, e.g. `/v1/images/edits`. */
  path: string;
  /** Lower-cased names; credentials replaced (`authorization: Bearer [redacted]`); the key is never stored. */
  headers: Record<string, string>;
  /** The bearer key matched (always true when the simulator accepts any key). */
  authorized: boolean;
  /** Multipart text fields. */
  fields: Record<string, string>;
  files: RecordedFile[];
  /** Kind of the fault applied, if any. */
  fault?: FaultKind;
  /** Status answered; undefined when there was none (hang, reset, client gone first). */
  status?: number;
  startedAt: number;
  endedAt?: number;
  aborted?: boolean;
}
