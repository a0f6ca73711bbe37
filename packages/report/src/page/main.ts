// The report page: reads the embedded data, draws the run summaries and the charts, then decodes the samples
// for the sample browser; on the --watch server it polls /data and redraws when the run store changed.
import { CHART_GROUPS, planCharts } from '../chart-plan.ts';
import type { ReportData, ReportRun } from '../report-data.ts';
import { chartCard, drawChart, type DrawnChart } from './charts.ts';
import { decodeSamples } from './decode-samples.ts';
import { clear, h } from './dom.ts';
import { runSummary } from './run-summary.ts';
import { SampleBrowser } from './sample-browser.ts';

const RUN_COLOURS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#0891b2', '#db2777'];

/** What the page exposes for tests and for whoever inspects it: the drawn charts and the readiness. */
interface PageState {
  charts: Array<{ id: string; title: string; points: number; lines: number }>;
  version: string;
}

declare global {
  interface Window {
    molrlReport: PageState;
  }
}

const readJson = <T>(id: string): T => JSON.parse(document.getElementById(id)?.textContent ?? 'null') as T;

let drawn: DrawnChart[] = [];
const summaries = h('div', { class: 'runs' });
const chartsRoot = h('div');
const browser = new SampleBrowser([]);
const configs = h('div');
const zoomBar = h('div', { class: 'zoom-bar' });

/** Buttons that set every chart's step range to one phase (or back to all steps). */
function drawZoomBar(runs: readonly ReportRun[]): void {
  clear(zoomBar);
  const spans = new Map<string, { label: string; min: number; max: number }>();
  for (const r of runs) for (const p of r.phases) spans.set(`${p.start}-${p.end}`, { label: `${p.name ?? p.type} ${p.start + 1}–${p.end}`, min: p.start, max: p.end });
  if (spans.size < 2) return;
  const zoom = (range: { min: number; max: number } | null, button: HTMLElement) => {
    for (const b of zoomBar.querySelectorAll('button')) b.classList.toggle('active', b === button);
    for (const d of drawn) {
      const xs = d.plot.data[0] as number[];
      if (!xs.length) continue;
      d.plot.setScale('x', range ?? { min: xs[0], max: xs[xs.length - 1] });
    }
  };
  const all: HTMLButtonElement = h('button', { type: 'button', class: 'active', 'data-zoom': 'all', onclick: () => zoom(null, all) }, 'all steps');
  zoomBar.append(h('span', { class: 'muted' }, 'steps:'), all, ...[...spans.values()].map((sp) => {
    const b: HTMLButtonElement = h('button', { type: 'button', 'data-zoom': `${sp.min}-${sp.max}`, onclick: () => zoom(sp, b) }, sp.label);
    return b;
  }), h('span', { class: 'muted hint' }, 'drag on a chart to zoom, double-click to reset'));
}

/** Draws every chart of `runs` (all charts are laid out first, so widths are known). */
function drawCharts(runs: readonly ReportRun[]): void {
  for (const d of drawn) d.plot.destroy();
  drawn = [];
  clear(chartsRoot);
  const keys = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.metrics)) keys.add(k);
  const specs = planCharts(keys);
  const pending: Array<{ spec: (typeof specs)[number]; target: HTMLElement }> = [];
  for (const group of CHART_GROUPS) {
    const inGroup = specs.filter((s) => s.group === group);
    if (!inGroup.length) continue;
    const grid = h('div', { class: 'charts' });
    chartsRoot.append(h('h2', { class: 'group', id: `group-${group.toLowerCase()}` }, group), grid);
    for (const spec of inGroup) {
      const { card, target } = chartCard(spec);
      grid.append(card);
      pending.push({ spec, target });
    }
  }
  if (!specs.length) chartsRoot.append(h('p', { class: 'empty card' }, 'No metrics yet: metrics.jsonl is empty. Curves appear after the first logged step.'));
  for (const { spec, target } of pending) drawn.push(drawChart(spec, runs, target, Math.max(300, target.clientWidth)));
  window.molrlReport.charts = drawn.map((d) => ({ id: d.spec.id, title: d.spec.title, points: d.points, lines: Number(d.plot.root.parentElement?.dataset.lines ?? 0) }));
}

/** Draws everything but the samples. */
function drawRuns(data: ReportData): void {
  clear(summaries);
  drawZoomBar(data.runs);
  data.runs.forEach((r, i) => summaries.append(runSummary(r, RUN_COLOURS[i % RUN_COLOURS.length])));
  drawCharts(data.runs);
  clear(configs);
  for (const r of data.runs) configs.append(h('details', { class: 'card' }, h('summary', null, `${r.name}: config.json (${r.dir})`), h('pre', { class: 'config' }, JSON.stringify(r.config, null, 2))));
}

async function start(): Promise<void> {
  const data = readJson<ReportData>('molrl-data');
  window.molrlReport = { charts: [], version: '' };
  document.title = data.title;
  const nav = h('nav', null, h('a', { href: '#runs' }, 'Runs'), ...CHART_GROUPS.map((g) => h('a', { href: `#group-${g.toLowerCase()}` }, g)), h('a', { href: '#samples' }, 'Samples'), h('a', { href: '#config' }, 'Config'));
  const meta = h('span', { class: 'meta' }, data.live ? h('span', { class: 'live-dot', title: 'live: updates as the run writes' }) : null, data.live ? 'live · ' : '', `generated ${new Date(data.generatedAt).toLocaleString()}`);
  document.body.append(
    h('header', { class: 'top' }, h('h1', null, data.title), nav, meta),
    h('main', null, h('div', { id: 'runs' }, summaries), zoomBar, chartsRoot, h('h2', { class: 'group', id: 'samples' }, 'Samples'), h('div', { class: 'card' }, browser.root), h('h2', { class: 'group', id: 'config' }, 'Config'), configs),
  );
  drawRuns(data);
  document.body.dataset.ready = 'charts';
  performance.mark('molrl:charts-drawn');
  // Let the browser paint the charts before the samples are decoded (a few MB of base64 and JSON).
  // (two frames: the first one's callbacks run before its paint, the second's after it was produced)
  await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))));
  const samples = await decodeSamples(document.getElementById('molrl-samples')?.textContent?.trim() ?? '');
  browser.setData(data.runs, samples);
  document.body.dataset.ready = 'all';
  performance.mark('molrl:samples-ready');
  if (data.live) poll(meta);
}

/** --watch: asks /data for a newer version every 2 s and redraws when there is one. */
function poll(meta: HTMLElement): void {
  let version = document.body.dataset.version ?? '';
  window.molrlReport.version = version;
  const tick = async () => {
    try {
      const res = await fetch(`data?since=${encodeURIComponent(version)}`, { cache: 'no-store' });
      if (res.status === 200) {
        const body = (await res.json()) as { version: string; data: ReportData; samples: string };
        version = body.version;
        drawRuns(body.data);
        browser.setData(body.data.runs, await decodeSamples(body.samples));
        window.molrlReport.version = version;
        meta.lastChild!.textContent = `updated ${new Date().toLocaleTimeString()}`;
      }
    } catch {
      meta.lastChild!.textContent = 'live server unreachable (the run or molrl report --watch stopped?)';
    }
    setTimeout(() => void tick(), 2000);
  };
  setTimeout(() => void tick(), 2000);
}

window.addEventListener('resize', () => {
  for (const d of drawn) d.plot.setSize({ width: Math.max(300, d.plot.root.parentElement!.clientWidth), height: 220 });
});

void start();
