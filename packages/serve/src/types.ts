// Public types of @molrl/serve.
import type { RewardEngine, RewardEngineOptions, ScoreConfig } from '@molrl/core';
import type { Sandbox, SandboxConfig } from '@molrl/sandbox';

/** Network and load limits of a server. */
export interface ServeLimits {
  /** Address to bind. A non-loopback address needs `token`. @default '127.0.0.1' */
  host: string;
  /** TCP port; 0 picks a free one. @default 8080 */
  port: number;
  /** Bearer token every route but GET /healthz requires when set. */
  token?: string;
  /** Largest request body, bytes (413 beyond). @default 16 MiB */
  bodyLimitBytes: number;
  /** Time limit of one request, from arrival (queueing included) to answer (504 beyond). @default 120000 */
  requestTimeoutMs: number;
  /** Requests worked on at once. @default 64 */
  concurrency: number;
  /** Requests waiting for a slot; one more is answered 429 (504 on /run_code) with Retry-After. @default 256 */
  queue: number;
  /** Retry-After of an overload answer, seconds. @default 1 */
  retryAfterSeconds: number;
}

/** Options of startServer: the scoring config plus limits and reward engine options. */
export interface ServeOptions extends Partial<ServeLimits> {
  /** The `rewards:` and `sandbox:` sections (readScoreConfig of @molrl/core reads them from a file). */
  config: ScoreConfig;
  /** Reward engine options (concurrency, sampleTimeoutMs, retries, workers, baseDir). */
  engine?: RewardEngineOptions;
}

/** Occupancy of the sandbox: warm slots (containers or isolates), how many run a program, how many runs wait. */
export interface PoolStats {
  size: number;
  busy: number;
  queue: number;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, tears the plugins down and removes the containers. Idempotent. */
  close(): Promise<void>;
}

/** What the routes share (built once per server). */
export interface ServeContext {
  limits: Readonly<ServeLimits>;
  sandboxConfig: Readonly<SandboxConfig>;
  sandbox: Sandbox;
  engine: RewardEngine;
  /** The reward engine's sample concurrency (for NDJSON streaming). */
  scoreConcurrency: number;
  poolStats(): PoolStats;
  /** Problems that make the server unhealthy (empty when healthy). */
  health(): Promise<string[]>;
}
