// The live view of `molrl train`: on a TTY the status block is redrawn in place (checked on a small terminal model
// that applies the escape sequences the renderer wrote), messages scroll above it; without a TTY (or with --json)
// plain lines, no escape sequences.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { PhaseConfig, SandboxUsage } from '@molrl/core';
import { TrainProgress } from '../src/train-progress.ts';
import { screen } from '../../../test/helpers/terminal-screen.ts';

/** A stream that records writes and says it is a terminal of `columns` (or not). */
function fakeStream(tty: boolean, columns = 120): NodeJS.WriteStream & { out: string } {
  const s = { out: '', isTTY: tty, columns, write(chunk: string) {
    s.out += chunk;
    return true;
  } };
  return s as unknown as NodeJS.WriteStream & { out: string };
}

const grpo = { type: 'grpo', steps: 50 } as unknown as PhaseConfig;
const sft = { type: 'sft', steps: 100 } as unknown as PhaseConfig;

describe('TrainProgress', () => {
  it('redraws one status block in place on a TTY, with messages above it', () => {
    const stream = fakeStream(true);
    let t = 0;
    const usage: SandboxUsage = { busy: 3, peak: 8, capacity: 8, runs: 1280 };
    const p = new TrainProgress({ stream, tty: true, refreshMs: 0, now: () => t });
    p.start({ phases: 2, sandbox: () => usage });
    p.line('run: runs/quickstart');
    for (let step = 50; step <= 100; step += 50) {
      t += 1000;
      p.update(0, sft, { step, total: 100, metrics: { loss: 1 / step } });
    }
    p.metrics({ step: 101, 'reward/mean': 0.5, 'reward/std': 0.25, 'throughput/generate_tokens_per_s': 1234.4 });
    t += 2000;
    p.update(1, grpo, { step: 1, total: 50, metrics: { reward: 0.5, loss: 0.01 } });
    p.eval({ step: 101, 'eval/temperature': 1, 'eval/reward/mean': 0.7, 'eval/pass@1': 0.6, 'eval/greedy/accuracy': 0.65 });
    t += 2000;
    p.update(1, grpo, { step: 2, total: 50, metrics: { reward: 0.625, loss: 0.02 } });
    const rows = screen(stream.out);
    strictEqual(rows[0], 'run: runs/quickstart');
    ok(rows[1].startsWith('eval @ step 101: reward (T=1) 0.700  pass@1 0.600'), rows[1]);
    ok(rows[2].startsWith('grpo · phase 2/2  [#-----------------------]  step 2/50  ETA 48s  (elapsed 6s)'), rows[2]);
    strictEqual(rows[3], 'reward 0.625 ± 0.250  loss 0.020   ·   last eval @101: reward 0.700  pass@1 0.600  greedy 0.650');
    strictEqual(rows[4], 'sandbox 3 in flight on 8 slots (run peak 8, 1,280 runs)   ·   server 1,234 tokens/s');
    strictEqual(rows.length, 5, `one block only, got:\n${rows.join('\n')}`);
    ok(/\x1b\[2A\x1b\[J/.test(stream.out), 'redrawn by moving up over the block and clearing');
    p.done();
    deepStrictEqual(screen(stream.out).slice(2), [''], 'done() erases the block');
  });

  it('cuts lines to the terminal width so the redraw arithmetic holds', () => {
    const stream = fakeStream(true, 50);
    const p = new TrainProgress({ stream, tty: true, refreshMs: 0, now: () => 0 });
    p.update(0, grpo, { step: 1, total: 50, metrics: { reward: 0.5, loss: 0.01, kl: 0.2, entropy: 1.5, clip: 0.1 } });
    for (const row of screen(stream.out)) ok(row.length <= 49, row);
    p.done();
  });

  it('prints plain lines without escape sequences when not a TTY (and with --json)', () => {
    const stream = fakeStream(true);
    const usage: SandboxUsage = { busy: 0, peak: 6, capacity: null, runs: 64 };
    const p = new TrainProgress({ stream, tty: false, now: () => 0 });
    p.start({ phases: 1, sandbox: () => usage });
    p.metrics({ step: 1, 'throughput/generate_tokens_per_s': 99.6 });
    p.update(0, grpo, { step: 1, total: 50, metrics: { reward: 0.5, loss: 0.01 } });
    p.eval({ step: 1, 'eval/temperature': 1, 'eval/reward/mean': 0.7, 'eval/pass@1': 0.6 });
    p.done();
    ok(!stream.out.includes('\x1b'), JSON.stringify(stream.out));
    deepStrictEqual(stream.out.split('\n'), ['grpo 1/50  (phase 1/1)  reward 0.500  loss 0.010  sandbox peak 6 in flight  server 100 tok/s  ETA -', 'eval @ step 1: reward (T=1) 0.700  pass@1 0.600  ', '']);
  });
});
