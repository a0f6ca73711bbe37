// The closed set of reward hooks and how each is called; adding a hook without classifying it fails to compile.
import type { HookKind, RewardHookName, RewardPlugin } from '../types.ts';

/** Every reward hook and its kind (exhaustive over RewardHookName). */
export const REWARD_HOOKS: Readonly<Record<RewardHookName, HookKind>> = Object.freeze({
  setup: 'parallel',
  score: 'parallel',
  teardown: 'parallel',
});

/** Every non-hook key a plugin object may have (exhaustive over the plugin's metadata fields). */
export const PLUGIN_FIELDS: Readonly<Record<Exclude<keyof RewardPlugin, RewardHookName>, boolean>> = Object.freeze({
  name: true,
  version: true,
  apiVersion: true,
  description: true,
  docsUrl: false,
  optionsSchema: true,
  defaultOptions: false,
  requires: false,
  scoreRange: false,
});
