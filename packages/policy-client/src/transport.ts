// One HTTP exchange with the policy server: timeout, cancellation, retries with backoff for connection
// errors only, and the mapping of every failure to a coded error.
import type { Dispatcher } from 'undici';
import { errors } from './errors.ts';

/** Fetch failures that happen before the request could reach the server: always safe to retry. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Fetch failures after the connection opened and before any response: the server may have the request. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** undici's own limits: mapped to POLICY_SERVER_TIMEOUT (the client's agent turns them off). */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Settings of a transport (resolved client options). */
export interface TransportSettings {
  baseUrl: string;
  /** undici agent without its own header/body timeouts, so that `timeoutMs` alone decides. */
  dispatcher?: Dispatcher;
  token?: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

/** What one exchange needs. */
export interface Exchange {
  method: 'GET' | 'POST';
  endpoint: string;
  body?: unknown;
  accept?: string;
  /** True when a repeat is harmless, so a reset connection may be retried (never for train calls). */
  idempotent: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** An open response plus its deadline: `touch()` restarts the timer (streams), `done()` clears it. */
export interface OpenResponse {
  response: Response;
  touch(): void;
  done(): void;
  /** Maps an error thrown while reading the body to a coded error. */
  fail(error: unknown): Error;
}

/** Reads the whole body of an open response, clearing its deadline either way. */
export async function readBody(opened: OpenResponse): Promise<string> {
  try {
    return await opened.response.text();
  } catch (error) {
    throw opened.fail(error);
  } finally {
    opened.done();
  }
}

/** The code of a fetch failure (`TypeError: fetch failed` carries it on `cause`). */
export function failureCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECT_CODES.has(code) || RESET_CODES.has(code) || TIMEOUT_CODES.has(code))) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sends one request; resolves once the response headers arrived (any status). */
export async function open(settings: TransportSettings, exchange: Exchange): Promise<OpenResponse> {
  const url = settings.baseUrl + exchange.endpoint;
  const timeoutMs = exchange.timeoutMs ?? settings.timeoutMs;
  const headers: Record<string, string> = { accept: exchange.accept ?? 'application/json' };
  if (exchange.body !== undefined) headers['content-type'] = 'application/json';
  if (settings.token) headers.authorization = `Bearer ${settings.token}`;
  const payload = exchange.body === undefined ? undefined : JSON.stringify(exchange.body);
  const attempts = 1 + Math.max(0, settings.retries);
  for (let attempt = 1; ; attempt++) {
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => deadline.abort(new Error('timeout')), timeoutMs);
    };
    const done = (): void => clearTimeout(timer);
    const signal = exchange.signal ? AbortSignal.any([exchange.signal, deadline.signal]) : deadline.signal;
    const fail = (error: unknown): Error => {
      done();
      if (exchange.signal?.aborted) return errors.POLICY_REQUEST_ABORTED(exchange.endpoint, exchange.signal.reason);
      const code = failureCode(error);
      if (deadline.signal.aborted || (code && TIMEOUT_CODES.has(code))) return errors.POLICY_SERVER_TIMEOUT(exchange.endpoint, timeoutMs);
      if (code !== undefined) return errors.POLICY_SERVER_UNREACHABLE(url, attempt, error, RESET_CODES.has(code) && !exchange.idempotent);
      // Anything else fetch throws (e.g. 'bad port': fetch refuses ports such as 1, 6000, 6665-6669) is not retried.
      return errors.POLICY_SERVER_UNREACHABLE(url, attempt, error, false);
    };
    touch();
    try {
      const init = { method: exchange.method, headers, body: payload, signal, dispatcher: settings.dispatcher };
      const response = await fetch(url, init as RequestInit);
      return { response, touch, done, fail };
    } catch (error) {
      done();
      const code = failureCode(error);
      const retryable = code !== undefined && (CONNECT_CODES.has(code) || (RESET_CODES.has(code) && exchange.idempotent));
      if (!retryable || attempt >= attempts || exchange.signal?.aborted || deadline.signal.aborted) throw fail(error);
      try {
        await sleep(Math.min(settings.retryDelayMs * 2 ** (attempt - 1), 5000), exchange.signal);
      } catch (reason) {
        throw errors.POLICY_REQUEST_ABORTED(exchange.endpoint, reason);
      }
    }
  }
}
