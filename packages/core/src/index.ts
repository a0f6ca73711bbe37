// Public API of @molrl/core.
export type * from './types.ts';
export { PLUGIN_API_VERSION } from './types.ts';
export { errors } from './errors.ts';
export { definePlugin } from './plugins/define-plugin.ts';
export { infraError, assertNoInfraError } from './rewards/infra-error.ts';
export { validatePlugin, checkRequirements } from './plugins/validate-plugin.ts';
export { loadPlugin, type LoadedPlugin, type PluginSource } from './plugins/load-plugin.ts';
export { resolvePluginOptions } from './plugins/plugin-options.ts';
export { BUILTIN_PLUGINS } from './plugins/registry.ts';
export { REWARD_HOOKS } from './plugins/hook-kinds.ts';
export { normalizeScore } from './rewards/normalize-score.ts';
export { combineRewards } from './rewards/combine-rewards.ts';
export { createRewardEngine, REWARD_ENGINE_DEFAULTS } from './rewards/reward-engine.ts';
export { rewardsConfigSchema, validateRewardsConfig } from './rewards/rewards-config-schema.ts';
export { RewardTester } from './plugins/reward-tester.ts';
export * from './traces/index.ts';
