// The curves of the report page: one uPlot chart per ChartSpec, every run overlaid, phase boundaries marked.
import uPlot from 'uplot';
import type { ChartSpec } from '../chart-plan.ts';
import type { PhaseSpan, ReportRun } from '../report-data.ts';
import { h } from './dom.ts';
import { fmt, shortLabels } from './format.ts';

const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#ca8a04', '#4b5563', '#dc2626'];
const STATUS_COLOURS: Record<string, string> = { ok: '#16a34a', abstain: '#94a3b8', infra_error: '#dc2626', plugin_error: '#f97316' };
const DASHES: number[][] = [[], [7, 4], [2, 3], [10, 3, 2, 3]];

/** A drawn chart and what the tests (and the live update) read from it. */
export interface DrawnChart {
  spec: ChartSpec;
  plot: uPlot;
  /** Non-null points per plotted line (band edges excluded). */
  points: number;
}

/** A y tick label that fits the axis: 12.5k, 150k, 1.2M; small numbers as fmt does. */
function tick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return fmt(v, 2);
}

/** Tick spacings of the step axis: whole steps only. */
const STEP_INCREMENTS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000];

const alpha = (hex: string, a: number) => `${hex}${Math.round(a * 255).toString(16).padStart(2, '0')}`;

/** Phase boundaries and labels of `runs` (deduplicated by step), for the draw hook. */
function boundaries(runs: readonly ReportRun[]): PhaseSpan[] {
  const seen = new Map<string, PhaseSpan>();
  for (const r of runs) for (const p of r.phases) seen.set(`${p.start}:${p.type}`, p);
  return [...seen.values()].sort((a, b) => a.start - b.start);
}

/** A uPlot plugin drawing a dashed line at each phase start and the phase's name at the top. */
function phasePlugin(spans: readonly PhaseSpan[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const drawnAt: number[] = [];
        (u.root.parentElement as HTMLElement).dataset.boundaries = '';
        if (spans.length === 0) return;
        const ctx = u.ctx;
        const { top, height, left, width } = u.bbox;
        const dpr = devicePixelRatio || 1;
        ctx.save();
        ctx.font = `${11 * dpr}px system-ui, sans-serif`;
        ctx.textBaseline = 'top';
        ctx.textAlign = 'left';
        for (const s of spans) {
          const x0 = Math.round(u.valToPos(s.start, 'x', true));
          const x1 = u.valToPos(s.end, 'x', true);
          if (s.start > (u.scales.x.min ?? -Infinity) && x0 > left && x0 < left + width) {
            ctx.strokeStyle = '#64748b';
            ctx.setLineDash([4 * dpr, 4 * dpr]);
            ctx.lineWidth = dpr;
            ctx.beginPath();
            ctx.moveTo(x0, top);
            ctx.lineTo(x0, top + height);
            ctx.stroke();
            drawnAt.push(s.start);
          }
          const from = Math.max(left, x0);
          const to = Math.min(left + width, x1);
          if (to - from > 30 * dpr) {
            // In the padding above the plot, clear of the y axis' top label.
            ctx.fillStyle = '#475569';
            ctx.fillText(s.name ?? s.type, from + 4 * dpr, top - 15 * dpr);
          }
        }
        ctx.restore();
        (u.root.parentElement as HTMLElement).dataset.boundaries = drawnAt.join(',');
      },
    },
  };
}

/** Aligns the columns of `runs` x `keys` on one sorted step axis (null where a series has no point). */
function align(runs: readonly ReportRun[], keys: readonly string[]): { xs: number[]; cols: Array<{ run: number; key: string; ys: Array<number | null> }> } {
  const steps = new Set<number>();
  for (const r of runs) for (const k of keys) for (const s of r.metrics[k]?.s ?? []) steps.add(s);
  const xs = [...steps].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const cols: Array<{ run: number; key: string; ys: Array<number | null> }> = [];
  runs.forEach((r, run) => {
    for (const key of keys) {
      const col = r.metrics[key];
      if (!col) continue;
      const ys: Array<number | null> = new Array(xs.length).fill(null);
      // The last value wins when a step has two lines with the key (e.g. an eval line after the train line).
      col.s.forEach((s, i) => (ys[at.get(s)!] = col.v[i]));
      cols.push({ run, key, ys });
    }
  });
  return { xs, cols };
}

/** The y range: uPlot's padded default, but a flat line gets a small band around it instead of 0..100. */
function yRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) return [0, 1];
  if (min === max) return min === 0 ? [0, 1] : [min - Math.abs(min) * 0.1, max + Math.abs(max) * 0.1];
  const pad = (max - min) * 0.05;
  return [min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad];
}

