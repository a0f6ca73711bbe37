// Starts the job's policy server (`server.start`) or connects to a running one (`server.url`).
import { launchPolicyServer, PolicyClient, type PolicyServerHandle } from '@molrl/policy-client';
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
