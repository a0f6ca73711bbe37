// The typed client of the policy server: one method per endpoint, requests and responses validated
// against the protocol schemas, coded errors for every failure.
import { formatAjvErrors, pointerToPath } from '@molrl/common';
import { Agent } from 'undici';
import { errors } from './errors.ts';
import { readGenerateStream } from './generate-stream.ts';
import { validatorFor, type SchemaName } from './schemas.ts';
import { open, readBody, type OpenResponse, type TransportSettings } from './transport.ts';
import type {
  CallOptions,
  CheckpointRequest,
  CheckpointResponse,
  GenerateRequest,
  GenerateResponse,
  GenerateStreamEvent,
  HealthResponse,
  PhaseStartRequest,
  PhaseStartResponse,
  PolicyClientOptions,
  ServerErrorBody,
  TrainMolRequest,
  TrainMolResponse,
  TrainPolicyRequest,
  TrainPolicyResponse,
} from './types.ts';

/** Default per-request timeout: 10 minutes (a large policy step on a GPU takes a while). */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** HTTP client of one policy server (protocol v1). Safe to share across concurrent calls; keeps a keep-alive pool that `close()` releases. */
export class PolicyClient {
  /** Base URL without a trailing slash. */
  readonly url: string;
  readonly #settings: TransportSettings;
  readonly #agent: Agent;

  constructor(options: PolicyClientOptions) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(options.url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) throw errors.POLICY_URL_INVALID(options.url);
    const url = options.url.replace(/\/+$/, '');
    this.url = url;
    // undici's default 300 s header/body limits would cut long generations and steps short of timeoutMs.
    this.#agent = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    this.#settings = {
      baseUrl: url,
      dispatcher: this.#agent,
      ...(options.token ? { token: options.token } : {}),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 100,
    };
  }

  /** Closes the idle keep-alive connections; calls after `close()` fail. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** `GET /v1/health`: model, device, step, protocol version. */
  health(options: CallOptions = {}): Promise<HealthResponse> {
    return this.#call('GET', '/v1/health', undefined, undefined, 'health-response', true, options);
  }

  /** `POST /v1/generate`, not streamed: every completion in canonical order. */
  generate(request: GenerateRequest, options: CallOptions = {}): Promise<GenerateResponse> {
    return this.#call('POST', '/v1/generate', request, 'generate-request', 'generate-response', true, options);
  }

  /**
   * `POST /v1/generate` as an NDJSON stream: `rollout`, then one `completion` per sequence as it
   * finishes, then `done`. A server-side `error` line rejects the iteration with POLICY_SERVER_ERROR;
   * breaking out of the loop closes the connection. The timeout is the longest silence between lines.
   */
  async *generateStream(request: GenerateRequest, options: CallOptions = {}): AsyncGenerator<GenerateStreamEvent> {
    const body = this.#checkRequest('generate-request', '/v1/generate', request);
    const opened = await this.#open('POST', '/v1/generate', body, 'application/x-ndjson', true, options);
    yield* readGenerateStream(opened, '/v1/generate');
  }

  /** `POST /v1/train/policy`: one clipped policy-gradient step on a stored rollout. Never retried once sent. */
  trainPolicy(request: TrainPolicyRequest, options: CallOptions = {}): Promise<TrainPolicyResponse> {
    return this.#call('POST', '/v1/train/policy', request, 'train-policy-request', 'train-policy-response', false, options);
  }

  /** `POST /v1/train/mol`: one MoL / CE / SFT step. Never retried once sent. */
  trainMol(request: TrainMolRequest, options: CallOptions = {}): Promise<TrainMolResponse> {
    return this.#call('POST', '/v1/train/mol', request, 'train-mol-request', 'train-mol-response', false, options);
  }

  /** `POST /v1/phase/start`: at a phase's start, optionally clear the optimizer state and choose the KL reference (idempotent: safe to retry). */
  startPhase(request: PhaseStartRequest, options: CallOptions = {}): Promise<PhaseStartResponse> {
    return this.#call('POST', '/v1/phase/start', request, 'phase-start-request', 'phase-start-response', true, options);
  }

  /** `POST /v1/checkpoint/save`: weights or adapter, optimizer, step and RNG state to a server-side directory. */
  saveCheckpoint(request: CheckpointRequest, options: CallOptions = {}): Promise<CheckpointResponse> {
    return this.#call('POST', '/v1/checkpoint/save', request, 'checkpoint-request', 'checkpoint-response', true, options);
  }

  /** `POST /v1/checkpoint/load`: restores what `saveCheckpoint` wrote. */
  loadCheckpoint(request: CheckpointRequest, options: CallOptions = {}): Promise<CheckpointResponse> {
    return this.#call('POST', '/v1/checkpoint/load', request, 'checkpoint-request', 'checkpoint-response', true, options);
  }

  #checkRequest(schema: SchemaName, endpoint: string, request: unknown): unknown {
    const copy = structuredClone(request);
    const validate = validatorFor(schema);
    if (!validate(copy)) {
      const first = validate.errors?.[0];
      throw errors.POLICY_REQUEST_INVALID(endpoint, formatAjvErrors(validate.errors, copy), first ? pointerToPath(first.instancePath) : '');
    }
    return copy;
  }

  async #open(method: 'GET' | 'POST', endpoint: string, body: unknown, accept: string, idempotent: boolean, options: CallOptions): Promise<OpenResponse> {
    const opened = await open(this.#settings, {
      method,
      endpoint,
      body,
      accept,
      idempotent,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    if (opened.response.ok) return opened;
    const text = await readBody(opened);
    throw serverError(endpoint, opened.response.status, text);
  }

  async #call<T>(
    method: 'GET' | 'POST',
    endpoint: string,
    request: unknown,
    requestSchema: SchemaName | undefined,
    responseSchema: SchemaName,
    idempotent: boolean,
    options: CallOptions,
  ): Promise<T> {
    const body = requestSchema ? this.#checkRequest(requestSchema, endpoint, request) : undefined;
    const opened = await this.#open(method, endpoint, body, 'application/json', idempotent, options);
    const text = await readBody(opened);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw errors.POLICY_PROTOCOL_INVALID(endpoint, [`the body is not JSON: ${text.slice(0, 120)}`], error);
    }
    const validate = validatorFor(responseSchema);
    if (!validate(data)) throw errors.POLICY_PROTOCOL_INVALID(endpoint, formatAjvErrors(validate.errors, data, 'response'));
    return data as T;
  }
}

/** POLICY_SERVER_ERROR from an error answer; a body outside the protocol becomes code `HTTP_<status>`. */
function serverError(endpoint: string, status: number, text: string): Error {
  try {
    const data = JSON.parse(text) as unknown;
    const validate = validatorFor('error');
    if (validate(data)) {
      const e = (data as ServerErrorBody).error;
      return errors.POLICY_SERVER_ERROR(endpoint, status, e.code, e.message, e.path);
    }
  } catch {
    // not JSON: fall through
  }
  return errors.POLICY_SERVER_ERROR(endpoint, status, `HTTP_${status}`, text.slice(0, 200) || '(empty body)');
}
