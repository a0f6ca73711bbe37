// JSON schema of a config's `rewards:` list (reused by the job config) and its validator.
import { assertValid, createAjv } from '@molrl/common';
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

/** Validates a `rewards:` list (not modified); CONFIG_INVALID lists every problem as `rewards[1].weight: ...`. */
export function validateRewardsConfig(data: unknown, rootPath = 'rewards'): asserts data is RewardSpec[] {
  validator ??= createAjv({ useDefaults: false }).compile<RewardSpec[]>(rewardsConfigSchema);
  assertValid(validator, data, `the ${rootPath} config`, rootPath);
}
