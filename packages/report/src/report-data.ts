// The data a report page embeds: runs with their metric columns, phase spans and sample counts (shared by Node and the page).

/** One metric of one run: parallel arrays of global step and value (null where the line had null). */
export interface MetricColumn {
  /** Global steps, ascending as the lines were written. */
  s: number[];
  /** Values at those steps. */
  v: Array<number | null>;
}

/** A phase of a run on the global step axis: steps in (start, end]; an eval at `start` belongs to it too. */
export interface PhaseSpan {
  /** Index in the config's `phases`. */
  index: number;
  /** 'sft', 'mol', 'grpo', ... */
  type: string;
  name?: string;
  /** Global step before the phase's first step. */
  start: number;
  /** Global step of the phase's last step (as configured; a running run may not have reached it). */
  end: number;
}

/** How the run store looked when the report was made. */
export type RunStatus = 'finished' | 'unfinished';

/** One run as the page shows it. */
export interface ReportRun {
  /** Directory name (unique among the report's runs: `-2`, `-3` appended when two runs share a name). */
  name: string;
  /** Absolute run directory. */
  dir: string;
  /** 'finished' once state.json says so; 'unfinished' covers running, interrupted and crashed runs. */
  status: RunStatus;
  /** Global step of the last metrics line (0 when none). */
  lastStep: number;
  /** Global steps of all phases together (from the config; 0 when unknown). */
  totalSteps: number;
  /** When metrics.jsonl was last written (ISO), null when it does not exist. */
  lastWrite: string | null;
  /** `time` of the first and the last metrics line (ISO), when present. */
  firstTime: string | null;
  lastTime: string | null;
  phases: PhaseSpan[];
  /** Metric name -> column. Every numeric field of metrics.jsonl except `step` and `phase`. */
  metrics: Record<string, MetricColumn>;
  /** Lines of metrics.jsonl read. */
  metricLines: number;
  /** Samples in samples.jsonl and how many the page holds (see SamplePackInfo). */
  samples: SamplePackInfo;
  /** Things the reader tolerated (a torn last line, unparsable lines), in words. */
  notes: string[];
  /** The frozen config.json, as written. */
  config: unknown;
}

/** How a run's samples were reduced for the page. */
export interface SamplePackInfo {
  /** Sample lines in samples.jsonl. */
  total: number;
  /** Samples embedded in the page. */
  kept: number;
  /** Steps present in samples.jsonl and steps whose samples are embedded. */
  steps: number;
  keptSteps: number;
  /** Completions, prompts and feedback longer than this were cut (with a marker). */
  maxTextChars: number;
  /** Texts cut. */
  truncatedTexts: number;
}

/** The whole page's data (samples travel separately, compressed). */
export interface ReportData {
  title: string;
  generatedAt: string;
  /** True on the `--watch` server: the page polls /data for updates. */
  live: boolean;
  runs: ReportRun[];
}

/** One reward plugin's part of a sample. */
export interface SampleReward {
  score: number | null;
  status: string;
  components: Record<string, number>;
  reason?: string;
  error?: string;
}

/** A sample as the page's browser holds it (short keys: 100,000 of them travel gzip-compressed). */
export interface PageSample {
  /** Global step. */
  s: number;
  /** Index into the run's prompt table. */
  p: number;
  /** Prompt id of the dataset. */
  pid: string;
  /** Index in the group (0..G-1). */
  i: number;
  /** Total score (null: abstained or infra_error). */
  r: number | null;
  /** Status: ok, abstain, infra_error, plugin_error, ... */
  st: string;
  /** Completion text. */
  c: string;
  /** Completion tokens and finish reason ('stop' | 'length'). */
  n?: number;
  f?: string;
  /** Advantage given to the policy (null: excluded). */
  a?: number | null;
  /** Reward per plugin. */
  rw: Record<string, SampleReward>;
  /** Environment feedback (sandbox output). */
  fb?: string;
}

/** The samples of one run, as packed for the page. */
export interface PageRunSamples {
  /** Prompt texts (shared by the samples of a group); '' when the run store did not record them. */
  prompts: string[];
  samples: PageSample[];
}
