// JSON schema of a config's `rewards:` list (reused by the job config) and its validator.
import { assertValid, createAjv, errors } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import type { RewardSpec } from '../types.ts';

/** JSON schema of `rewards: [{ plugin, weight?, options? }]`; each plugin validates its own options. */
export const rewardsConfigSchema = {
  $id: 'molrl:rewards-config',
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['plugin'],
    properties: {
      plugin: { type: ['string', 'object'], description: 'built-in name (reward:...), path to an ES module, or npm package name' },
      weight: { type: 'number', description: 'weight in the weighted sum (default 1)' },
      options: { type: 'object', description: "the plugin's options, validated against its optionsSchema" },
    },
  },
} as const;

let validator: ValidateFunction<RewardSpec[]> | null = null;

/**
 * Weights JSON Schema cannot refuse: NaN and ±Infinity (YAML `.nan`, `.inf`) are numbers to ajv. Throws
 * CONFIG_INVALID naming every such weight.
 */
export function assertFiniteWeights(rewards: readonly { weight?: unknown }[], rootPath = 'rewards'): void {
  const problems = rewards.flatMap((r, i) => (typeof r?.weight === 'number' && !Number.isFinite(r.weight) ? [`${rootPath}[${i}].weight: must be a finite number (got ${r.weight})`] : []));
  if (problems.length) throw errors.CONFIG_INVALID(`the ${rootPath} config is invalid:\n  ${problems.join('\n  ')}`, problems[0].split(':')[0], { problems });
}

/** Validates a `rewards:` list (not modified); CONFIG_INVALID lists every problem as `rewards[1].weight: ...`. */
export function validateRewardsConfig(data: unknown, rootPath = 'rewards'): asserts data is RewardSpec[] {
  validator ??= createAjv({ useDefaults: false }).compile<RewardSpec[]>(rewardsConfigSchema);
  assertValid(validator, data, `the ${rootPath} config`, rootPath);
  assertFiniteWeights(data as RewardSpec[], rootPath);
}
