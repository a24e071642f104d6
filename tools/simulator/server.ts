/**
 * The HTTP side: routing, the record, in-flight counting, faults and the lifecycle. Each API
 * request goes: record -> take a fault -> read the form -> (latency) -> fault or normal answer
 * (auth, validation, cached variations) -> write. Everything that can wait takes an AbortSignal
 * that fires when the client goes away or the simulator closes, so nothing outlives either.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished } from 'node:stream/promises';
import { successAnswer } from './body';
import { errorAnswer, invalid, unauthorized, type Answer } from './errors';
import { emptyDataAnswer, FaultPlan, malformedJsonAnswer, statusFaultAnswer } from './faults';
import { InvalidImageError, VariationCache } from './images';
import { isMultipart, parseForm, type ParsedForm } from './multipart';
import { bearerKey, newRecord, RequestWaiters } from './record';
import { delay, writeAnswer, writeSlowly, writeTruncated } from './respond';
import { sniffImage } from './sniff';
import type { Fault, FaultMix, RecordedRequest, Simulator, SimulatorEvent, SimulatorOptions } from './types';
import { UrlStore } from './urls';
import { LIMITS, validateEdits, validateVariations, type Endpoint } from './validate';

export const DEFAULT_API_KEY = 'sk-sim-test-key';
const FILE_PATH = /^\/files\/([0-9a-f]+\.(?:png|jpg|webp))$/;

type Route = Endpoint | 'file' | 'unknown';

function routeOf(method: string | undefined, path: string): Route {
  if (method === 'POST' && path === '/v1/images/edits') return 'edits';
  if (method === 'POST' && path === '/v1/images/variations') return 'variations';
  if (method === 'GET' && FILE_PATH.test(path)) return 'file';
  return 'unknown';
}

const EMPTY_FORM: ParsedForm = { fields: {}, files: [], tooManyFiles: false, truncatedFields: [] };

class SimulatorServer implements Simulator {
  private readonly server: Server;
  private readonly events = new EventEmitter();
  private readonly faults = new FaultPlan();
  private readonly waiters = new RequestWaiters();
  private readonly cache = new VariationCache();
  private readonly urls: UrlStore;
  private readonly apiKey: string | null;
  /** Controllers of the requests still open; close() aborts them all. */
  private readonly open = new Set<AbortController>();
  /** API requests whose body has been read: what waitForRequests counts. */
  private received = new WeakSet<RecordedRequest>();
  private log: RecordedRequest[] = [];
  private counter = 0;
  private active = 0;
  private peak = 0;
  private latencyMs: number;
  private retiredModels: boolean;
  private closing?: Promise<void>;
  private host = '127.0.0.1';
  port = 0;

  constructor(options: SimulatorOptions) {
    this.apiKey = options.apiKey === undefined ? DEFAULT_API_KEY : options.apiKey;
    this.latencyMs = options.latencyMs ?? 0;
    this.retiredModels = options.retiredModels ?? true;
    this.urls = new UrlStore(options.urlTtlMs ?? 60 * 60 * 1000);
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.host = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }
  get baseURL(): string {
    return `${this.url}/v1`;
  }
  get requests(): RecordedRequest[] {
    return this.log;
  }
  get inFlight(): number {
    return this.active;
  }
  get maxInFlight(): number {
    return this.peak;
  }

  inject(...faults: Fault[]): void {
    this.faults.inject(faults);
  }
  setFaultMix(mix: FaultMix | null): void {
    this.faults.setMix(mix);
  }
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }
  setRetiredModels(on: boolean): void {
    this.retiredModels = on;
  }

  reset(): void {
    this.log = [];
    this.received = new WeakSet();
    this.faults.clear();
    this.peak = this.active;
  }

  waitForRequests(count: number, timeoutMs = 5000): Promise<RecordedRequest[]> {
    return this.waiters.wait(count, timeoutMs, () => this.log.filter((r) => this.received.has(r)));
  }

  on(event: SimulatorEvent, listener: (r: RecordedRequest) => void): this {
    this.events.on(event, listener);
    return this;
  }
  off(event: SimulatorEvent, listener: (r: RecordedRequest) => void): this {
    this.events.off(event, listener);
    return this;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const controller of this.open) controller.abort();
      this.waiters.failAll(new Error('the simulator was closed'));
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const route = routeOf(req.method, path);
    const key = bearerKey(req);
    const authorized = this.apiKey === null || key === this.apiKey;
    const record = newRecord(`req_sim_${String(++this.counter).padStart(6, '0')}`, req, path, authorized);
    this.log.push(record);
    res.setHeader('x-request-id', record.id);

    const controller = new AbortController();
    this.open.add(controller);
    const isApi = route === 'edits' || route === 'variations';
    let counted = isApi;
    if (isApi) this.peak = Math.max(this.peak, ++this.active);
    const leave = () => {
      if (counted) this.active--;
      counted = false;
    };
    const ending = { byUs: false };
    res.on('finish', leave);
    res.on('close', () => {
      leave();
      // Only an unfinished answer has waits to cancel; aborting also costs a DOMException.
      if (!res.writableFinished) controller.abort();
      this.open.delete(controller);
      record.endedAt = Date.now();
      if (res.writableFinished || ending.byUs) this.events.emit('response', record);
      else if (!this.closing) {
        record.aborted = true;
        this.events.emit('aborted', record);
      }
    });

    const work = isApi
      ? this.serveApi(route, key, req, res, record, controller.signal, ending)
      : this.serveOther(route, path, req, res, record, controller.signal);
    work.catch((err: unknown) => this.fail(res, record, err));
  }

  /** Unknown routes and hosted files: no faults, not counted as API requests. */
  private async serveOther(
    route: Route,
    path: string,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    signal: AbortSignal,
  ): Promise<void> {
    req.resume();
    await finished(req);
    this.events.emit('request', record);
    await delay(this.latencyMs, signal);
    const hosted = route === 'file' ? this.urls.get(path.slice('/files/'.length)) : undefined;
    if (hosted) {
      this.send(res, record, { status: 200, headers: { 'content-type': hosted.contentType }, chunks: [hosted.bytes] });
    } else if (route === 'file') {
      this.send(res, record, errorAnswer(404, 'The file does not exist or its URL has expired.', { code: 'file_not_found' }));
    } else {
      this.send(res, record, errorAnswer(404, `Invalid URL (${req.method} ${path})`));
    }
  }

  private async serveApi(
    endpoint: Endpoint,
    key: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    signal: AbortSignal,
    ending: { byUs: boolean },
  ): Promise<void> {
    const fault = this.faults.next();
    if (fault) record.fault = fault.kind;
    const { form, problem } = await this.readForm(endpoint, req);
    record.fields = form.fields;
    record.files = form.files.map((file) => {
      const { type, width, height } = sniffImage(file.data);
      return {
        field: file.field,
        filename: file.filename,
        contentType: file.contentType,
        length: file.data.length,
        detectedType: type,
        ...(width === undefined ? {} : { width, height }),
      };
    });
    this.received.add(record);
    this.events.emit('request', record);
    this.waiters.notify();

    if (fault?.kind === 'hang') return;
    await delay(this.latencyMs, signal);
    if (fault?.kind === 'reset') {
      ending.byUs = true;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') return this.send(res, record, statusFaultAnswer(fault));
    if (fault?.kind === 'malformed-json') return this.send(res, record, malformedJsonAnswer());
    if (fault?.kind === 'empty-data') return this.send(res, record, emptyDataAnswer());
    if (fault?.kind === 'latency') await delay(fault.ms, signal);

    const answer = await this.normalAnswer(endpoint, key, record.authorized, form, problem);
    if (res.destroyed) return;
    record.status = answer.status;
    if (fault?.kind === 'truncated') {
      ending.byUs = true;
      writeTruncated(res, answer);
    } else if (fault?.kind === 'slow-body') {
      await writeSlowly(res, answer, fault, signal);
    } else {
      writeAnswer(res, answer);
    }
  }

  /** Reads the form with the endpoint's caps; a request that is not a readable form gets a 400 later. */
  private async readForm(endpoint: Endpoint, req: IncomingMessage): Promise<{ form: ParsedForm; problem?: Answer }> {
    if (!isMultipart(req)) {
      req.resume();
      await finished(req);
      const type = req.headers['content-type'] ?? 'none';
      return { form: EMPTY_FORM, problem: invalid(null, `Invalid Content-Type header (${type}), expected multipart/form-data.`, null) };
    }
    try {
      const maxFileBytes = endpoint === 'edits' ? LIMITS.editBytes : LIMITS.variationBytes;
      return { form: await parseForm(req, { maxFileBytes, maxFiles: LIMITS.editImages, maxFieldBytes: 1024 * 1024 }) };
    } catch (err) {
      if (req.socket.destroyed) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      req.resume();
      return { form: EMPTY_FORM, problem: invalid(null, `Could not parse multipart form: ${reason}`, null) };
    }
  }

  private async normalAnswer(
    endpoint: Endpoint,
    key: string | undefined,
    authorized: boolean,
    form: ParsedForm,
    problem: Answer | undefined,
  ): Promise<Answer> {
    if (!authorized) return unauthorized(key);
    if (problem) return problem;
    const checked = endpoint === 'edits' ? validateEdits(form, this.retiredModels) : validateVariations(form, this.retiredModels);
    if ('answer' in checked) return checked.answer;
    try {
      return successAnswer(checked.plan, await this.cache.render(checked.plan), this.urls, this.url);
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      return invalid('image', 'Invalid image file or mode: the image could not be decoded.', 'invalid_image');
    }
  }

  private send(res: ServerResponse, record: RecordedRequest, answer: Answer): void {
    if (res.destroyed) return;
    record.status = answer.status;
    writeAnswer(res, answer);
  }

  /** A failure of the simulator itself; a wait cut short by the client or by close() is not one. */
  private fail(res: ServerResponse, record: RecordedRequest, err: unknown): void {
    if (res.destroyed || this.closing) return;
    if (!res.headersSent) {
      this.send(res, record, errorAnswer(500, `Simulator error: ${err instanceof Error ? err.message : String(err)}`));
    } else {
      res.destroy();
    }
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new SimulatorServer(options);
  await simulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return simulator;
}
