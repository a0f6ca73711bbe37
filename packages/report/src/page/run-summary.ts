// The summary card of a run: status, progress, phases, headline numbers (first and last eval), faults and notes.
import type { ReportRun } from '../report-data.ts';
import { h } from './dom.ts';
import { ago, duration } from './format.ts';

/** First and last value of a metric. */
function ends(run: ReportRun, key: string): { first: number | null; last: number | null; firstStep: number; lastStep: number } | null {
  const col = run.metrics[key];
  if (!col) return null;
  const idx = col.v.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  if (!idx.length) return null;
  return { first: col.v[idx[0]], last: col.v[idx.at(-1)!], firstStep: col.s[idx[0]], lastStep: col.s[idx.at(-1)!] };
}

/** Sum of a count metric over all lines. */
const total = (run: ReportRun, key: string) => (run.metrics[key]?.v ?? []).reduce((a: number, v) => a + (v ?? 0), 0);

/** The card of one run. */
export function runSummary(run: ReportRun, colour: string, now = Date.now()): HTMLElement {
  const progress = run.totalSteps ? Math.min(1, run.lastStep / run.totalSteps) : 0;
  const status = run.status === 'finished' ? h('span', { class: 'badge ok' }, 'finished') : h('span', { class: 'badge warn', title: 'state.json does not say finished: the run is running, was interrupted, or crashed' }, 'unfinished');
  const span = run.firstTime && run.lastTime ? duration((Date.parse(run.lastTime) - Date.parse(run.firstTime)) / 1000) : null;
  const stat = (label: string, value: string, cls = '') => h('div', { class: `stat ${cls}` }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
  const evalStat = (key: string, label: string) => {
    const e = ends(run, key);
    if (!e) return null;
    const f = (v: number | null) => (v === null ? '–' : v.toFixed(3));
    return stat(`${label} (step ${e.firstStep} → ${e.lastStep})`, e.firstStep === e.lastStep ? f(e.last) : `${f(e.first)} → ${f(e.last)}`);
  };
  const reward = ends(run, 'reward/mean');
  const faults = Object.keys(run.metrics)
    .filter((k) => /^(eval\/)?reward\/status\//.test(k) && !/\/(ok|abstain)$/.test(k))
    .map((k) => [k, total(run, k)] as const);
  const faultCount = faults.reduce((a, [, n]) => a + n, 0);
  for (const must of ['infra_error', 'plugin_error']) if (!faults.some(([k]) => k === `reward/status/${must}`)) faults.push([`reward/status/${must}`, 0]);
  faults.sort((a, b) => Number(a[0].startsWith('eval/')) - Number(b[0].startsWith('eval/')));
  return h(
    'section',
    { class: 'card run-summary', 'data-run': run.name },
    h('header', null, h('span', { class: 'swatch', style: `background:${colour}` }), h('h2', null, run.name), status),
    h('div', { class: 'progress', title: `${run.lastStep} of ${run.totalSteps} steps` }, h('div', { class: 'progress-bar', style: `width:${(progress * 100).toFixed(1)}%` })),
    h(
      'p',
      { class: 'muted' },
      `step ${run.lastStep.toLocaleString('en-US')} of ${run.totalSteps.toLocaleString('en-US')}`,
      run.phases.length ? ` · ${run.phases.map((p) => `${p.name ?? p.type} ${p.start + 1}–${p.end}`).join(' → ')}` : '',
      span ? ` · ${span} of training logged` : '',
      run.status !== 'finished' && run.lastWrite ? ` · last write ${ago(run.lastWrite, now)}` : '',
    ),
    h(
      'div',
      { class: 'stats' },
      reward ? stat(`train reward (step ${reward.lastStep})`, reward.last === null ? '–' : reward.last.toFixed(3)) : null,
      evalStat('eval/reward/mean', 'eval reward'),
      evalStat('eval/pass@1', 'pass@1'),
      evalStat('eval/greedy/accuracy', 'greedy accuracy'),
      stat('samples (in report)', `${run.samples.total.toLocaleString('en-US')} (${run.samples.kept.toLocaleString('en-US')})`),
      stat(
        faults.map(([k, n]) => `${k.replace('eval/reward/status/', 'eval ').replace('reward/status/', '')} ${n}`).join(' · '),
        faultCount ? `${faultCount.toLocaleString('en-US')} faulted` : 'no faults',
        faultCount ? 'bad' : 'good',
      ),
    ),
    run.notes.length ? h('ul', { class: 'notes' }, ...run.notes.map((n) => h('li', null, n))) : null,
  );
}
