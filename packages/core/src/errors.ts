// Coded errors of @molrl/core, sorted by code. Each factory's key equals the code it produces.
import { MolrlError, describeError } from '@molrl/common';

const list = (items: readonly string[]) => items.map((s) => `\n  ${s}`).join('');

export const errors = {
  PLUGIN_CRASHED: (plugin: string, hook: string, sampleId: string | undefined, why: string) =>
    new MolrlError(
      'PLUGIN_CRASHED',
      `[${plugin}] hook ${hook}${sampleId === undefined ? '' : ` of sample ${JSON.stringify(sampleId)}`} crashed its worker thread: ${why}${sampleId === undefined ? '' : '; the sample was scored again alone and crashed it again'}; fix the plugin (a fault outside any hook, a memory leak or process.exit), or raise workerMemoryMb if it needs more memory`,
      { plugin, hook, details: { ...(sampleId === undefined ? {} : { sampleId }), why } },
    ),
  PLUGIN_DEPENDENCY_MISSING: (plugin: string, needs: readonly string[], backend: string, path: string) =>
    new MolrlError(
      'PLUGIN_DEPENDENCY_MISSING',
      `[${plugin}] needs a sandbox backend of ${needs.map((b) => `'${b}'`).join(' or ')} but the config's sandbox.backend is '${backend}'; set sandbox.backend to ${needs.map((b) => `'${b}'`).join(' or ')}`,
      { plugin, path, details: { needs: [...needs], backend } },
    ),
  PLUGIN_ERROR_LIMIT: (max: number, count: number, recent: readonly { plugin: string; hook: string; sampleId?: string; code: string; message: string }[]) =>
    new MolrlError(
      'PLUGIN_ERROR_LIMIT',
      `${count} plugin_error results, more than the ${max} tolerated (the engine's maxPluginErrors: molrl score --max-plugin-errors, scoring.maxPluginErrors in a job); a plugin has a bug to fix:${list(recent.map((r) => `[${r.plugin}] hook ${r.hook}${r.sampleId === undefined ? '' : ` sample ${JSON.stringify(r.sampleId)}`}: ${r.code}: ${r.message}`))}`,
      { plugin: recent[0]?.plugin, hook: recent[0]?.hook, details: { max, count, recent: recent.map((r) => ({ ...r })) } },
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
  PLUGIN_STUCK: (limitMs: number, inFlight: string, seconds: string) =>
    new MolrlError(
      'PLUGIN_STUCK',
      `plugin code has blocked the main thread for ${seconds} s in synchronous code that never yields (limit ${limitMs} ms: the sample timeout plus 5 s); in flight: ${inFlight}; the process ends now (exit 137) after removing its sandbox containers; run plugins in worker threads (the default; --workers 0 turns them off) to have such a hook stopped and reported as plugin_error instead`,
      { details: { limitMs, inFlight } },
    ),
  PLUGIN_TIMEOUT: (plugin: string, hook: string, ms: number, why = '') =>
    new MolrlError(
      'PLUGIN_TIMEOUT',
      `[${plugin}] hook ${hook} did not finish within ${ms} ms${why}; ${hook === 'score' ? "raise the engine's sampleTimeoutMs (molrl score --timeout-ms, scoring.sampleTimeoutMs in a job)" : "raise the engine's hookTimeoutMs (scoring.hookTimeoutMs in a job)"} or make the hook faster`,
      { plugin, hook, details: { timeoutMs: ms, option: hook === 'score' ? 'sampleTimeoutMs' : 'hookTimeoutMs' } },
    ),
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
  REWARD_SCORE_INVALID: (plugin: string, value: string, why?: string) =>
    new MolrlError(
      'REWARD_SCORE_INVALID',
      `[${plugin}] score returned ${value}${why ? ` (${why})` : ''}; expected a finite number, a boolean, null (abstain) or { score: number | null, reason?: string, components?: { [name]: number }, feedback?: string }`,
      { plugin, details: { value, ...(why ? { why } : {}) } },
    ),
  RUN_CHECKPOINT_INVALID: (dir: string, checkpoint: string, why: string) =>
    new MolrlError(
      'RUN_CHECKPOINT_INVALID',
      `cannot resume ${dir}: the checkpoint its state.json names, ${checkpoint}, ${why}; nothing was changed. Restore that directory from a backup, or start a new run with molrl train --config`,
      { path: checkpoint, details: { dir, checkpoint, why } },
    ),
  RUN_LOCKED: (dir: string, owner: { pid: number; host: string; since: string }, lockFile: string) =>
    new MolrlError(
      'RUN_LOCKED',
      `${dir} is in use by another molrl train (pid ${owner.pid} on ${owner.host}${owner.since ? `, since ${owner.since}` : ''}); wait for it to end or stop it (Ctrl-C). If that process is surely gone (another host cannot be checked), delete ${lockFile}`,
      { path: dir, details: { ...owner, lockFile } },
    ),
  RUN_NOT_FOUND: (dir: string) =>
    new MolrlError('RUN_NOT_FOUND', `${dir} is not a run directory (no config.json); pass the directory molrl train printed, e.g. runs/<name>`, { path: dir }),
  RUN_STATE_INVALID: (file: string, cause: unknown) =>
    new MolrlError('RUN_STATE_INVALID', `cannot resume from ${file}: ${describeError(cause)}; nothing was changed`, { path: file, cause }),
  RUN_STATE_MISSING: (dir: string, found: string) =>
    new MolrlError(
      'RUN_STATE_MISSING',
      `cannot resume ${dir}: its state.json is missing but ${found}; without it molrl cannot tell which lines a checkpoint saw, so it changes nothing. Restore state.json, or start a new run with molrl train --config`,
      { path: dir, details: { found } },
    ),
  RUN_STORE_WRITE_FAILED: (dir: string, file: string, cause: unknown) =>
    new MolrlError(
      'RUN_STORE_WRITE_FAILED',
      `cannot write ${file}: ${(cause as NodeJS.ErrnoException)?.code ? `${(cause as NodeJS.ErrnoException).code}: ` : ''}${describeError(cause)}; the last checkpoint is intact: fix the cause (free disk space), then resume with: molrl train --resume ${dir}`,
      { path: file, cause, details: { dir, errno: (cause as NodeJS.ErrnoException)?.code ?? null } },
    ),
  TRACKER_FAILED: (tracker: string, message: string) =>
    new MolrlError('TRACKER_FAILED', `${tracker}: ${message} (training goes on; metrics.jsonl has every line)`, { details: { tracker } }),
  TRAIN_SERVER_DIED: (runDir: string, cause: unknown) =>
    new MolrlError('TRAIN_SERVER_DIED', `the policy server stopped during training (${describeError(cause)}); fix the cause, then resume from the last checkpoint with: molrl train --resume ${runDir}`, { path: runDir, cause }),
  TRAIN_SERVER_FAILED: (runDir: string, endpoint: string, cause: unknown) =>
    new MolrlError(
      'TRAIN_SERVER_FAILED',
      `the policy server failed ${endpoint} (${describeError(cause)}); ${endpoint.startsWith('/v1/train') ? 'a training step is never sent twice (the server may have applied it), so the run stopped' : 'retries did not help'}: fix the cause, then resume from the last checkpoint with: molrl train --resume ${runDir}`,
      { path: runDir, cause, details: { endpoint } },
    ),
  TRAIN_SERVER_UNRESPONSIVE: (runDir: string, endpoint: string, timeoutMs: number) =>
    new MolrlError(
      'TRAIN_SERVER_UNRESPONSIVE',
      `the policy server did not answer ${endpoint} within ${timeoutMs} ms (server.timeoutMs); it was stopped if molrl started it. Check it (a hung or stopped process, an overloaded GPU), then resume from the last checkpoint with: molrl train --resume ${runDir}`,
      { path: runDir, details: { endpoint, timeoutMs } },
    ),
} as const;
