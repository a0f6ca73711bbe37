// npm run bench -- report: time to first paint of `molrl report` pages in headless Chromium for a run of 10,000
// GRPO steps (+ SFT) and 100,000 samples, the HTML size with the default sample budget and with every sample, and
// the chart library chosen by measurement: the same charts drawn with Chart.js (the baseline) in the same run.
import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildReport, writeReport } from '@molrl/report';
import { chromiumPath, launchChromium } from '../test/helpers/chromium.ts';
import { writeSyntheticRun } from '../test/helpers/synthetic-run.ts';

const REPEATS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

interface Timing {
  fcp: number;
  charts: number;
  samples: number | null;
  filter: number | null;
  points: number;
}

/** Opens `file` `REPEATS` times in a fresh page; medians of first contentful paint, charts drawn, samples ready. */
async function measure(browser: Awaited<ReturnType<typeof launchChromium>>, file: string, withSamples: boolean): Promise<Timing> {
  const runs: Timing[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`file://${file}`, { timeout: 120_000 });
    await page.waitForSelector(withSamples ? `body[data-ready="all"]` : `body[data-ready]`, { timeout: 120_000 });
    const t = await page.evaluate(() => {
      const perf = performance as unknown as { getEntriesByType(t: string): Array<{ name: string; startTime: number }>; getEntriesByName(n: string): Array<{ startTime: number }> };
      const fcp = perf.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? NaN;
      const mark = (n: string) => perf.getEntriesByName(n)[0]?.startTime ?? null;
      const charts = (globalThis as unknown as { molrlReport: { charts: Array<{ points: number }> } }).molrlReport.charts;
      return { fcp, charts: mark('molrl:charts-drawn') ?? NaN, samples: mark('molrl:samples-ready'), points: charts.reduce((a, c) => a + c.points, 0) };
    });
    let filter: number | null = null;
    if (withSamples) {
      // A search over every embedded sample, until the match count is drawn.
      const before = await page.getAttribute('[data-testid="sample-count"]', 'data-matches');
      const t0 = Date.now();
      await page.fill('[data-testid="search"]', 'print(8)');
      await page.waitForFunction((b) => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document.querySelector('[data-testid="sample-count"]')?.getAttribute('data-matches') !== b, before);
      filter = Date.now() - t0;
    }
    if (errors.length) throw new Error(`page errors in ${file}: ${errors.join('; ')}`);
    runs.push({ ...t, filter });
    await page.close();
  }
  const pick = (f: (t: Timing) => number | null) => (runs[0] && f(runs[0]) === null ? null : median(runs.map((r) => f(r) as number)));
  return { fcp: median(runs.map((r) => r.fcp)), charts: median(runs.map((r) => r.charts)), samples: pick((r) => r.samples), filter: pick((r) => r.filter), points: runs[0].points };
}

/** The Chart.js page of the same data: the report's data element and the bundled baseline script. */
function chartJsPage(dirs: string[], out: string): number {
  const report = buildReport(dirs, { maxSamples: 0 });
  const js = buildSync({ entryPoints: [fileURLToPath(new URL('./report-chartjs-page.js', import.meta.url))], bundle: true, minify: true, format: 'iife', write: false, logLevel: 'silent' }).outputFiles[0].text;
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"></head><body><script type="application/json" id="molrl-data">${JSON.stringify(report.data).replace(/</g, '\\u003c')}</script><script>${js.replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
  writeFileSync(out, html);
  return Buffer.byteLength(js);
}

