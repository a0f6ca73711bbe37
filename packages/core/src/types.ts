// Public types of @molrl/core: the reward plugin contract, reward results and the reward engine.
import type { ChatMessage } from '@molrl/policy-client';
import type { BackendName, Sandbox, SandboxConfig, SandboxConfigInput } from '@molrl/sandbox';

/** The plugin API version this build of molrl implements; plugins declare a semver range against it. */
export const PLUGIN_API_VERSION = '1.0.0';

/** Leveled logger handed to hooks (`ctx.logger`); messages are prefixed with the plugin name by the host. */
export interface RewardLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** One completion to score. */
export interface RewardSample {
  /** Unique id of the sample (stable across retries). */
  id: string;
  /** Id of the prompt the completion answers (samples of one GRPO group share it). */
  promptId?: string;
  /** The prompt, as text or chat messages. */
  prompt?: string | ChatMessage[];
  /** The model's completion. */
  completion: string;
  /** Whatever the dataset provides as reference (expected output, tests, answer). */
  groundTruth?: unknown;
  /** Free-form per-sample data from the dataset. @default {} */
  metadata: Record<string, unknown>;
  /** Training step the sample was generated at (absent outside training). */
  step?: number;
}

/** What a hook receives besides the sample. */
export interface RewardContext<O = Record<string, unknown>> {
  /** The plugin's options: validated against `optionsSchema`, defaults applied, deep-frozen. */
  options: Readonly<O>;
  /** The run's sandbox (a message-port proxy when the plugin runs in a worker thread). */
  sandbox: Sandbox;
  /** Aborted on per-sample timeout, on caller cancellation and on engine close: pass it to `sandbox.run`. */
  signal: AbortSignal;
  /** Logger prefixed with the plugin name. */
  logger: RewardLogger;
  /** Training step (0 outside training). */
  step: number;
  /** Run directory, when scoring inside a run. */
  runDir?: string;
}

/** The object form a `score` hook may return. */
export interface ScoreObject {
  /** The reward; `null` abstains (the sample is excluded for this reward, as TRL's `None`). */
  score: number | null;
  /** Short human explanation (e.g. 'no code block'). */
  reason?: string;
  /** Named sub-scores logged separately, e.g. `{ parses: 1, executes: 1, correct: 0 }`. */
  components?: Record<string, number>;
  /** Environment-feedback text (execution logs, error messages): what MoL trains on with CE. */
  feedback?: string;
}

/** What `score` may return: a number, a boolean (1/0), `null` (abstain), or a ScoreObject. */
export type ScoreReturn = number | boolean | null | ScoreObject;

/**
 * Status of one reward: scored, abstained, an infrastructure fault (the sandbox failed; retried, never
 * scored 0), or a plugin fault (the plugin's code threw, hung, crashed or returned an invalid value: a bug
 * to fix, counted against `maxPluginErrors`, never scored 0 either).
 */
export type RewardStatus = 'ok' | 'abstain' | 'infra_error' | 'plugin_error';

/** The normalised result of one plugin on one sample. */
export interface RewardResult {
  /** The reward; null when abstaining or on infra_error. */
  score: number | null;
  status: RewardStatus;
  /** Named sub-scores ({} when none). */
  components: Record<string, number>;
  reason?: string;
  feedback?: string;
  /** Time spent in `score` (including retries), ms. */
  durationMs: number;
  /** For infra_error and plugin_error: the coded error, and the hook it came from. */
  error?: { code: string; message: string; hook?: string };
}

/** Names of the hooks a reward plugin may define: a closed set. */
export type RewardHookName = 'setup' | 'score' | 'teardown';

/** How the host calls a hook: `parallel` = all plugins at once, results independent. */
export type HookKind = 'parallel';

/**
 * A reward plugin: a plain object with metadata, an options schema and hooks. Wrap it in `definePlugin`.
 * Unknown keys are refused at load (PLUGIN_INVALID).
 *
 * | hook | kind | previous | next |
 * |---|---|---|---|
 * | `setup(ctx)` | parallel, once per run (per worker thread when workers are on) | load + options validation | `score` |
 * | `score(sample, ctx)` | parallel across samples and plugins | `setup` | `score` / `teardown` |
 * | `teardown(ctx, error?)` | parallel, always called once `setup` ran (or was attempted) | last `score` | - |
 */
export interface RewardPlugin<O = Record<string, unknown>> {
  /** Unique name; built-ins use `reward:<name>`. */
  name: string;
  /** The plugin's own version (semver). */
  version: string;
  /** Semver range of the plugin API it supports, e.g. '^1'; checked against PLUGIN_API_VERSION at load. */
  apiVersion: string;
  /** One sentence on what it rewards. */
  description: string;
  /** Link to its documentation. */
  docsUrl?: string;
  /** JSON Schema of its options (`additionalProperties: false`), or `false` to opt out of validation. */
  optionsSchema: Record<string, unknown> | false;
  /** Defaults merged under the user's options before validation. */
  defaultOptions?: Partial<O>;
  /** What the plugin needs from the host; checked at load (PLUGIN_DEPENDENCY_MISSING). */
  requires?: { sandbox?: BackendName[] };
  /** [min, max] of the scores it returns; a score outside is a plugin_error. @default [-1e6, 1e6] */
  scoreRange?: [number, number];
  /** Once per run before any `score`. */
  setup?(ctx: RewardContext<O>): Promise<void> | void;
  /** Scores one sample. Throw `infraError(runResult)` when the sandbox failed (retried, never scored 0). */
  score(sample: RewardSample, ctx: RewardContext<O>): Promise<ScoreReturn> | ScoreReturn;
  /** Always called at the end; `error` is set when the run failed. */
  teardown?(ctx: RewardContext<O>, error?: unknown): Promise<void> | void;
}

