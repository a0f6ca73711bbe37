// Tests of the SFT learning-rate schedule and demonstration reading.
import { ok, strictEqual, throws } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDemonstrations, sftLearningRate } from '@molrl/core';

describe('sftLearningRate', () => {
  const phase = { learningRate: 1e-3, schedule: 'cosine' as const, warmupSteps: 0, steps: 100 };
  it('cosine: peak at step 1, half at the middle, near 0 at the end', () => {
    strictEqual(sftLearningRate(phase, 1), 1e-3);
    ok(Math.abs(sftLearningRate(phase, 51) - 5e-4) < 1e-12);
    ok(sftLearningRate(phase, 100) > 0 && sftLearningRate(phase, 100) < 1e-6);
  });
  it('linear warm-up, then constant', () => {
    const p = { ...phase, schedule: 'constant' as const, warmupSteps: 4 };
    strictEqual(sftLearningRate(p, 1), 2.5e-4);
    strictEqual(sftLearningRate(p, 4), 1e-3);
    strictEqual(sftLearningRate(p, 90), 1e-3);
  });
});

describe('readDemonstrations', () => {
  it('reads { prompt, completion } and reports bad lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-sft-'));
    writeFileSync(join(dir, 'ok.jsonl'), '{"prompt":"Q: 1+1\\nA:","completion":" 2"}\n');
    strictEqual(readDemonstrations(join(dir, 'ok.jsonl'))[0].completion, ' 2');
    writeFileSync(join(dir, 'bad.jsonl'), '{"prompt":"x"}\n');
    throws(() => readDemonstrations(join(dir, 'bad.jsonl')), (e: Error & { details: { problems: string[] } }) => e.details.problems[0].endsWith(':1: expected { "prompt": string, "completion": string }'));
  });
});
