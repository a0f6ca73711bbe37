// definePlugin: the identity helper that gives a reward plugin object its types.
import type { RewardPlugin } from '../types.ts';

/** Returns `plugin` unchanged; only adds types (options `O` flow into `ctx.options`). */
export function definePlugin<O = Record<string, unknown>>(plugin: RewardPlugin<O>): RewardPlugin<O> {
  return plugin;
}
