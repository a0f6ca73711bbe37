// Defaults of `molrl serve` beside the JSON schema of its options.
import { assertValid, createAjv } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import type { ServeLimits } from './types.ts';

/** Defaults of ServeLimits: loopback, port 8080, 16 MiB bodies, 2 min per request, 64 running + 256 queued. */
export const SERVE_DEFAULTS: Readonly<ServeLimits> = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  bodyLimitBytes: 16 * 1024 * 1024,
  requestTimeoutMs: 120_000,
  concurrency: 64,
  queue: 256,
  retryAfterSeconds: 1,
});

/** JSON schema of ServeLimits (every field optional; defaults from SERVE_DEFAULTS). */
export const serveLimitsSchema = {
  $id: 'molrl:serve-limits',
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, default: SERVE_DEFAULTS.host, description: 'address to bind; anything but loopback needs a token' },
    port: { type: 'integer', minimum: 0, maximum: 65_535, default: SERVE_DEFAULTS.port, description: 'TCP port; 0 picks a free one' },
    token: { type: 'string', minLength: 8, description: 'bearer token every route but /healthz requires' },
    bodyLimitBytes: { type: 'integer', minimum: 1024, maximum: 1024 * 1024 * 1024, default: SERVE_DEFAULTS.bodyLimitBytes, description: 'largest request body' },
    requestTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000, default: SERVE_DEFAULTS.requestTimeoutMs, description: 'time limit of one request, queueing included' },
    concurrency: { type: 'integer', minimum: 1, maximum: 65_536, default: SERVE_DEFAULTS.concurrency, description: 'requests worked on at once' },
    queue: { type: 'integer', minimum: 0, maximum: 1_000_000, default: SERVE_DEFAULTS.queue, description: 'requests waiting for a slot; beyond it 429 (504 on /run_code)' },
    retryAfterSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: SERVE_DEFAULTS.retryAfterSeconds, description: 'Retry-After of an overload answer' },
  },
} as const;

let validator: ValidateFunction<ServeLimits> | null = null;

/** Validates and completes the limits (a copy); CONFIG_INVALID names every bad field as `serve.field`. */
export function resolveServeLimits(input: Partial<ServeLimits> = {}): Readonly<ServeLimits> {
  validator ??= createAjv().compile<ServeLimits>(serveLimitsSchema);
  const copy = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  assertValid(validator, copy, 'the serve options', 'serve');
  return Object.freeze(copy as ServeLimits);
}
