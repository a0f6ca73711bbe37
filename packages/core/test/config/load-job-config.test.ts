// Tests of validateJobConfig / loadJobConfig: defaults, paths, every problem with its path, frozen result.
import { deepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJobConfig, validateJobConfig, type GrpoPhaseConfig, type SftPhaseConfig } from '@molrl/core';

const minimal = () => ({
  model: 'tiny',
  server: { start: {} },
  dataset: { train: 'data/train.jsonl' },
  rewards: [{ plugin: 'reward:code-execution' }],
  phases: [{ type: 'grpo', estimator: 'dr_grpo', steps: 3 }],
});

const problemsOf = (data: unknown): string[] => {
  try {
    validateJobConfig(data, '/base');
  } catch (error) {
    strictEqual((error as { code: string }).code, 'CONFIG_INVALID');
    return (error as { details: { problems: string[] } }).details.problems;
  }
  throw new Error('expected CONFIG_INVALID');
};

describe('validateJobConfig', () => {
  it('applies defaults, resolves paths and freezes', () => {
    const c = validateJobConfig(minimal(), '/base');
    const p = c.phases[0] as GrpoPhaseConfig;
    strictEqual(p.groupSize, 8);
    strictEqual(p.promptsPerStep, 16);
    strictEqual(p.lossType, 'dr_grpo');
    deepStrictEqual(p.clip, { low: 0.2, high: 0.2 });
    strictEqual(p.dropZeroVarianceGroups, false);
    strictEqual(c.dataset.train, '/base/data/train.jsonl');
    strictEqual(c.runsDir, '/base/runs');
    strictEqual(c.seed, 0);
    strictEqual(c.sandbox.backend, 'docker');
    ok(Object.isFrozen(c) && Object.isFrozen(c.phases[0]));
  });

  it('grpo estimator defaults to the grpo loss', () => {
    const c = validateJobConfig({ ...minimal(), phases: [{ type: 'grpo', steps: 1 }] }, '/base');
    strictEqual((c.phases[0] as GrpoPhaseConfig).lossType, 'grpo');
    strictEqual((c.phases[0] as GrpoPhaseConfig).estimator, 'grpo');
  });

  it('sft phases resolve their data path', () => {
    const c = validateJobConfig({ ...minimal(), phases: [{ type: 'sft', data: 'demos.jsonl', steps: 2, learningRate: 1e-3 }] }, '/base');
    const p = c.phases[0] as SftPhaseConfig;
    strictEqual(p.data, '/base/demos.jsonl');
    strictEqual(p.schedule, 'cosine');
  });

  it('reports every problem with its path', () => {
    const problems = problemsOf({
      ...minimal(),
      server: { start: {}, url: 'http://x' },
      phases: [{ type: 'grpo', steps: 0, groupSize: 1, extra: 1 }, { type: 'nope' }],
      seed: -1,
    });
    for (const prefix of ['phases[0].steps:', 'phases[0].groupSize:', 'phases[0]: unexpected property "extra"', 'phases[1].type:', 'seed:', 'server: give exactly one']) {
      ok(problems.some((p) => p.startsWith(prefix)), `missing ${prefix} in ${JSON.stringify(problems)}`);
    }
  });

  it('GRPO algorithm options: defaults that keep the old step, and the problems the schema cannot state', () => {
    const p = validateJobConfig(minimal(), '/base').phases[0] as GrpoPhaseConfig;
    deepStrictEqual([p.updatesPerBatch, p.miniBatches, p.maskTruncated, p.rewardAggregation, p.overlong, p.dynamicSampling], [1, 1, false, 'sum_then_normalize', undefined, undefined]);
    const on = validateJobConfig({ ...minimal(), phases: [{ type: 'grpo', steps: 1, lossType: 'cispo', overlong: { buffer: 8 }, dynamicSampling: {} }] }, '/base').phases[0] as GrpoPhaseConfig;
    deepStrictEqual([on.lossType, on.overlong, on.dynamicSampling], ['cispo', { buffer: 8, penalty: 1 }, { maxGenerationRounds: 3 }]);
    const schema = problemsOf({ ...minimal(), phases: [{ type: 'grpo', steps: 1, updatesPerBatch: 0, lossType: 'ppo', rewardAggregation: 'mean', overlong: { penalty: 1 } }] });
    const resolved = problemsOf({
      ...minimal(),
      phases: [{ type: 'grpo', steps: 1, promptsPerStep: 2, groupSize: 2, miniBatches: 5, sampling: { maxTokens: 16 }, overlong: { buffer: 16 }, dynamicSampling: { maxGenerationRounds: 2 }, dropZeroVarianceGroups: true, tisCap: 2 }],
    });
    const problems = [...schema, ...resolved];
    for (const prefix of ['phases[0].updatesPerBatch:', 'phases[0].lossType:', 'phases[0].rewardAggregation:', 'phases[0].overlong:', 'phases[0].miniBatches:', 'phases[0].overlong.buffer:', 'phases[0].dropZeroVarianceGroups:', 'phases[0].tisCap:']) {
      ok(problems.some((q) => q.startsWith(prefix)), `missing ${prefix} in ${JSON.stringify(problems)}`);
    }
  });

  it('refuses a std scale with the dr_grpo estimator', () => {
    const problems = problemsOf({ ...minimal(), phases: [{ type: 'grpo', estimator: 'dr_grpo', scale: 'batch', steps: 1 }] });
    ok(problems[0].startsWith('phases[0].scale:'));
  });

  it('asks for an explicit KL reference when an earlier phase trained the model', () => {
    const sft = { type: 'sft', data: 'demos.jsonl', steps: 2, learningRate: 1e-3 };
    const problems = problemsOf({ ...minimal(), phases: [sft, { type: 'grpo', steps: 1, beta: 0.1 }] });
    deepStrictEqual(problems.map((p) => p.split(':')[0]), ['phases[1].reference']);
    ok(problems[0].includes('"base"') && problems[0].includes('"phase-start"'), problems[0]);
    const ok1 = validateJobConfig({ ...minimal(), phases: [sft, { type: 'grpo', steps: 1, beta: 0.1, reference: 'phase-start', resetOptimizer: true }] }, '/base');
    deepStrictEqual([(ok1.phases[1] as GrpoPhaseConfig).reference, ok1.phases[1].resetOptimizer, ok1.phases[0].resetOptimizer], ['phase-start', true, false]);
    validateJobConfig({ ...minimal(), phases: [{ type: 'grpo', steps: 1, beta: 0.1 }] }, '/base'); // first phase: the base is the phase start
    validateJobConfig({ ...minimal(), phases: [sft, { type: 'grpo', steps: 1 }] }, '/base'); // no KL term: nothing to choose
    ok(problemsOf({ ...minimal(), phases: [sft, { type: 'sft', data: 'd.jsonl', steps: 1, learningRate: 1, reference: 'base' }] })[0].startsWith('phases[1]: unexpected property "reference"'));
  });

  it('checks each phase schedule: a warm-up or decay needs a rate, warm-up fits in the steps', () => {
    const problems = problemsOf({ ...minimal(), phases: [{ type: 'grpo', steps: 4, schedule: 'cosine' }, { type: 'sft', data: 'd.jsonl', steps: 3, learningRate: 1e-3, warmupSteps: 5 }] });
    deepStrictEqual(problems.map((p) => p.split(':')[0]), ['phases[0].learningRate', 'phases[1].warmupSteps']);
  });

  it('reports schema problems of one phase and resolve problems of another together', () => {
    const problems = problemsOf({ ...minimal(), phases: [{ type: 'grpo', steps: 0 }, { type: 'grpo', estimator: 'rloo', scale: 'none', steps: 1 }] });
    deepStrictEqual(problems.map((p) => p.split(':')[0]), ['phases[0].steps', 'phases[1].scale']);
  });

  it('does not modify its input', () => {
    const input = minimal();
    validateJobConfig(input, '/base');
    deepStrictEqual(input, minimal());
  });
});

describe('loadJobConfig', () => {
  it('reads YAML relative to the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-cfg-'));
    const file = join(dir, 'job.yaml');
    writeFileSync(file, 'model: tiny\nserver: { url: "http://127.0.0.1:8100" }\ndataset: { train: t.jsonl }\nrewards: [{ plugin: "reward:format" }]\nphases:\n  - { type: grpo, steps: 2 }\n');
    const c = loadJobConfig(file);
    strictEqual(c.dataset.train, join(dir, 't.jsonl'));
    strictEqual(c.server.url, 'http://127.0.0.1:8100');
  });
  it('fails with FILE_UNREADABLE for a missing file', () => {
    throws(() => loadJobConfig('/nonexistent/job.json'), { code: 'FILE_UNREADABLE' });
  });
});
