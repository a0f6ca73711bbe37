// What the grpoStep tests against the real policy server share: a client that records its train requests, and a
// validated one-step GRPO phase over a test directory's `data.jsonl` with one reward plugin.
import { ok } from 'node:assert/strict';
import type { PolicyClient, TrainPolicyRequest } from '@molrl/policy-client';
import { grpoStep, validateJobConfig, type DatasetRow, type GrpoPhaseConfig, type GrpoStepResult, type RewardEngine } from '@molrl/core';

let job = 0;

/** `client`, with every trainPolicy request pushed onto `requests` before it is sent. */
export function recordingClient(client: PolicyClient, requests: TrainPolicyRequest[]): PolicyClient {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === 'trainPolicy') return (req: TrainPolicyRequest, opts: object) => (requests.push(req), target.trainPolicy(req, opts));
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** A one-step GRPO phase (3 prompts x G 4, maxTokens 8, the process sandbox) with `phase` over it, validated as a job in `dir`. */
export function grpoTestPhase(dir: string, url: string, plugin: string, phase: object): GrpoPhaseConfig {
  const job$ = {
    name: `job${++job}`, model: 'tiny', server: { url }, dataset: { train: 'data.jsonl', evalFraction: 0.25 },
    rewards: [{ plugin }], sandbox: { backend: 'process' }, seed: 3,
    phases: [{ type: 'grpo', steps: 1, promptsPerStep: 3, groupSize: 4, sampling: { maxTokens: 8 }, ...phase }],
  };
  return validateJobConfig(job$, dir).phases[0] as GrpoPhaseConfig;
}

/** One grpoStep at `seed` with the recording client (requests cleared first); every numeric metric must be finite. */
export async function recordedStep(client: PolicyClient, requests: TrainPolicyRequest[], engine: RewardEngine, train: readonly DatasetRow[], phase: GrpoPhaseConfig, seed: number, learningRate: number): Promise<GrpoStepResult & { request: TrainPolicyRequest }> {
  requests.length = 0;
  const result = await grpoStep(recordingClient(client, requests), engine, train, phase, { seed, step: 1, learningRate });
  for (const v of Object.values(result.metrics)) ok(v === null || typeof v !== 'number' || Number.isFinite(v), 'a metric is not finite');
  return { ...result, request: requests[0] };
}
