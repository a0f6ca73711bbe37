// Coded errors of @molrl/core, sorted by code. Each factory's key equals the code it produces.
import { MolrlError, describeError } from '@molrl/common';

const list = (items: readonly string[]) => items.map((s) => `\n  ${s}`).join('');

export const errors = {
  PLUGIN_DEPENDENCY_MISSING: (plugin: string, needs: readonly string[], backend: string, path: string) =>
    new MolrlError(
      'PLUGIN_DEPENDENCY_MISSING',
      `[${plugin}] needs a sandbox backend of ${needs.map((b) => `'${b}'`).join(' or ')} but the config's sandbox.backend is '${backend}'; set sandbox.backend to ${needs.map((b) => `'${b}'`).join(' or ')}`,
      { plugin, path, details: { needs: [...needs], backend } },
    ),
  PLUGIN_HOOK_FAILED: (plugin: string, hook: string, cause: unknown) =>
    new MolrlError('PLUGIN_HOOK_FAILED', `[${plugin}] hook ${hook} failed: ${describeError(cause)}`, {
      plugin,
      hook,
      cause,
      details: (cause as { code?: unknown })?.code === undefined ? undefined : { pluginCode: (cause as { code: unknown }).code },
    }),
  PLUGIN_INVALID: (plugin: string, problems: readonly string[], path: string) =>
    new MolrlError('PLUGIN_INVALID', `[${plugin}] is not a valid reward plugin (at ${path}):${list(problems)}`, { plugin, path, details: { problems: [...problems] } }),
  PLUGIN_NOT_FOUND: (spec: string, tried: readonly string[], path: string) =>
    new MolrlError(
      'PLUGIN_NOT_FOUND',
      `${path}: no reward plugin "${spec}"; tried:${list(tried)}\nuse a built-in name (see \`molrl plugins list\`), a path to an ES module (./my-plugin.js) or an installed npm package name`,
      { plugin: spec, path, details: { tried: [...tried] } },
    ),
  PLUGIN_OPTIONS_INVALID: (plugin: string, problems: readonly string[], path: string, details: Record<string, unknown>) =>
    new MolrlError('PLUGIN_OPTIONS_INVALID', `[${plugin}] options are invalid:${list(problems)}`, { plugin, path, details: { problems: [...problems], ...details } }),
  PLUGIN_TIMEOUT: (plugin: string, hook: string, ms: number) =>
    new MolrlError('PLUGIN_TIMEOUT', `[${plugin}] hook ${hook} did not finish within ${ms} ms; raise the engine's sampleTimeoutMs or make the hook faster`, {
      plugin,
      hook,
      details: { timeoutMs: ms },
    }),
  PLUGIN_VERSION_MISMATCH: (plugin: string, range: string, current: string, path: string) =>
    new MolrlError(
      'PLUGIN_VERSION_MISMATCH',
      `[${plugin}] supports plugin API "${range}" but this molrl implements ${current}; upgrade the plugin (or molrl) so that ${current} satisfies its apiVersion`,
      { plugin, path, details: { range, current } },
    ),
  REWARD_ABORTED: (reason: unknown) => new MolrlError('REWARD_ABORTED', `scoring was cancelled: ${describeError(reason)}`, { cause: reason }),
  REWARD_ENGINE_CLOSED: () => new MolrlError('REWARD_ENGINE_CLOSED', 'the reward engine is closed; create a new one with createRewardEngine()'),
  REWARD_INFRA_ERROR: (message: string, details?: Record<string, unknown>) =>
    new MolrlError('REWARD_INFRA_ERROR', `sandbox infrastructure fault: ${message}; the sample is retried, then reported as infra_error (never scored 0)`, { details }),
  REWARD_SCORE_INVALID: (plugin: string, value: string) =>
    new MolrlError(
      'REWARD_SCORE_INVALID',
      `[${plugin}] score returned ${value}; expected a finite number, a boolean, null (abstain) or { score: number | null, reason?: string, components?: { [name]: number }, feedback?: string }`,
      { plugin, details: { value } },
    ),
  RUN_NOT_FOUND: (dir: string) =>
    new MolrlError('RUN_NOT_FOUND', `${dir} is not a run directory (no config.json); pass the directory molrl train printed, e.g. runs/<name>`, { path: dir }),
  RUN_STATE_INVALID: (file: string, cause: unknown) =>
    new MolrlError('RUN_STATE_INVALID', `cannot resume from ${file}: ${describeError(cause)}`, { path: file, cause }),
  TRACKER_FAILED: (tracker: string, message: string) =>
    new MolrlError('TRACKER_FAILED', `${tracker}: ${message} (training goes on; metrics.jsonl has every line)`, { details: { tracker } }),
  TRAIN_SERVER_DIED: (runDir: string, cause: unknown) =>
    new MolrlError('TRAIN_SERVER_DIED', `the policy server stopped during training (${describeError(cause)}); fix the cause, then resume from the last checkpoint with: molrl train --resume ${runDir}`, { path: runDir, cause }),
} as const;
