// planCharts: every metric name lands in exactly one chart; known names in their charts, unknown ones still shown.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { planCharts } from '@molrl/report';

describe('planCharts', () => {
  const keys = ['reward/mean', 'reward/std', 'reward/status/ok', 'reward/status/infra_error', 'reward/status/plugin_error', 'reward/reward:code-execution', 'reward/reward:code-execution/correct', 'reward/reward:format/ok', 'loss', 'sft/loss', 'kl', 'clip_fraction', 'clip_fraction/low', 'entropy', 'completion/length_mean', 'completion/clipped_ratio', 'time/train', 'time/generate', 'time/score', 'time/step', 'eval/reward/mean', 'eval/reward/std', 'eval/pass@1', 'eval/greedy/accuracy/faulted', 'brand_new/metric', 'weird'];
  const plan = planCharts(keys);
  const byId = Object.fromEntries(plan.map((c) => [c.id, c]));

  it('puts every key in exactly one chart (a band std is the shade of its mean)', () => {
    const placed = plan.flatMap((c) => [...c.keys, ...(c.band ? [c.band.std] : [])]);
    deepStrictEqual([...placed].sort(), [...keys].sort());
  });
  it('groups the known metrics', () => {
    deepStrictEqual(byId.reward.keys, ['reward/mean']);
    deepStrictEqual(byId.reward.band, { mean: 'reward/mean', std: 'reward/std' });
    deepStrictEqual(byId.status.keys, ['reward/status/ok', 'reward/status/infra_error', 'reward/status/plugin_error']);
    deepStrictEqual(byId['components:reward:code-execution'].keys, ['reward/reward:code-execution/correct']);
    ok(byId['components:reward:format']);
    deepStrictEqual(byId.loss.keys, ['loss', 'sft/loss']);
    deepStrictEqual(byId.clip.keys, ['clip_fraction', 'clip_fraction/low']);
    deepStrictEqual(byId['time-split'].keys, ['time/generate', 'time/score', 'time/train']);
    strictEqual(byId['time-split'].stack, true);
    deepStrictEqual(byId['eval-reward'].keys, ['eval/reward/mean', 'eval/pass@1']);
  });
  it('shows metric names no rule knows, grouped by prefix, after the known groups', () => {
    deepStrictEqual(byId['other:brand_new'].keys, ['brand_new/metric']);
    deepStrictEqual(byId['other:weird'].keys, ['weird']);
    strictEqual(plan.at(-1)!.group, 'Other');
  });
});
