// Summary statistics of a `molrl score` run: mean, per-component means, counts per status, rate.
import type { ScoredSample } from '@molrl/core';

/** Running totals; `add` every result, then `summary()`. */
export class ScoreSummary {
  #count = 0;
  #sum = 0;
  #scored = 0;
  #statuses: Record<string, number> = { ok: 0, abstain: 0, infra_error: 0, plugin_error: 0 };
  #components = new Map<string, { sum: number; n: number }>();
  #start = performance.now();

  add(r: ScoredSample): void {
    this.#count++;
    this.#statuses[r.status] = (this.#statuses[r.status] ?? 0) + 1;
    if (r.score !== null) {
      this.#sum += r.score;
      this.#scored++;
    }
    for (const [plugin, res] of Object.entries(r.rewards)) {
      const entries: [string, number | null][] = [[`${plugin}`, res.score], ...Object.entries(res.components).map(([k, v]) => [`${plugin}.${k}`, v] as [string, number])];
      for (const [key, v] of entries) {
        if (v === null) continue;
        const c = this.#components.get(key) ?? { sum: 0, n: 0 };
        c.sum += v;
        c.n++;
        this.#components.set(key, c);
      }
    }
  }

  /** Plain data: `mean` over samples with a score, `components` per plugin and `plugin.component`. */
  summary(invalidLines: number): { samples: number; invalidLines: number; mean: number | null; statuses: Record<string, number>; components: Record<string, number>; samplesPerSecond: number; seconds: number } {
    const seconds = (performance.now() - this.#start) / 1000;
    const components: Record<string, number> = {};
    for (const [k, c] of [...this.#components].sort(([a], [b]) => a.localeCompare(b))) components[k] = c.sum / c.n;
    return { samples: this.#count, invalidLines, mean: this.#scored ? this.#sum / this.#scored : null, statuses: { ...this.#statuses }, components, samplesPerSecond: this.#count / Math.max(seconds, 1e-9), seconds };
  }
}

/** The summary as human text lines. */
export function formatSummary(s: ReturnType<ScoreSummary['summary']>): string {
  const f = (v: number | null) => (v === null ? '-' : v.toFixed(4));
  const lines = [
    `scored ${s.samples} samples in ${s.seconds.toFixed(2)} s (${s.samplesPerSecond.toFixed(1)} samples/s)${s.invalidLines ? `, ${s.invalidLines} invalid input lines skipped` : ''}`,
    `mean score: ${f(s.mean)}`,
    `status: ${Object.entries(s.statuses).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...Object.entries(s.components).map(([k, v]) => `  ${k}: mean ${f(v)}`),
  ];
  return lines.join('\n') + '\n';
}
