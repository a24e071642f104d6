/**
 * OpenAI-shaped error answers: `{error: {message, type, param, code}}`. Callers (the SDK, the node)
 * key on `status`, `code` and `param`, so those follow the real API; the messages are close enough
 * to read naturally in logs.
 */

export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An answer the simulator has decided on, before it is written (possibly truncated or trickled). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** The body in pieces, written without concatenating (big base64 strings stay shared with the cache). */
  chunks: Buffer[];
}

export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    chunks: [Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))],
  };
}

export function errorBody(message: string, type: string, param: string | null, code: string | null): ApiErrorBody {
  return { error: { message, type, param, code } };
}

export function errorAnswer(
  status: number,
  message: string,
  options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
): Answer {
  const type = options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
  return jsonAnswer(status, errorBody(message, type, options.param ?? null, options.code ?? null), options.headers);
}

/** 400 invalid_request_error naming the offending parameter. */
export function invalid(param: string | null, message: string, code: string | null = 'invalid_value'): Answer {
  return errorAnswer(400, message, { param, code });
}

export function modelNotFound(model: string): Answer {
  return errorAnswer(
    404,
    `The model \`${model}\` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations`,
    { code: 'model_not_found' },
  );
}

/** Shows enough of a key to recognise it and never the whole of it, like the API's own message. */
export function maskKey(key: string): string {
  if (key.length < 12) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`;
}

export function unauthorized(providedKey: string | undefined): Answer {
  const message =
    providedKey === undefined || providedKey === ''
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
      : `Incorrect API key provided: ${maskKey(providedKey)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  return errorAnswer(401, message, { code: 'invalid_api_key' });
}

/** The body a `status` fault answers with when the test gives none: what the API says for that status. */
export function defaultFaultBody(status: number, code?: string): ApiErrorBody {
  switch (status) {
    case 400:
      return errorBody('Invalid request (simulated).', 'invalid_request_error', null, code ?? null);
    case 401:
      return errorBody('Incorrect API key provided (simulated).', 'invalid_request_error', null, code ?? 'invalid_api_key');
    case 403:
      return errorBody('You are not allowed to sample from this model (simulated).', 'invalid_request_error', null, code ?? null);
    case 404:
      return code === 'model_not_found'
        ? errorBody('The model `simulated-model` does not exist or you do not have access to it.', 'invalid_request_error', null, code)
        : errorBody('Not found (simulated).', 'invalid_request_error', null, code ?? null);
    case 429:
      return errorBody(
        'Rate limit reached for requests (simulated). Please try again later.',
        'rate_limit_exceeded',
        null,
        code ?? 'rate_limit_exceeded',
      );
    case 500:
      return errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null, code ?? null);
    case 503:
      return errorBody('The server is overloaded or not ready yet.', 'server_error', null, code ?? null);
    default:
      return errorBody(
        `Simulated error ${status}.`,
        status >= 500 ? 'server_error' : 'invalid_request_error',
        null,
        code ?? null,
      );
  }
}
