// The built-in reward plugins: an explicit, sorted map from name to package, resolved from this package
// (which depends on each of them), so that @molrl/core never imports a package that depends on it.
import type { PluginCatalog } from '@molrl/core';

/** Built-in plugin name -> npm package that default-exports it (keep sorted). */
export const BUILTIN_PLUGINS: Readonly<Record<string, string>> = Object.freeze({
  'reward:code-execution': '@molrl/plugin-code-execution',
  'reward:format': '@molrl/plugin-format',
  'reward:math-answer': '@molrl/plugin-math-answer',
});

/**
 * The catalogue to hand to `loadPlugin`, `createRewardEngine`, `loadRewardPlugins` and `runTrainJob`
 * (`{ builtins }`): each built-in name -> the URL of its package's module, resolved from here.
 */
export const builtinPlugins: PluginCatalog = Object.freeze(Object.fromEntries(Object.entries(BUILTIN_PLUGINS).map(([name, pkg]) => [name, import.meta.resolve(pkg)])));