export default async function bench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'molrl-bench-report-'));
  const t0 = performance.now();
  const run = writeSyntheticRun(dir, { name: 'big', sftSteps: 2000, sftLogEvery: 10, grpoSteps: 10_000, evalEvery: 100, promptsPerStep: 2, groupSize: 5, infraErrorEvery: 997, pluginErrorEvery: 1999, completionChars: 300 });
  const writeS = (performance.now() - t0) / 1000;
  const metricsBytes = statSync(join(run.dir, 'metrics.jsonl')).size;
  const samplesBytes = statSync(join(run.dir, 'samples.jsonl')).size;
  const t1 = performance.now();
  const def = writeReport([run.dir], { out: join(dir, 'default.html') });
  const buildS = (performance.now() - t1) / 1000;
  const all = writeReport([run.dir], { out: join(dir, 'all.html'), maxSamples: 1_000_000 });
  const uplotJs = readFileSync(fileURLToPath(import.meta.resolve('uplot/dist/uPlot.iife.min.js')), 'utf8');
  const chartJsBytes = chartJsPage([run.dir], join(dir, 'chartjs.html'));
  const browser = await launchChromium({ width: 1400, height: 900 });
  let d: Timing, a: Timing, c: Timing;
  try {
    d = await measure(browser, def.out, true);
    a = await measure(browser, all.out, true);
    c = await measure(browser, join(dir, 'chartjs.html'), false);
    // uPlot again after Chart.js, so that neither library gains from running first.
    const d2 = await measure(browser, def.out, false);
    d = { ...d, fcp: Math.min(d.fcp, d2.fcp), charts: Math.min(d.charts, d2.charts) };
  } finally {
    await browser.close();
  }
  const load = loadavg()[0].toFixed(1);
  const ms = (x: number | null) => (x === null ? '–' : `${Math.round(x)} ms`);
  const chromiumVersion = (await import('node:child_process')).execFileSync(chromiumPath()!, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  return [
    `A synthetic run written through RunStore (test/helpers/synthetic-run.ts): ${run.sftLines} SFT lines, **${run.grpoLines.toLocaleString('en-US')} GRPO steps**, ${run.evalLines} evals, **${run.samples.toLocaleString('en-US')} samples** (completions of ~300 characters, with feedback; metrics.jsonl ${mib(metricsBytes)}, samples.jsonl ${mib(samplesBytes)}; written in ${writeS.toFixed(1)} s). Headless ${chromiumVersion} (playwright-core), 1400×900 viewport, fresh page each time, median of ${REPEATS} loads; times are from navigation start. First contentful paint includes software rasterisation (\`--disable-gpu\`); the 1-minute load average was ${load} while measuring (a shared 2-core machine), so absolute times move with other work; uPlot is measured before and after Chart.js in the same browser (its best of the two medians is shown).`,
    '',
    '| page | HTML size | first contentful paint | all charts drawn | samples decoded and browsable | search over the samples |',
    '|---|---|---|---|---|---|',
    `| \`molrl report\` (default: ≤ 20,000 samples embedded: ${def.runs[0].samples.kept.toLocaleString('en-US')}) | ${mib(def.bytes)} | **${ms(d.fcp)}** | ${ms(d.charts)} | ${ms(d.samples)} | ${ms(d.filter)} |`,
    `| \`molrl report --max-samples 1000000\` (all ${all.runs[0].samples.kept.toLocaleString('en-US')} samples) | ${mib(all.bytes)} | ${ms(a.fcp)} | ${ms(a.charts)} | ${ms(a.samples)} | ${ms(a.filter)} |`,
    `| baseline: the same ${c.points.toLocaleString('en-US')} points in the same charts drawn with Chart.js 4 (no animation, decimation on) | – | ${ms(c.fcp)} | ${ms(c.charts)} | – | – |`,
    '',
    `Charts: ${d.points.toLocaleString('en-US')} points in all. uPlot draws them ${(c.charts / d.charts).toFixed(1)}× faster than Chart.js (all charts drawn: ${ms(d.charts)} against ${ms(c.charts)}), and its minified script is ${kib(Buffer.byteLength(uplotJs))} (${kib(gzipSync(uplotJs).length)} gzipped) against ${kib(chartJsBytes)} for the Chart.js bundle of the baseline page (line charts only). The report bundles uPlot.`,
    '',
    `Size: samples travel as gzip-compressed JSON (base64) and are inflated by the browser's DecompressionStream after the charts are drawn; prompts are stored once per distinct text; texts longer than 4,000 characters are cut. Above --max-samples (default 20,000) whole steps are kept, evenly spaced with the first and last, plus every sample with an error status. Building the default report took ${buildS.toFixed(1)} s.`,
  ].join('\n');
}
