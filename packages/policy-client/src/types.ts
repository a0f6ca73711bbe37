// Public types of @molrl/policy-client: the policy-server protocol (v1), generated from
// packages/policy-client/schemas/*.json into protocol-types.ts, and the client's own options.
import type { GenerateStreamLine } from './protocol-types.ts';

export type * from './protocol-types.ts';

/** One event of a streamed generation, in arrival order: rollout, completion..., done (an `error` line is thrown instead). */
export type GenerateStreamEvent = Exclude<GenerateStreamLine, { type: 'error' }>;

/** Options of `new PolicyClient(...)`. */
export interface PolicyClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8100` (a trailing `/` is fine). */
  url: string;
  /** Bearer token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Per-request timeout in ms (streams: longest silence between lines). Default 600000. */
  timeoutMs?: number;
  /** Extra attempts after a connection error (never after the server got a train request). Default 3. */
  retries?: number;
  /** First backoff delay in ms, doubled per attempt. Default 100. */
  retryDelayMs?: number;
}

/** Per-call options of every client method. */
export interface CallOptions {
  /** Cancels the call; it rejects with POLICY_REQUEST_ABORTED. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}
