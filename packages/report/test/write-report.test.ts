// writeReport in a real browser (Debian's Chromium via playwright-core): a run store written through the real
// RunStore API renders with no console error and no request, every chart has the points the run logged, the
// sample filter works, a crashed run with a torn last line and several runs overlaid render too; screenshots.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { writeReport } from '@molrl/report';
import { chromiumMissing, launchChromium, pageState } from '../../../test/helpers/chromium.ts';
import { skipUnless } from '../../../test/helpers/requirements.ts';
import { writeSyntheticRun, type SyntheticRun } from '../../../test/helpers/synthetic-run.ts';

/** Where screenshots go: $MOLRL_TEST_OUTPUT/report, else <tmp>/molrl-test-output/report. */
export const SCREENSHOTS = join(process.env.MOLRL_TEST_OUTPUT ?? join(tmpdir(), 'molrl-test-output'), 'report');

type Charts = Array<{ id: string; title: string; points: number; lines: number }>;

/** Opens `file`, collecting console errors, page errors and every request; waits until the samples are drawn. */
async function open(page: Page, file: string): Promise<{ problems: string[]; requests: string[]; charts: Charts }> {
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="all"]', { timeout: 30_000 });
  const charts = (await page.evaluate(pageState)).charts;
  return { problems, requests, charts };
}

const byId = (charts: Charts) => Object.fromEntries(charts.map((c) => [c.id, c]));

describe('writeReport in Chromium', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let runsDir: string;
  let run: SyntheticRun;
  let samples: Array<Record<string, unknown>>;

  before(async function () {
    skipUnless(this, chromiumMissing(), 'the report browser tests need Chromium');
    runsDir = mkdtempSync(join(tmpdir(), 'molrl-report-'));
    run = writeSyntheticRun(runsDir, { name: 'known', sftSteps: 20, sftLogEvery: 5, grpoSteps: 10, evalEvery: 5, promptsPerStep: 2, groupSize: 4, infraErrorEvery: 13, pluginErrorEvery: 17 });
    samples = readFileSync(join(run.dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => browser?.close());

  it('renders a finished run with no console error, no request, and every logged point in its chart', async () => {
    const written = writeReport([run.dir], { out: join(runsDir, 'known.html') });
    const page = await browser.context.newPage();
    const { problems, requests, charts } = await open(page, written.out);
    deepStrictEqual(problems, []);
    deepStrictEqual(requests, [`file://${written.out}`], 'the page asked for something besides itself');
    const c = byId(charts);
    strictEqual(run.grpoLines, 10);
    strictEqual(c.reward.points, run.grpoLines, 'reward/mean: one point per GRPO step');
    strictEqual(c.status.lines, 4, 'ok, abstain, infra_error, plugin_error');
    strictEqual(c.status.points, 4 * run.grpoLines);
    strictEqual(c.loss.points, run.sftLines + run.grpoLines, 'sft/loss and loss on one step axis');
    strictEqual(c['eval-reward'].points, 2 * run.evalLines, 'eval reward and pass@1 at each eval');
    strictEqual(c['eval-accuracy'].points, 3 * run.evalLines);
    strictEqual(c['components:reward:code-execution'].lines, 3);
    strictEqual(c['time-split'].points, run.sftLines + 3 * run.grpoLines);
    for (const id of ['clip', 'entropy', 'grad-norm', 'length', 'truncated', 'kl']) ok(c[id], `chart ${id} missing; got ${Object.keys(c).join(', ')}`);
    // Faults are never hidden: the status legend names them and the summary counts them.
    const legend = await page.locator('[data-chart="status"] .u-legend').innerText();
    ok(legend.includes('infra_error') && legend.includes('plugin_error'), legend);
    const summary = await page.locator('.run-summary').innerText();
    ok(summary.includes(`infra_error ${run.infraErrors}`) && summary.includes(`plugin_error ${run.pluginErrors}`), summary);
    // Phase boundary: the SFT -> GRPO line is drawn at step 20 where both phases are on the axis.
    strictEqual(await page.getAttribute('[data-chart="loss"] .plot', 'data-boundaries'), '20');
    strictEqual(await page.getAttribute('[data-chart="reward"] .plot', 'data-boundaries'), '', 'the reward chart starts at the GRPO phase: no boundary inside');
    // The phase buttons set every chart's step range: GRPO is steps (20, 30].
    await page.click('[data-zoom="20-30"]');
    strictEqual(await page.getAttribute('[data-chart="loss"] .plot', 'data-x-range'), '20-30');
    await page.click('[data-zoom="all"]');
    strictEqual(await page.getAttribute('[data-chart="loss"] .plot', 'data-x-range'), '5-30');
    await page.screenshot({ path: join(SCREENSHOTS, 'report.png') });
    await page.locator('#samples').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'report-samples.png') });
    process.stdout.write(`      screenshots: ${join(SCREENSHOTS, 'report.png')}, ${join(SCREENSHOTS, 'report-samples.png')}\n`);
    await page.close();
  });

  it('filters samples by status, reward and text', async () => {
    const written = writeReport([run.dir], { out: join(runsDir, 'filter.html') });
    const page = await browser.context.newPage();
    const { problems } = await open(page, written.out);
    const count = async () => Number(await page.getAttribute('[data-testid="sample-count"]', 'data-matches'));
    strictEqual(await count(), run.samples);
    await page.selectOption('[data-testid="status"]', 'infra_error');
    strictEqual(await count(), run.infraErrors);
    const shown = await page.$$eval('[data-testid="sample"]', (els) => els.map((e) => e.getAttribute('data-status')));
    ok(shown.length > 0 && shown.every((s) => s === 'infra_error'), String(shown));
    ok((await page.locator('pre.error').first().innerText()).includes('SANDBOX_CONTAINER_FAILED'));
    await page.selectOption('[data-testid="status"]', '');
    await page.fill('[data-testid="min-reward"]', '1');
    strictEqual(await count(), samples.filter((s) => typeof s.score === 'number' && s.score >= 1).length);
    await page.fill('[data-testid="min-reward"]', '');
    await page.fill('[data-testid="search"]', 'FAULTED');
    strictEqual(await count(), samples.filter((s) => String(s.prompt).toLowerCase().includes('faulted')).length);
    await page.fill('[data-testid="search"]', '');
    await page.selectOption('[data-testid="step"]', String(25));
    strictEqual(await count(), samples.filter((s) => s.step === 25).length);
    deepStrictEqual(problems, []);
    await page.close();
  });

  it('renders a crashed run (torn last line) overlaid with another run', async () => {
    const crashed = writeSyntheticRun(runsDir, { name: 'crashed', grpoSteps: 6, finished: false });
    appendFileSync(join(crashed.dir, 'metrics.jsonl'), '{"step": 27, "phase": 1, "reward/me');
    appendFileSync(join(crashed.dir, 'samples.jsonl'), '{"step": 27, "comp');
    const written = writeReport([run.dir, crashed.dir], { out: join(runsDir, 'two.html') });
    const page = await browser.context.newPage();
    const { problems, charts } = await open(page, written.out);
    deepStrictEqual(problems, []);
    const c = byId(charts);
    strictEqual(c.reward.lines, 2, 'one reward line per run');
    strictEqual(c.reward.points, run.grpoLines + crashed.grpoLines);
    const text = await page.locator('[data-run="crashed"]').innerText();
    ok(text.includes('unfinished') && text.includes('incomplete'), text);
    await page.selectOption('[data-testid="run"]', '1');
    strictEqual(Number(await page.getAttribute('[data-testid="sample-count"]', 'data-matches')), crashed.samples);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-two-runs.png') });
    await page.close();
  });
});
