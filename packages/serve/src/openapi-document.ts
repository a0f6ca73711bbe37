// The OpenAPI document of every route, without a sandbox: what GET /openapi.json serves and packages/serve/openapi.json holds.
import type { RewardEngine } from '@molrl/core';
import type { Sandbox } from '@molrl/sandbox';
import { validateSandboxConfig } from '@molrl/sandbox';
import { Admission } from './admission.ts';
import { buildApp } from './build-app.ts';
import { createMetrics } from './metrics.ts';
import { resolveServeLimits } from './serve-defaults.ts';

const unused = (): never => {
  throw new Error('openapiDocument builds routes only; nothing runs');
};

/** The OpenAPI 3 document of `molrl serve` (the same for every config). */
export async function openapiDocument(): Promise<Record<string, unknown>> {
  const admission = new Admission(1, 0);
  const pool = () => ({ size: 0, busy: 0, queue: 0 });
  const app = await buildApp(
    {
      limits: resolveServeLimits(),
      sandboxConfig: validateSandboxConfig({}),
      sandbox: { backend: 'docker', run: unused, close: unused } as Sandbox,
      engine: { plugins: [], score: unused, scoreAll: unused, close: unused } as RewardEngine,
      scoreConcurrency: 1,
      poolStats: pool,
      health: async () => [],
    },
    { admission, metrics: createMetrics(admission, pool), stopping: new AbortController().signal },
  );
  try {
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}
