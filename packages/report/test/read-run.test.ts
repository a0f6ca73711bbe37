// readRun / metricColumns / phaseSpans: a run store read while it is written (torn last line), a crashed one
// (no state.json), and phases from the config or, without one, from the lines.
import { deepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricColumns, phaseSpans, readRun } from '@molrl/report';

describe('readRun', () => {
  it('reads a running run: the torn last line is skipped and said, the run is unfinished', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-read-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ phases: [{ type: 'sft', steps: 4 }, { type: 'grpo', steps: 2 }] }));
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":2,"phase":0,"phaseType":"sft","sft/loss":1.5}\n{"step":4,"phase":0,"sft/loss":0.5,"kl":null}\nnot json\n{"step":5,"pha');
    const { run, sampleLines } = readRun(dir);
    strictEqual(run.status, 'unfinished');
    strictEqual(run.metricLines, 2);
    strictEqual(run.lastStep, 4);
    strictEqual(run.totalSteps, 6);
    deepStrictEqual(run.metrics['sft/loss'], { s: [2, 4], v: [1.5, 0.5] });
    deepStrictEqual(run.metrics.kl, { s: [4], v: [null] });
    ok(run.notes.some((n) => n.includes('last line is incomplete')), run.notes.join());
    ok(run.notes.some((n) => n.includes('1 line(s)')), run.notes.join());
    ok(run.notes.some((n) => n.includes('samples.jsonl does not exist')), run.notes.join());
    deepStrictEqual(sampleLines, []);
    appendFileSync(join(dir, 'metrics.jsonl'), 'se":1}\n');
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ finished: true }));
    const again = readRun(dir).run;
    strictEqual(again.status, 'finished');
    strictEqual(again.lastStep, 5);
  });
  it('refuses a directory without config.json (REPORT_RUN_NOT_FOUND)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-read-'));
    mkdirSync(join(dir, 'x'));
    throws(() => readRun(join(dir, 'x')), (e: { code?: string }) => e.code === 'REPORT_RUN_NOT_FOUND');
  });
});

describe('metricColumns and phaseSpans', () => {
  it('keeps numbers and nulls, drops strings and coordinates', () => {
    deepStrictEqual(metricColumns([{ step: 1, phase: 0, phaseType: 'grpo', time: 't', a: 0.123456789, b: null }, { a: 1 }]), { a: { s: [1], v: [0.123457] }, b: { s: [1], v: [null] } });
  });
  it('spans phases from the config, else from the lines', () => {
    deepStrictEqual(phaseSpans({ phases: [{ type: 'mol', steps: 3, name: 'feedback' }, { type: 'grpo', steps: 2 }] }, []), [
      { index: 0, type: 'mol', name: 'feedback', start: 0, end: 3 },
      { index: 1, type: 'grpo', start: 3, end: 5 },
    ]);
    deepStrictEqual(phaseSpans(null, [{ step: 10, phase: 0, phaseType: 'sft' }, { step: 20, phase: 0 }, { step: 21, phase: 1, phaseType: 'grpo' }]), [
      { index: 0, type: 'sft', start: 9, end: 20 },
      { index: 1, type: 'grpo', start: 20, end: 21 },
    ]);
  });
});
