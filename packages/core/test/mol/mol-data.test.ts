// Batch order of the MoL phase (seeded epochs, resumable) and the phase's config resolution (epochs -> steps).
import { deepStrictEqual, notDeepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchAt, loadMolData, validateJobConfig } from '@molrl/core';

const items = Array.from({ length: 10 }, (_, i) => i);

describe('batchAt', () => {
  it('repeats the same batch for the same seed and step (resume)', () => {
    deepStrictEqual(batchAt(items, 4, 7, 1, 0), batchAt(items, 4, 7, 1, 0));
    notDeepStrictEqual(batchAt(items, 4, 1, 1, 0), batchAt(items, 4, 1, 2, 0));
  });
  it('visits every trace once per epoch', () => {
    const epoch = [...batchAt(items, 5, 1, 3, 0), ...batchAt(items, 5, 2, 3, 0)];
    deepStrictEqual([...epoch].sort((a, b) => a - b), items);
  });
});

function traceLine(id: string): string {
  return JSON.stringify({ id, messages: [{ role: 'user', content: 'task' }, { role: 'assistant', content: 'code' }, { role: 'user', content: 'Observation: 1' }] });
}

describe('MoL phase config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'molrl-mol-'));
  writeFileSync(join(dir, 'traces.jsonl'), `${Array.from({ length: 10 }, (_, i) => traceLine(`t${i}`)).join('\n')}\nnot json\n`);
  writeFileSync(join(dir, 'train.jsonl'), '{"id":"a","prompt":"1+1","groundTruth":"2"}\n');
  const job = (phase: object) => ({
    model: 'tiny',
    server: { start: {} },
    dataset: { train: 'train.jsonl' },
    rewards: [{ plugin: 'reward:format', weight: 1 }],
    phases: [phase, { type: 'grpo', estimator: 'dr_grpo', steps: 2 }],
  });

  it('resolves epochs to steps over the training traces and makes paths absolute', () => {
    const c = validateJobConfig(job({ type: 'mol', epochs: 2, batchSize: 4, learningRate: 1e-3, modelType: 'non-cot', dataset: 'traces.jsonl', validation: { fraction: 0.2 } }), dir);
    const p = c.phases[0] as { steps: number; epochs?: number; dataset: string; variant: string; maxTokens: number };
    strictEqual(p.steps, 4); // 8 training traces (2 held out) x 2 epochs / 4
    strictEqual(p.epochs, undefined);
    strictEqual(p.dataset, join(dir, 'traces.jsonl'));
    deepStrictEqual([p.variant, p.maxTokens], ['mol', 8192]);
  });

  it('rejects both steps and epochs, unknown keys and a bad variant with their paths', () => {
    throws(
      () => validateJobConfig(job({ type: 'mol', steps: 2, epochs: 1, learningRate: 1e-3, modelType: 'cot', dataset: 'traces.jsonl', varient: 'ce', variant: 'kl' }), dir),
      (e: Error & { code: string }) => e.code === 'CONFIG_INVALID' && /phases\[0\]/.test(e.message) && /varient/.test(e.message) && /variant/.test(e.message),
    );
    throws(
      () => validateJobConfig(job({ type: 'mol', steps: 2, epochs: 1, learningRate: 1e-3, modelType: 'cot', dataset: 'traces.jsonl' }), dir),
      (e: Error & { code: string; path: string }) => e.code === 'CONFIG_INVALID' && e.path === 'phases[0].steps',
    );
  });

  it('holds out a seeded validation share and reports bad lines in the summary', () => {
    const d = loadMolData({ dataset: join(dir, 'traces.jsonl'), modelType: 'non-cot', variant: 'mol', maxTokens: 8192, truncate: 'turn', bytesPerToken: 1, validation: { fraction: 0.3, every: 1 } }, 0);
    strictEqual(d.train.length + d.validation.length, 10);
    strictEqual(d.validation.length, 3);
    strictEqual(d.summary.bad[0].line, 11);
    ok(d.validation.every((v) => !d.train.includes(v)));
  });
});
