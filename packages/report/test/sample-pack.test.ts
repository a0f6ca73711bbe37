// packSamples / pickSteps / filterSamples: the sample browser's data is reduced by whole steps (evenly, first and
// last kept, every errored sample kept), long texts are cut, prompts are stored once; the filter is exact.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { filterSamples, packSamples, pickSteps } from '@molrl/report';

const line = (step: number, i: number, extra: Record<string, unknown> = {}) => ({ step, promptId: `p${step % 3}`, prompt: `prompt ${step % 3}`, index: i, completion: `c${step}-${i}`, score: i % 2, status: 'ok', rewards: { 'reward:x': { score: i % 2, status: 'ok', components: { a: 1 } } }, ...extra });

describe('packSamples', () => {
  it('keeps everything under the budget, prompts once', () => {
    const lines = [1, 2, 3].flatMap((s) => [0, 1].map((i) => line(s, i)));
    const { info, packed } = packSamples(lines, { maxSamples: 100 });
    strictEqual(info.kept, 6);
    strictEqual(packed.prompts.length, 3);
    strictEqual(packed.samples[0].rw['reward:x'].components.a, 1);
  });
  it('above the budget keeps whole steps evenly spaced with the first and the last, and every errored sample', () => {
    const lines = Array.from({ length: 100 }, (_, s) => [0, 1, 2, 3].map((i) => line(s + 1, i, s === 49 && i === 0 ? { status: 'infra_error', score: null } : {}))).flat();
    const { info, packed } = packSamples(lines, { maxSamples: 40 });
    const steps = [...new Set(packed.samples.map((s) => s.s))];
    ok(steps.includes(1) && steps.includes(100), String(steps));
    ok(packed.samples.some((s) => s.st === 'infra_error'), 'the errored sample is kept');
    ok(info.kept <= 40 + 1, `${info.kept}`);
    for (const step of steps.filter((s) => s !== 50)) strictEqual(packed.samples.filter((s) => s.s === step).length, 4, `step ${step} whole`);
    strictEqual(info.total, 400);
  });
  it('cuts long texts and counts them', () => {
    const { info, packed } = packSamples([line(1, 0, { completion: 'x'.repeat(500), feedback: 'y'.repeat(50) })], { maxTextChars: 100 });
    ok(packed.samples[0].c.startsWith('x'.repeat(100)) && packed.samples[0].c.includes('400 more characters'));
    strictEqual(packed.samples[0].fb, 'y'.repeat(50));
    strictEqual(info.truncatedTexts, 1);
  });
  it('takes prompts from a lookup when the lines carry none', () => {
    const { packed } = packSamples([{ ...line(1, 0), prompt: undefined }], {}, new Map([['p1', 'from dataset']]));
    deepStrictEqual(packed.prompts, ['from dataset']);
  });
});

describe('pickSteps', () => {
  it('spreads the picked steps over the run', () => {
    const counts = new Map(Array.from({ length: 9 }, (_, i) => [i * 10, 1]));
    deepStrictEqual([...pickSteps(counts, 3)].sort((a, b) => a - b), [0, 40, 80]);
  });
});

describe('filterSamples', () => {
  const { packed } = packSamples([line(1, 0), line(1, 1), line(2, 0, { status: 'plugin_error', score: null, feedback: 'Traceback: boom' })]);
  it('filters by step, status, reward bounds (unscored never pass a bound) and text', () => {
    deepStrictEqual(filterSamples(packed, { step: 1 }), [0, 1]);
    deepStrictEqual(filterSamples(packed, { status: 'plugin_error' }), [2]);
    deepStrictEqual(filterSamples(packed, { minReward: 0.5 }), [1]);
    deepStrictEqual(filterSamples(packed, { maxReward: 0 }), [0]);
    deepStrictEqual(filterSamples(packed, { query: 'BOOM' }), [2]);
    deepStrictEqual(filterSamples(packed, { query: 'prompt 1' }), [0, 1]);
  });
});
