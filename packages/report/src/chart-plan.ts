// Which charts a report shows, derived from the metric names present: a table of rules, first match wins;
// a name no rule knows still gets a chart (grouped by its first path segment), so new metrics need no code.

/** One chart: the metrics it plots (each run's value of each key is one line). */
export interface ChartSpec {
  id: string;
  group: string;
  title: string;
  /** Metric names plotted, in order. */
  keys: string[];
  /** Shade mean ± std (the std key is consumed by the band). */
  band?: { mean: string; std: string };
  /** Stack the keys (their sum is the top line), e.g. the step time split. */
  stack?: boolean;
  /** One-line explanation under the title. */
  note?: string;
}

/** Groups in page order. */
export const CHART_GROUPS = ['Reward', 'Eval', 'Optimisation', 'Completions', 'Time', 'Other'] as const;

interface Rule {
  match: RegExp;
  group: (typeof CHART_GROUPS)[number];
  /** Chart id (and title) from the match; several keys with the same id share a chart. */
  id: string | ((m: RegExpExecArray) => string);
  title: string | ((m: RegExpExecArray) => string);
  note?: string;
  band?: { mean: string; std: string };
  stack?: boolean;
}

const RULES: Rule[] = [
  { match: /^reward\/(mean|std)$/, group: 'Reward', id: 'reward', title: 'Reward per step (mean ± std)', band: { mean: 'reward/mean', std: 'reward/std' }, note: 'weighted total of the reward plugins over the step’s completions; shaded: ± one standard deviation' },
  { match: /^reward\/status\/(.+)$/, group: 'Reward', id: 'status', title: 'Completion status per step (count)', note: 'infra_error and plugin_error are excluded from the mean and never scored 0' },
  { match: /^reward\/([^/]+)$/, group: 'Reward', id: 'reward-plugins', title: 'Reward per plugin (mean)' },
  { match: /^reward\/([^/]+)\/(.+)$/, group: 'Reward', id: (m) => `components:${m[1]}`, title: (m) => `${m[1]} components (mean)` },
  { match: /^eval\/(reward\/(mean|std)|pass@1|greedy\/reward\/mean)$/, group: 'Eval', id: 'eval-reward', title: 'Eval reward and pass@1', band: { mean: 'eval/reward/mean', std: 'eval/reward/std' } },
  { match: /^eval\/greedy\/accuracy(\/.*)?$/, group: 'Eval', id: 'eval-accuracy', title: 'Eval greedy accuracy' },
  { match: /^eval\/reward\/status\/(.+)$/, group: 'Eval', id: 'eval-status', title: 'Eval completion status (count)' },
  { match: /^eval\/reward\/([^/]+)$/, group: 'Eval', id: 'eval-plugins', title: 'Eval reward per plugin (mean)' },
  { match: /^eval\/reward\/([^/]+)\/(.+)$/, group: 'Eval', id: (m) => `eval-components:${m[1]}`, title: (m) => `Eval ${m[1]} components (mean)` },
  { match: /^eval\//, group: 'Eval', id: 'eval-other', title: 'Eval: other' },
  { match: /^((sft|val)\/)?loss$/, group: 'Optimisation', id: 'loss', title: 'Loss' },
  { match: /^((val)\/)?kl$/, group: 'Optimisation', id: 'kl', title: 'KL to the reference' },
  { match: /^((val)\/)?ce$/, group: 'Optimisation', id: 'ce', title: 'Cross-entropy (MoL feedback tokens)' },
  { match: /^clip_fraction(\/.*)?$/, group: 'Optimisation', id: 'clip', title: 'Clip fraction' },
  { match: /^entropy(\/.*)?$/, group: 'Optimisation', id: 'entropy', title: 'Entropy' },
  { match: /^grad_norm$/, group: 'Optimisation', id: 'grad-norm', title: 'Gradient norm' },
  { match: /(^|\/)learning_rate$/, group: 'Optimisation', id: 'learning-rate', title: 'Learning rate' },
  { match: /^[a-z]+_tokens$/, group: 'Optimisation', id: 'loss-tokens', title: 'Tokens per loss term' },
  { match: /^completion\/length/, group: 'Completions', id: 'length', title: 'Completion length (tokens, mean)' },
  { match: /^completion\/(clipped_ratio|truncated.*)$/, group: 'Completions', id: 'truncated', title: 'Truncated completions (share that hit maxTokens)' },
  { match: /^completion\//, group: 'Completions', id: 'completion-other', title: 'Completions: other' },
  { match: /^groups\//, group: 'Completions', id: 'groups', title: 'Groups: zero reward variance, dropped by dynamic sampling, generation rounds' },
  { match: /^time\/(generate|score|train)$/, group: 'Time', id: 'time-split', title: 'Step time split (seconds)', stack: true, note: 'stacked: generate, then score (the part not hidden behind generation), then train' },
  { match: /^time\//, group: 'Time', id: 'time-other', title: 'Other timings (seconds)' },
  { match: /tokens_per_s$|^throughput\//, group: 'Time', id: 'throughput', title: 'Generation throughput (tokens/s)' },
  { match: /^score\//, group: 'Time', id: 'score-overlap', title: 'Scoring hidden behind generation (share)' },
];

/** The chart list for `keys` (metric names of all runs), in group and rule order; every key is in exactly one chart. */
export function planCharts(keys: Iterable<string>): ChartSpec[] {
  const charts = new Map<string, ChartSpec & { rank: number }>();
  for (const key of keys) {
    let spec: (ChartSpec & { rank: number }) | undefined;
    for (let r = 0; r < RULES.length && !spec; r++) {
      const rule = RULES[r];
      const m = rule.match.exec(key);
      if (!m) continue;
      const id = typeof rule.id === 'string' ? rule.id : rule.id(m);
      spec = charts.get(id) ?? {
        id,
        group: rule.group,
        title: typeof rule.title === 'string' ? rule.title : rule.title(m),
        keys: [],
        rank: CHART_GROUPS.indexOf(rule.group) * 1000 + r,
        ...(rule.note ? { note: rule.note } : {}),
        ...(rule.band ? { band: rule.band } : {}),
        ...(rule.stack ? { stack: true } : {}),
      };
    }
    if (!spec) {
      const prefix = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : key;
      const id = `other:${prefix}`;
      spec = charts.get(id) ?? { id, group: 'Other', title: prefix, keys: [], rank: CHART_GROUPS.indexOf('Other') * 1000 + RULES.length };
    }
    spec.keys.push(key);
    charts.set(spec.id, spec);
  }
  const out = [...charts.values()].sort((a, b) => a.rank - b.rank || a.id.localeCompare(b.id));
  for (const c of out) {
    // The std of a band is drawn as the shade, not as its own line; a band whose mean is absent is dropped.
    if (c.band) {
      const { mean, std } = c.band;
      if (!c.keys.includes(mean) || !c.keys.includes(std)) delete c.band;
      else c.keys = c.keys.filter((k) => k !== std);
    }
    if (c.stack) c.keys.sort((a, b) => STACK_ORDER.indexOf(a) - STACK_ORDER.indexOf(b));
  }
  return out.map(({ rank: _rank, ...c }) => c);
}

const STACK_ORDER = ['time/generate', 'time/score', 'time/train'];