/** One entry of a config's `rewards:` list. */
export interface RewardSpec {
  /** Built-in name (`reward:code-execution`), path to an ES module, npm package name, or a plugin object (runs in-process). */
  plugin: string | RewardPlugin<any>;
  /** Weight in the weighted sum. @default 1 */
  weight?: number;
  /** The plugin's options (validated against its schema). */
  options?: Record<string, unknown>;
}

/** What `createRewardEngine` needs from a config. */
export interface RewardEngineConfig {
  rewards: RewardSpec[];
  /** A sandbox config (the engine creates and closes it) or a live Sandbox (the caller owns it). */
  sandbox?: SandboxConfigInput | SandboxConfig | Sandbox;
}

/** Built-in reward plugin name (`reward:format`) -> module URL or package specifier that default-exports it. */
export type PluginCatalog = Readonly<Record<string, string>>;

/** Tuning of the reward engine. */
export interface RewardEngineOptions {
  /** Samples scored at once by `scoreAll`. @default 32 */
  concurrency?: number;
  /** Per-sample time limit for one plugin's `score` (PLUGIN_TIMEOUT). @default 60000 */
  sampleTimeoutMs?: number;
  /** Retries of a `score` that threw REWARD_INFRA_ERROR before the reward becomes infra_error. @default 2 */
  retries?: number;
  /**
   * Where plugin code runs. true (the default): worker threads (one per core, at most 4), where a hook that
   * crashes, leaks memory, calls process.exit or blocks in a synchronous loop is stopped and reported as
   * plugin_error for its sample alone. A number: that many threads. false: on the calling thread (no
   * thread start-up or message cost; faults are still attributed, but a synchronous loop can only be
   * ended by the stall watchdog, which stops the whole process). Plugins given as objects always run
   * in-process.
   */
  workers?: boolean | number;
  /** Time limit of setup and teardown hooks (PLUGIN_TIMEOUT). @default 120000 */
  hookTimeoutMs?: number;
  /** plugin_error results tolerated; one more makes `score` reject with PLUGIN_ERROR_LIMIT. @default 10 */
  maxPluginErrors?: number;
  /** Heap limit of each worker thread, MB (a leaking plugin's worker is restarted). @default 1024 */
  workerMemoryMb?: number;
  /** Directory relative plugin paths resolve against. @default process.cwd() */
  baseDir?: string;
  /** Built-in plugin names and their modules (`builtinPlugins` of @molrl/plugins). @default none */
  builtins?: PluginCatalog;
  /** Run directory handed to hooks as `ctx.runDir`. */
  runDir?: string;
  /** Logger for hooks. @default a logger that writes warnings and errors to stderr */
  logger?: RewardLogger;
}

/** One sample's combined result. */
export interface ScoredSample {
  id: string;
  /** Weighted sum (TRL semantics: sum of weight x score, no renormalisation) over rewards that did not abstain; null when all abstained or any infra_error / plugin_error. */
  score: number | null;
  status: RewardStatus;
  /** Per plugin name. */
  rewards: Record<string, RewardResult>;
  /** Feedback texts of the plugins that gave one, joined by blank lines. */
  feedback?: string;
  durationMs: number;
}

/** Scores samples with a configured list of reward plugins. */
export interface RewardEngine {
  /** The loaded plugins in config order (names are unique; a repeated plugin is named `name#2`). */
  readonly plugins: ReadonlyArray<{ name: string; weight: number }>;
  /**
   * Scores one sample with every plugin (in parallel). Plugin and sandbox faults are statuses; rejects only
   * with REWARD_ABORTED, REWARD_ENGINE_CLOSED, or PLUGIN_ERROR_LIMIT once more than `maxPluginErrors`
   * plugin_error results occurred.
   */
  score(sample: RewardSample, opts?: { signal?: AbortSignal }): Promise<ScoredSample>;
  /** Scores many samples with bounded concurrency; yields results in input order. */
  scoreAll(samples: Iterable<RewardSample> | AsyncIterable<RewardSample>, opts?: { signal?: AbortSignal }): AsyncIterable<ScoredSample>;
  /** Runs every plugin's teardown, stops workers, closes the sandbox when the engine created it. */
  close(): Promise<void>;
}

/** One accepted case of a RewardTester table. */
export interface RewardTesterValidCase {
  /** Test title (defaults to the sample id). */
  name?: string;
  /** The sample; `metadata` defaults to {} and `id` to 'case-<i>'. */
  sample: Partial<RewardSample> & { completion: string };
  options?: Record<string, unknown>;
  /** What to assert (only the fields given). */
  expected: { score?: number | null; status?: RewardStatus; components?: Record<string, number>; reason?: string };
  /** A sandbox for this case (overrides the tester's). */
  sandbox?: SandboxConfigInput | Sandbox;
}

/** One refused options object of a RewardTester table; asserts codes and paths, never message text. */
export interface RewardTesterInvalidCase {
  name?: string;
  options: unknown;
  errors: { code: string; path: string }[];
}

/** A RewardTester table. */
export interface RewardTesterCases {
  valid: RewardTesterValidCase[];
  invalid: RewardTesterInvalidCase[];
}
