// The final summary table of `molrl train` and the eval presets of `molrl eval`.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { evalSettings, SAMPLING_PRESETS } from '../src/commands/eval.ts';
import { formatDuration } from '../src/train-progress.ts';
import { formatTrainSummary } from '../src/train-summary.ts';

describe('formatTrainSummary', () => {
  it('compares the first and the last eval, per class, with the run path and time', () => {
    const text = formatTrainSummary(
      [
        { step: 1000, 'eval/temperature': 1, 'eval/reward/mean': 0.72, 'eval/greedy/accuracy/faulted': 0.02, 'eval/greedy/accuracy/rest': 0.98 },
        { step: 1080, 'eval/temperature': 1, 'eval/reward/mean': 0.9, 'eval/greedy/accuracy/faulted': 0.91, 'eval/greedy/accuracy/rest': 0.97 },
      ],
      'runs/quickstart',
      185,
    );
    const lines = text.trim().split('\n');
    ok(lines[0].includes('step 1000') && lines[0].includes('step 1080'));
    ok(/eval reward \(T=1\)\s+0\.720\s+0\.900/.test(text), text);
    ok(/greedy accuracy: faulted\s+0\.020\s+0\.910/.test(text), text);
    strictEqual(lines.at(-2), 'run: runs/quickstart');
    strictEqual(lines.at(-1), 'time: 3m05s');
  });
  it('prints only the run and time without evals', () => {
    strictEqual(formatTrainSummary([], 'runs/x', 5), 'run: runs/x\ntime: 5s\n');
  });
  it('formats durations', () => {
    strictEqual(formatDuration(59.6), '1m00s');
    strictEqual(formatDuration(3), '3s');
  });
});

describe('evalSettings', () => {
  it("the qwen3 preset is the paper's sampling, keeping the config's maxTokens", () => {
    const s = evalSettings({ every: 0, samples: 10, runs: 1, sampling: { maxTokens: 8192, temperature: 1 }, greedy: false, correctThreshold: 1 }, { preset: 'qwen3', runs: 3 });
    deepStrictEqual(s.sampling, { maxTokens: 8192, temperature: 0.6, topP: 0.95, topK: 20, presencePenalty: 1.0 });
    strictEqual(s.runs, 3);
    deepStrictEqual(SAMPLING_PRESETS.qwen3, { temperature: 0.6, topP: 0.95, topK: 20, presencePenalty: 1.0 });
  });
});
