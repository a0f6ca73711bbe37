// The sample browser: completions grouped by step and prompt, with rewards, components and sandbox feedback;
// filters by run, step, status, reward range and text; pages of groups so 100,000 samples stay responsive.
import type { PageRunSamples, PageSample, ReportRun } from '../report-data.ts';
import { filterSamples, type SampleFilter } from '../sample-filter.ts';
import { clear, h } from './dom.ts';
import { fmt } from './format.ts';

const GROUPS_PER_PAGE = 20;

/** Colour class of a score in [0, 1] (other ranges are scaled by the run's observed max). */
function scoreClass(r: number | null): string {
  if (r === null) return 'score none';
  if (r >= 0.999) return 'score full';
  if (r > 0) return 'score part';
  return 'score zero';
}

/** The browser's state and DOM. */
export class SampleBrowser {
  readonly root: HTMLElement;
  #runs: readonly ReportRun[];
  #data: readonly PageRunSamples[] = [];
  #run = 0;
  #filter: SampleFilter = {};
  #page = 0;
  #matches: number[] = [];
  readonly #controls: HTMLElement;
  readonly #summary: HTMLElement;
  readonly #list: HTMLElement;
  readonly #pager: HTMLElement;
  #stepSelect!: HTMLSelectElement;
  #statusSelect!: HTMLSelectElement;