/** Builds one chart into `target`; `width` in CSS pixels. */
export function drawChart(spec: ChartSpec, runs: readonly ReportRun[], target: HTMLElement, width: number): DrawnChart {
  const { xs, cols } = align(runs, spec.band ? [...spec.keys, spec.band.std] : spec.keys);
  const main = cols.filter((c) => c.key !== spec.band?.std);
  const labels = shortLabels(spec.keys);
  const labelOf = (key: string) => labels[spec.keys.indexOf(key)] ?? key;
  const multiRun = runs.length > 1;
  const series: uPlot.Series[] = [{ label: 'step', value: (_u, v) => (v === null ? '–' : String(v)) }];
  const data: Array<Array<number | null>> = [xs];
  const bands: uPlot.Band[] = [];
  let points = 0;
  // One metric: a colour per run. Several: a colour per metric (a dash per run); statuses keep their own colours.
  const colourOf = (key: string, run: number) =>
    (key.includes('/status/') ? STATUS_COLOURS[key.slice(key.lastIndexOf('/') + 1)] : undefined) ?? PALETTE[(spec.keys.length === 1 ? run : spec.keys.indexOf(key)) % PALETTE.length];
  const stackBase = new Map<number, Array<number | null>>();
  for (const c of main) {
    const colour = colourOf(c.key, c.run);
    const n = c.ys.reduce((a: number, y) => a + (y === null ? 0 : 1), 0);
    points += n;
    const sparse = n <= 60;
    const label = multiRun ? `${labelOf(c.key)} · ${runs[c.run].name}` : labelOf(c.key);
    const dash = multiRun && spec.keys.length > 1 ? DASHES[c.run % DASHES.length] : [];
    const raw = c.ys;
    let ys = raw;
    if (spec.stack) {
      const below = stackBase.get(c.run);
      ys = raw.map((y, i) => (y === null ? (below?.[i] ?? null) : y + (below?.[i] ?? 0)));
      stackBase.set(c.run, ys);
    }
    series.push({
      label,
      stroke: colour,
      width: c.key.endsWith('infra_error') || c.key.endsWith('plugin_error') ? 2.5 : 1.75,
      dash,
      spanGaps: true,
      points: { show: sparse, size: n <= 20 ? 6 : 4, fill: colour },
      value: (_u, _v, _si, idx) => (idx === null || idx === undefined ? '–' : fmt(raw[idx])),
      ...(spec.stack ? { fill: alpha(colour, 0.28) } : {}),
    });
    data.push(ys);
    if (spec.stack && stackBase.size && series.length > 2 && main[main.indexOf(c) - 1]?.run === c.run) bands.push({ series: [series.length - 1, series.length - 2], fill: alpha(colour, 0.28) });
    if (spec.band && c.key === spec.band.mean) {
      const std = cols.find((s) => s.run === c.run && s.key === spec.band!.std);
      if (std) {
        const hi = c.ys.map((m, i) => (m === null || std.ys[i] === null ? null : m + (std.ys[i] as number)));
        const lo = c.ys.map((m, i) => (m === null || std.ys[i] === null ? null : m - (std.ys[i] as number)));
        series.push({ label: `${label} + std`, stroke: alpha(colour, 0.25), width: 0.5, spanGaps: true, points: { show: false }, value: (_u, v) => fmt(v) });
        series.push({ label: `${label} − std`, stroke: alpha(colour, 0.25), width: 0.5, spanGaps: true, points: { show: false }, value: (_u, v) => fmt(v) });
        data.push(hi, lo);
        bands.push({ series: [series.length - 2, series.length - 1], fill: alpha(colour, 0.14) });
      }
    }
  }
  // Stacked series fill down to the one below; the lowest fills down to 0 (its own `fill`).
  if (spec.stack) for (const b of bands) series[b.series[0]].fill = undefined;
  const opts: uPlot.Options = {
    width,
    height: 220,
    padding: [18, 24, null, null],
    series,
    bands,
    cursor: { sync: { key: 'molrl-steps', setSeries: false }, drag: { x: true, y: false } },
    scales: { x: { time: false }, y: { range: yRange } },
    axes: [
      { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1' }, incrs: STEP_INCREMENTS },
      { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1' }, size: 52, values: (_u, vals) => vals.map(tick) },
    ],
    legend: { live: true },
    plugins: [phasePlugin(boundaries(runs))],
    hooks: {
      setScale: [
        (u: uPlot, key: string) => {
          if (key === 'x') target.dataset.xRange = `${u.scales.x.min}-${u.scales.x.max}`;
        },
      ],
    },
  };
  const plot = new uPlot(opts, data as uPlot.AlignedData, target);
  // The band's edges are drawn as the shade; their legend rows would only repeat mean ± std.
  const rows = plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
  series.forEach((s, i) => {
    if (typeof s.label === 'string' && /[+−] std$/.test(s.label) && rows[i]) rows[i].style.display = 'none';
  });
  target.dataset.points = String(points);
  if (points === 0) target.before(h('p', { class: 'note empty-chart' }, 'logged, but null at every step so far (e.g. no value from the server for this loss type)'));
  target.dataset.lines = String(main.length);
  return { spec, plot, points };
}

/** The card around a chart: title, note, and the chart itself. */
export function chartCard(spec: ChartSpec): { card: HTMLElement; target: HTMLElement } {
  const target = h('div', { class: 'plot' });
  const card = h('section', { class: 'card chart', 'data-chart': spec.id }, h('h3', null, spec.title), spec.note ? h('p', { class: 'note' }, spec.note) : null, target);
  return { card, target };
}
