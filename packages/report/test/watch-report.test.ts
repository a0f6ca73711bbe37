// watchReport: the live page on loopback redraws as a run writes (new metric lines appended through RunStore
// reach the open page without a reload), and the --out file is rewritten; a taken port is REPORT_WATCH_PORT_IN_USE.
import { ok, rejects, strictEqual } from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '@molrl/core';
import { watchReport } from '@molrl/report';
import { chromiumMissing, launchChromium, pageState, type ReportPageState } from '../../../test/helpers/chromium.ts';
import { skipUnless } from '../../../test/helpers/requirements.ts';
import { writeSyntheticRun } from '../../../test/helpers/synthetic-run.ts';

describe('watchReport (live page in Chromium)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  before(async function () {
    skipUnless(this, chromiumMissing(), 'the live report test needs Chromium');
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('redraws the open page when the run appends metrics, and keeps --out up to date', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-watch-'));
    const run = writeSyntheticRun(dir, { name: 'live', grpoSteps: 4, finished: false });
    const out = join(dir, 'live.html');
    const versions: string[] = [];
    const live = await watchReport([run.dir], { out, intervalMs: 100, onUpdate: (v) => versions.push(v) });
    try {
      ok(live.url.startsWith('http://127.0.0.1:'), live.url);
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(live.url);
      await page.waitForSelector('body[data-ready="all"]');
      const points = async () => (await page.evaluate(pageState)).charts.find((c) => c.id === 'reward')?.points ?? 0;
      strictEqual(await points(), 4);
      const { store } = RunStore.resume(run.dir);
      store.appendMetrics([{ step: 25, phase: 1, phaseType: 'grpo', 'reward/mean': 0.9, 'reward/std': 0.1, time: new Date().toISOString() }]);
      store.close();
      // The page polls every 2 s: wait for the redraw (no reload: the page object is the same).
      await page.waitForFunction(() => (globalThis as unknown as { molrlReport: ReportPageState }).molrlReport.charts.find((c) => c.id === 'reward')?.points === 5, null, { timeout: 30_000 });
      ok(versions.length >= 2, `versions: ${versions}`);
      ok(readFileSync(out, 'utf8').includes('"reward/mean":{"s":[21,22,23,24,25]'), 'the static file was rewritten with the new line');
      strictEqual(problems.length, 0, problems.join('\n'));
      await page.close();
      const port = Number(new URL(live.url).port);
      await rejects(watchReport([run.dir], { port }), (e: { code?: string }) => e.code === 'REPORT_WATCH_PORT_IN_USE');
    } finally {
      await live.close();
    }
  });
});