  constructor(runs: readonly ReportRun[]) {
    this.#runs = runs;
    this.#controls = h('div', { class: 'controls' });
    this.#summary = h('p', { class: 'match-summary', 'data-testid': 'sample-count' }, 'loading samples…');
    this.#list = h('div', { class: 'groups' });
    this.#pager = h('div', { class: 'pager' });
    this.root = h('div', { class: 'sample-browser' }, this.#controls, this.#summary, this.#list, this.#pager);
  }

  /** Gives the browser its samples (decoded after the charts are drawn) and draws it. */
  setData(runs: readonly ReportRun[], data: readonly PageRunSamples[]): void {
    this.#runs = runs;
    this.#data = data;
    if (this.#run >= data.length) this.#run = 0;
    this.#buildControls();
    this.#apply(false);
  }

  #buildControls(): void {
    clear(this.#controls);
    const data = this.#data[this.#run] ?? { prompts: [], samples: [] };
    const field = (label: string, input: HTMLElement) => h('label', { class: 'field' }, h('span', null, label), input);
    if (this.#runs.length > 1) {
      const select = h('select', { 'data-testid': 'run', onchange: (e: Event) => this.#setRun(Number((e.target as HTMLSelectElement).value)) }, ...this.#runs.map((r, i) => h('option', { value: i, selected: i === this.#run }, r.name)));
      this.#controls.append(field('run', select));
    }
    const steps = [...new Set(data.samples.map((s) => s.s))].sort((a, b) => a - b);
    this.#stepSelect = h('select', { 'data-testid': 'step', onchange: () => this.#read() }, h('option', { value: '' }, `all ${steps.length} steps`), ...steps.map((s) => h('option', { value: s, selected: this.#filter.step === s }, `step ${s}`)));
    const stepBox = h('div', { class: 'step-nav' }, h('button', { type: 'button', title: 'previous step', onclick: () => this.#moveStep(-1) }, '◀'), this.#stepSelect, h('button', { type: 'button', title: 'next step', onclick: () => this.#moveStep(1) }, '▶'));
    const counts = new Map<string, number>();
    for (const s of data.samples) counts.set(s.st, (counts.get(s.st) ?? 0) + 1);
    this.#statusSelect = h('select', { 'data-testid': 'status', onchange: () => this.#read() }, h('option', { value: '' }, 'any status'), ...[...counts].sort((a, b) => b[1] - a[1]).map(([st, n]) => h('option', { value: st, selected: this.#filter.status === st }, `${st} (${n.toLocaleString('en-US')})`)));
    const num = (id: string, placeholder: string, value: number | null | undefined) => h('input', { type: 'number', step: 'any', 'data-testid': id, placeholder, value: value ?? undefined, oninput: () => this.#read() });
    const search = h('input', { type: 'search', 'data-testid': 'search', placeholder: 'search completions, prompts, feedback…', value: this.#filter.query ?? undefined, oninput: () => this.#read() });
    this.#controls.append(
      field('step', stepBox),
      field('status', this.#statusSelect),
      field('reward ≥', num('min-reward', 'min', this.#filter.minReward)),
      field('reward ≤', num('max-reward', 'max', this.#filter.maxReward)),
      h('label', { class: 'field grow' }, h('span', null, 'search'), search),
    );
  }

  #setRun(i: number): void {
    this.#run = i;
    this.#filter = {};
    this.#buildControls();
    this.#apply(true);
  }

  #moveStep(delta: number): void {
    const options = [...this.#stepSelect.options];
    const i = Math.min(options.length - 1, Math.max(1, this.#stepSelect.selectedIndex + delta));
    this.#stepSelect.selectedIndex = i;
    this.#read();
  }

  /** Reads the controls into the filter and redraws from the first page. */
  #read(): void {
    const value = (id: string) => (this.#controls.querySelector(`[data-testid="${id}"]`) as HTMLInputElement | null)?.value ?? '';
    const number = (id: string) => (value(id) === '' || Number.isNaN(Number(value(id))) ? null : Number(value(id)));
    this.#filter = { step: value('step') === '' ? null : Number(value('step')), status: value('status') || null, minReward: number('min-reward'), maxReward: number('max-reward'), query: value('search') || null };
    this.#apply(true);
  }

  #apply(resetPage: boolean): void {
    const data = this.#data[this.#run];
    if (!data) return;
    this.#matches = filterSamples(data, this.#filter);
    if (resetPage) this.#page = 0;
    this.#draw();
  }

  /** Groups of matching samples by (step, prompt), in file order. */
  #groups(): PageSample[][] {
    const data = this.#data[this.#run];
    const groups = new Map<string, PageSample[]>();
    for (const i of this.#matches) {
      const s = data.samples[i];
      const key = `${s.s}\u0000${s.pid}\u0000${s.p}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(s);
    }
    return [...groups.values()];
  }

  #draw(): void {
    const data = this.#data[this.#run];
    const run = this.#runs[this.#run];
    const groups = this.#groups();
    const pages = Math.max(1, Math.ceil(groups.length / GROUPS_PER_PAGE));
    this.#page = Math.min(this.#page, pages - 1);
    const shown = groups.slice(this.#page * GROUPS_PER_PAGE, (this.#page + 1) * GROUPS_PER_PAGE);
    const info = run?.samples;
    const reduced = info && info.kept < info.total ? ` (the report holds ${info.kept.toLocaleString('en-US')} of the run’s ${info.total.toLocaleString('en-US')} samples: ${info.keptSteps} of ${info.steps} steps, evenly spaced, and every errored sample)` : '';
    this.#summary.textContent = `${this.#matches.length.toLocaleString('en-US')} of ${data.samples.length.toLocaleString('en-US')} samples match, in ${groups.length.toLocaleString('en-US')} prompt groups${reduced}.`;
    this.#summary.dataset.matches = String(this.#matches.length);
    clear(this.#list);
    if (data.samples.length === 0) this.#list.append(h('p', { class: 'empty' }, 'This run has no samples yet (SFT and MoL phases log none; GRPO steps do).'));
    for (const g of shown) this.#list.append(this.#groupCard(data, g));
    clear(this.#pager);
    if (pages > 1) {
      const go = (p: number) => () => {
        this.#page = Math.max(0, Math.min(pages - 1, p));
        this.#draw();
        this.root.scrollIntoView({ block: 'start' });
      };
      this.#pager.append(
        h('button', { type: 'button', disabled: this.#page === 0, onclick: go(this.#page - 1) }, '← previous'),
        h('span', null, `page ${this.#page + 1} of ${pages}`),
        h('button', { type: 'button', disabled: this.#page >= pages - 1, onclick: go(this.#page + 1) }, 'next →'),
      );
    }
  }

  #groupCard(data: PageRunSamples, group: PageSample[]): HTMLElement {
    const first = group[0];
    const scores = group.map((s) => s.r).filter((r): r is number => r !== null);
    const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
    const prompt = data.prompts[first.p] ?? '';
    return h(
      'article',
      { class: 'card group', 'data-testid': 'sample-group' },
      h('header', null, h('strong', null, `step ${first.s}`), h('span', { class: 'muted' }, ` · prompt ${first.pid} · ${group.length} shown · mean reward ${fmt(mean)}`)),
      prompt ? h('details', { class: 'prompt', open: true }, h('summary', null, 'prompt'), h('pre', null, prompt)) : h('p', { class: 'muted' }, 'prompt not recorded in this run store'),
      h('div', { class: 'completions' }, ...group.map((s) => this.#sampleRow(s))),
    );
  }

  #sampleRow(s: PageSample): HTMLElement {
    const chips = Object.entries(s.rw).flatMap(([plugin, r]) => [
      h('span', { class: `chip plugin st-${r.status}`, title: r.reason ?? r.error ?? '' }, `${plugin} ${fmt(r.score)}${r.status !== 'ok' ? ` (${r.status})` : ''}`),
      ...Object.entries(r.components).map(([name, v]) => h('span', { class: `chip comp ${v ? 'on' : 'off'}` }, `${name} ${fmt(v)}`)),
    ]);
    const errors = Object.values(s.rw).map((r) => r.error).filter(Boolean) as string[];
    return h(
      'div',
      { class: `sample st-${s.st}`, 'data-testid': 'sample', 'data-status': s.st, 'data-reward': s.r === null ? '' : String(s.r) },
      h(
        'div',
        { class: 'sample-head' },
        h('span', { class: scoreClass(s.r) }, fmt(s.r)),
        h('span', { class: `status st-${s.st}` }, s.st),
        h('span', { class: 'muted' }, `#${s.i}`),
        s.a !== undefined ? h('span', { class: 'muted', title: 'advantage' }, `adv ${s.a === null ? '–' : s.a.toFixed(3)}`) : null,
        s.n !== undefined ? h('span', { class: 'muted' }, `${s.n} tokens${s.f === 'length' ? ' · truncated' : ''}`) : null,
        ...chips,
      ),
      h('pre', { class: 'completion' }, s.c),
      errors.length ? h('pre', { class: 'error' }, errors.join('\n')) : null,
      s.fb ? h('details', { class: 'feedback' }, h('summary', null, 'sandbox feedback'), h('pre', null, s.fb)) : null,
    );
  }
}
