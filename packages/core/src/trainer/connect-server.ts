// Starts the job's policy server (`server.start`) or connects to a running one (`server.url`).
import { isMolrlError } from '@molrl/common';
import { launchPolicyServer, PolicyClient, type CallOptions, type PolicyServerHandle } from '@molrl/policy-client';
import type { JobConfig } from '../config/job-config-types.ts';

/** A reachable policy server; `handle` is set when we started it (and must stop it). */
export interface ConnectedServer {
  client: PolicyClient;
  handle: PolicyServerHandle | null;
}

/**
 * Launches or reaches the server of `config`; waits until it answers /v1/health. A launched server saves and
 * loads checkpoints only under `checkpointRoot` (the run directory when training).
 */
export async function connectServer(
  config: JobConfig,
  opts: { signal?: AbortSignal; onLog?: (line: string) => void; checkpointRoot?: string } = {},
): Promise<ConnectedServer> {
  if (config.server.start) {
    const s = config.server.start;
    const extraArgs = [...(s.lr === undefined ? [] : ['--lr', String(s.lr)]), ...(s.extraArgs ?? [])];
    const handle = await launchPolicyServer({
      model: config.model,
      ...(config.modelConfig ? { modelConfig: config.modelConfig } : {}),
      seed: s.seed ?? config.seed,
      ...(s.threads === undefined ? {} : { threads: s.threads }),
      ...(s.device === undefined ? {} : { device: s.device }),
      ...(s.loraR === undefined ? {} : { loraR: s.loraR }),
      ...(s.python === undefined ? {} : { python: s.python }),
      ...(s.dtype === undefined ? {} : { dtype: s.dtype }),
      ...(s.attnImplementation === undefined ? {} : { attnImplementation: s.attnImplementation }),
      ...(s.gradientCheckpointing === undefined ? {} : { gradientCheckpointing: s.gradientCheckpointing }),
      ...(s.microBatchTokens === undefined ? {} : { microBatchTokens: s.microBatchTokens }),
      ...(s.kvCacheGb === undefined ? {} : { kvCacheGb: s.kvCacheGb }),
      ...(s.engine === undefined ? {} : { engine: s.engine }),
      ...(opts.checkpointRoot === undefined ? {} : { checkpointRoot: opts.checkpointRoot }),
      ...(s.nproc === undefined ? {} : { nproc: s.nproc }),
      ...(s.shard === undefined ? {} : { shard: s.shard }),
      ...(s.nnodes === undefined ? {} : { nnodes: s.nnodes }),
      ...(s.rdzv === undefined ? {} : { rdzv: s.rdzv }),
      ...(extraArgs.length ? { extraArgs } : {}),
      onLog: opts.onLog ?? (() => {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { client: handle.client, handle };
  }
  const client = new PolicyClient({ url: config.server.url!, ...(config.server.token ? { token: config.server.token } : {}) });
  await client.health(opts.signal ? { signal: opts.signal } : {});
  return { client, handle: null };
}

/** True for a failure worth a second try of a request that is safe to repeat: a 5xx answer, a broken or refused connection, a cut stream. */
export function retryableServerError(error: unknown): boolean {
  if (!isMolrlError(error)) return false;
  if (error.code === 'POLICY_SERVER_ERROR') return ((error.details?.status as number) ?? 0) >= 500;
  return error.code === 'POLICY_SERVER_UNREACHABLE' || error.code === 'POLICY_PROTOCOL_INVALID';
}

/** Calls `fn` again (up to `retries` times, 0.5 s, 1 s... apart) while it fails with a retryable server error and `signal` is not aborted. */
export async function retrySafe<T>(fn: () => Promise<T>, opts: { retries?: number; signal?: AbortSignal } = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= (opts.retries ?? 2) || opts.signal?.aborted || !retryableServerError(error)) throw error;
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

/**
 * The client a run uses: every call waits at most `timeoutMs` for the server; training and checkpoint calls
 * ignore the caller's cancellation and only stop with `hard` (the server died): a step the server may have
 * applied always finishes, so the interrupt checkpoint matches the server's weights. Checkpoint calls are
 * retried on 5xx and connection errors (saving or loading twice is harmless); training calls never are.
 */
export function guardClient(client: PolicyClient, opts: { hard: AbortSignal; timeoutMs: number }): PolicyClient {
  const call = (o: CallOptions = {}): CallOptions => ({ timeoutMs: opts.timeoutMs, ...o });
  const hard: CallOptions = { timeoutMs: opts.timeoutMs, signal: opts.hard };
  const own: Partial<PolicyClient> = {
    health: (o) => client.health(call(o)),
    generate: (r, o) => client.generate(r, call(o)),
    generateStream: (r, o) => client.generateStream(r, call(o)),
    trainPolicy: (r) => client.trainPolicy(r, hard),
    trainMol: (r) => client.trainMol(r, hard),
    saveCheckpoint: (r) => retrySafe(() => client.saveCheckpoint(r, hard), { signal: opts.hard }),
    loadCheckpoint: (r) => retrySafe(() => client.loadCheckpoint(r, hard), { signal: opts.hard }),
  };
  return new Proxy(client, {
    get(target, prop) {
      if (Object.hasOwn(own, prop)) return own[prop as keyof PolicyClient];
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
