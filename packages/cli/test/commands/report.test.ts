// `molrl report` as a user runs it: --help, a report of a run store (JSON result), usage errors exit 2 with a
// code, and --watch serves the page on loopback until SIGINT (exit 0).
import { ok, strictEqual } from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../test/helpers/run-cli.ts';
import { writeSyntheticRun } from '../../../../test/helpers/synthetic-run.ts';

describe('molrl report', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'molrl-report-cli-'));
  const run = writeSyntheticRun(dir, { name: 'cli', grpoSteps: 3 });

  it('documents its flags', async () => {
    const help = await runCli(['report', '--help']);
    strictEqual(help.code, 0);
    for (const flag of ['--out', '--watch', '--port', '--max-samples', '--json']) ok(help.stdout.includes(flag), flag);
  });

  it('writes <run>/report.html by default and says what it wrote as JSON', async () => {
    const res = await runCli(['report', run.dir, '--json']);
    strictEqual(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    strictEqual(out.out, join(run.dir, 'report.html'));
    ok(readFileSync(out.out, 'utf8').startsWith('<!doctype html>'));
    strictEqual(out.runs[0].samples.total, run.samples);
    const text = await runCli(['report', run.dir, run.dir, '--out', join(dir, 'two.html')]);
    strictEqual(text.code, 0, text.stderr);
    ok(text.stdout.startsWith('report: ') && existsSync(join(dir, 'two.html')), text.stdout);
  });

  it('exits 2 with a code for a directory that is not a run, and for bad flags', async () => {
    const missing = await runCli(['report', join(dir, 'nope')]);
    strictEqual(missing.code, 2);
    ok(missing.stderr.includes('REPORT_RUN_NOT_FOUND'), missing.stderr);
    const bad = await runCli(['report', run.dir, '--max-samples', 'lots']);
    strictEqual(bad.code, 2);
    ok(bad.stderr.includes('CLI_USAGE') && bad.stderr.includes('--max-samples'), bad.stderr);
  });

  it('--watch serves the page on 127.0.0.1 until SIGINT', async () => {
    let url = '';
    const res = await runCli(['report', run.dir, '--watch', '--json'], {
      onStdout: (chunk) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          const event = JSON.parse(line);
          if (event.event === 'listening') url = event.url;
        }
      },
      onStart: (child) => {
        const timer = setInterval(async () => {
          if (!url) return;
          clearInterval(timer);
          const page = await fetch(url).then((r) => r.text());
          const data = (await fetch(`${url}data?since=`).then((r) => r.json())) as { data: { runs: Array<{ name: string }> } };
          ok(page.includes('"live":true') && data.data.runs[0].name === 'cli');
          child.kill('SIGINT');
        }, 100);
      },
    });
    strictEqual(res.code, 0, res.stderr);
    ok(url.startsWith('http://127.0.0.1:'), url);
  });
});
