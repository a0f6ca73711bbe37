// PhaseContext: what a phase's run (grpo, sft, mol) gets from the trainer.
import type { PolicyClient } from '@molrl/policy-client';
import type { JobConfig } from '../config/job-config-types.ts';
import type { DatasetRow } from '../dataset/load-dataset.ts';
import type { RewardEngine } from '../types.ts';

/** A metrics line; `step` (global) and `phase` are added by `logMetrics`. */
export type MetricsRecord = Record<string, number | string | null>;

/** Progress of the running phase, for the terminal UI. */
export interface PhaseProgress {
  /** Steps of this phase done. */
  step: number;
  /** Steps of this phase in all. */
  total: number;
  /** A few headline numbers (e.g. reward, loss). */
  metrics?: Record<string, number | null>;
}

/** Plain leveled messages (the CLI prints them; tests collect them). */
export interface TrainLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Everything a phase runner needs; one per phase (created again on resume). */
export interface PhaseContext {
  /** The policy server. */
  client: PolicyClient;
  /** Absolute run directory. */
  runDir: string;
  /** The frozen, validated job config. */
  config: JobConfig;
  /** Index of this phase in `config.phases`. */
  phaseIndex: number;
  /** Steps of this phase already done (resume): the runner starts at this step. */
  startStep: number;
  /** Global step of this phase's step 0 (the metrics `step` is globalStepOffset + step in phase + 1). */
  globalStepOffset: number;
  /** Train and eval rows of the job dataset. */
  data: { train: DatasetRow[]; eval: DatasetRow[] };
  /** The job's reward engine (created on first use, closed by the trainer). */
  rewards(): Promise<RewardEngine>;
  /** Appends one metrics line for `stepInPhase` (1-based: the step just done); `step` and `phase` are added. */
  logMetrics(stepInPhase: number, record: MetricsRecord): void;
  /** Appends sample lines (each completion with its rewards). */
  logSamples(records: readonly object[]): void;
  /**
   * Marks `stepInPhase` (1-based) done, after its metrics were logged: checkpoints when the phase's
   * `checkpointEvery` (or `checkpoint.every`) says so, and remembers it for an interrupt checkpoint.
   */
  endStep(stepInPhase: number): Promise<void>;
  /** Saves a checkpoint now and records it in state.json (atomic). */
  checkpoint(stepInPhase: number): Promise<void>;
  /** Runs the job's eval (if configured) and logs it as a metrics line at `stepInPhase`. */
  evaluate(stepInPhase: number): Promise<MetricsRecord | null>;
  /**
   * Aborted on Ctrl-C or when the server dies: stop between steps (the trainer checkpoints the last step that
   * reached `endStep`). Generation may be cut short with it; a training call is not (once the server may have
   * applied an update, the step runs to `endStep`, so that the checkpoint's weights are those of its step).
   */
  signal: AbortSignal;
  /** Reports progress to the terminal UI. */
  progress(update: PhaseProgress): void;
  logger: TrainLogger;
}
