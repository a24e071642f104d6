import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

/** The node's own stable codes (SPEC 6): what flows and Catch nodes switch on. */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NO_API_KEY'
  | 'NO_CONFIG'
  | 'QUEUE_FULL'
  | 'AUTH_FAILED'
  | 'MODEL_RETIRED'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'BAD_REQUEST'
  | 'SERVER_ERROR'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'BAD_RESPONSE';

/** What the API said about a failure, copied onto `msg.error` when present. */
export interface ApiErrorDetails {
  status?: number;
  type?: string;
  apiCode?: string;
  param?: string;
  requestId?: string;
}

export type MessageParams = Record<string, string | number>;

/**
 * A failure with a kind. The text is not fixed here: `messageKey` and `params` are
 * rendered through the node's i18n catalogue (`errors.<messageKey>`).
 */
export class VariationError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly messageKey: string,
    readonly params: MessageParams = {},
    readonly api: ApiErrorDetails = {},
  ) {
    super(`${code}: ${messageKey}`);
    this.name = 'VariationError';
  }
}

export function invalidInput(messageKey: string, params: MessageParams = {}): VariationError {
  return new VariationError('INVALID_INPUT', messageKey, params);
}

export interface ApiErrorContext {
  method: string;
  model: string;
  baseURL: string;
  timeoutSeconds: number;
}

/** Shows a value inside an error text: strings quoted and shortened, other types named. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function apiDetails(error: APIError): ApiErrorDetails {
  const details: ApiErrorDetails = {};
  if (typeof error.status === 'number') details.status = error.status;
  if (typeof error.type === 'string') details.type = error.type;
  if (typeof error.code === 'string') details.apiCode = error.code;
  if (typeof error.param === 'string') details.param = error.param;
  if (typeof error.requestID === 'string') details.requestId = error.requestID;
  return details;
}

/** The API's own message: the SDK prefixes it with the status, which our text adds itself. */
function apiMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return error.message.replace(/^\d{3}\s+/, '');
}

function codeForStatus(status: number, apiCode: string | undefined): ErrorCode {
  // Retirement is recognised by the API's code, never by its wording (docs: past shutdowns used 404 and 400).
  if (apiCode === 'model_not_found') return 'MODEL_RETIRED';
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'SERVER_ERROR';
  return 'BAD_REQUEST';
}

/** Turns whatever a request threw into a kind of failure (a close's abort is told apart by the caller). */
export function classifyApiError(error: unknown, context: ApiErrorContext): VariationError {
  if (error instanceof VariationError) return error;
  if (error instanceof APIConnectionTimeoutError) {
    return new VariationError('TIMEOUT', 'timeout', { seconds: context.timeoutSeconds });
  }
  if (error instanceof APIConnectionError) {
    const cause = (error as { cause?: { cause?: { code?: unknown }; message?: unknown } }).cause;
    const reason = String(cause?.cause?.code ?? cause?.message ?? error.message);
    return new VariationError('CONNECTION', 'connection', { baseURL: context.baseURL, reason });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const details = apiDetails(error);
    const code = codeForStatus(error.status, details.apiCode);
    const params = { status: error.status, message: apiMessage(error), model: context.model };
    if (code === 'MODEL_RETIRED') {
      const key = context.method === 'variations' ? 'modelRetiredVariations' : 'modelRetiredEdit';
      return new VariationError(code, key, params, details);
    }
    return new VariationError(code, 'api', params, details);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new VariationError('CONNECTION', 'connection', { baseURL: context.baseURL, reason });
}
