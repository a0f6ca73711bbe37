// `molrl validate`: exit 0 for a valid config, exit 2 with every problem and its path otherwise; --json.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../../test/helpers/run-cli.ts';

describe('molrl validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'molrl-validate-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [{ type: 'grpo', steps: 0, groupSize: 'eight' }], eval: { evry: 3 } }));

  it('accepts the quickstart config', async () => {
    const run = await runCli(['validate', 'examples/quickstart/config.json']);
    strictEqual(run.code, 0, run.stderr);
    ok(run.stdout.includes('valid'));
  });

  it('prints every problem with its path and exits 2', async () => {
    const run = await runCli(['validate', bad]);
    strictEqual(run.code, 2);
    for (const p of ['phases[0].steps: must be >= 1', 'phases[0].groupSize: must be integer', 'eval: unexpected property "evry"']) ok(run.stderr.includes(p), `${p} not in ${run.stderr}`);
  });

  it('--json gives the problems as data', async () => {
    const run = await runCli(['validate', bad, '--json']);
    strictEqual(run.code, 2);
    const out = JSON.parse(run.stdout);
    strictEqual(out.valid, false);
    strictEqual(out.problems.length, 3);
  });

  it('validates reward plugin options against the plugin schema, naming the path and allowed keys', async () => {
    const file = join(dir, 'options.json');
    writeFileSync(file, JSON.stringify({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }, { plugin: 'reward:code-execution', options: { timeoutMs: 120000, schem: 'binary' } }], phases: [{ type: 'grpo', steps: 1 }] }));
    const run = await runCli(['validate', file, '--json']);
    strictEqual(run.code, 2);
    const out = JSON.parse(run.stdout);
    ok(out.problems.includes('rewards[1].options.timeoutMs: must be <= 60000 (got 120000)'), run.stdout);
    ok(out.problems.some((p: string) => p.startsWith('rewards[1].options: unexpected property "schem"; expected one of: scheme,')), run.stdout);
    ok(out.warnings.some((w: string) => w.startsWith('dataset.train: file not found')), run.stdout);
  });

  it("refuses a plugin's per-run memoryMb above the pool containers' memory, naming both values", async () => {
    const file = join(dir, 'memory.json');
    const config = (docker: object) => ({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:code-execution', options: { memoryMb: 2048 } }], sandbox: { backend: 'docker', ...docker }, phases: [{ type: 'grpo', steps: 1 }] });
    writeFileSync(file, JSON.stringify(config({})));
    const run = await runCli(['validate', file, '--json']);
    strictEqual(run.code, 2, run.stderr);
    const out = JSON.parse(run.stdout);
    ok(out.problems.some((p: string) => p.startsWith('rewards[0].options.memoryMb: 2048 MB') && p.includes('sandbox.docker.memoryMb = 1024 MB')), run.stdout);
    writeFileSync(file, JSON.stringify(config({ docker: { memoryMb: 4096 } })));
    strictEqual((await runCli(['validate', file])).code, 0);
  });

  it('refuses a NaN or infinite reward weight (YAML .nan / .inf) instead of reporting null scores', async () => {
    const file = join(dir, 'nan.yaml');
    writeFileSync(file, 'model: tiny\nserver: { start: {} }\ndataset: { train: t.jsonl }\nrewards:\n  - { plugin: reward:format, weight: .nan }\n  - { plugin: reward:format, weight: .inf }\nphases: [{ type: grpo, steps: 1 }]\n');
    const run = await runCli(['validate', file, '--json']);
    strictEqual(run.code, 2, run.stderr);
    const out = JSON.parse(run.stdout);
    ok(out.problems.includes('rewards[0].weight: must be number (got NaN)') && out.problems.includes('rewards[1].weight: must be number (got Infinity)'), run.stdout);
  });

  it("names each phase's problems and missing data files by path", async () => {
    const file = join(dir, 'phases.json');
    const mol = { type: 'mol', dataset: 'traces.jsonl', learningRate: 1e-4, modelType: 'cot', steps: 10, validation: { data: 'val.jsonl' } };
    writeFileSync(file, JSON.stringify({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [mol, { type: 'grpo', steps: 1, beta: 0.1 }] }));
    const bad = await runCli(['validate', file, '--json']);
    strictEqual(bad.code, 2);
    ok(JSON.parse(bad.stdout).problems[0].startsWith('phases[1].reference: '), bad.stdout);
    writeFileSync(file, JSON.stringify({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [mol, { type: 'grpo', steps: 1, beta: 0.1, reference: 'phase-start' }] }));
    const good = await runCli(['validate', file, '--json']);
    strictEqual(good.code, 0, good.stdout);
    const warned = JSON.parse(good.stdout).warnings.map((w: string) => w.split(':')[0]);
    deepStrictEqual(warned, ['dataset.train', 'phases[0].dataset', 'phases[0].validation.data']);
  });

  it('refuses a plugin that needs another sandbox backend', async () => {
    const file = join(dir, 'backend.json');
    writeFileSync(file, JSON.stringify({ model: 'tiny', server: { start: {} }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:code-execution' }], sandbox: { backend: 'isolated-vm' }, phases: [{ type: 'grpo', steps: 1 }] }));
    const run = await runCli(['validate', file]);
    strictEqual(run.code, 2);
    ok(run.stderr.includes("needs a sandbox backend of 'docker' or 'process'"), run.stderr);
  });

  it("checks that the server's Python imports what the model needs", async () => {
    // A Python without site-packages (-S): no torch, no transformers.
    const bare = join(dir, 'bare-python');
    writeFileSync(bare, '#!/bin/sh\nexec python3 -S "$@"\n', { mode: 0o755 });
    const file = join(dir, 'hf.json');
    writeFileSync(file, JSON.stringify({ model: 'hf:Qwen/Qwen3-0.6B', server: { start: { python: bare } }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [{ type: 'grpo', steps: 1 }] }));
    const run = await runCli(['validate', file, '--json']);
    strictEqual(run.code, 2, run.stderr);
    const problem = (JSON.parse(run.stdout).problems as string[]).find((p) => p.startsWith('server.start.python:'));
    ok(problem?.includes(`${bare} cannot import torch, transformers, tokenizers, peft`), run.stdout);
    ok(problem?.includes('npm run setup'), problem);
    writeFileSync(file, JSON.stringify({ model: 'tiny', server: { start: { python: join(dir, 'no-such-python') } }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [{ type: 'grpo', steps: 1 }] }));
    const missing = await runCli(['validate', file]);
    strictEqual(missing.code, 2);
    ok(missing.stderr.includes('no-such-python cannot be run'), missing.stderr);
  });

  it('refuses a learning rate the policy server would refuse, in every phase type and for the server', async () => {
    const file = join(dir, 'lr.json');
    writeFileSync(file, JSON.stringify({ model: 'tiny', server: { start: { lr: 5 } }, dataset: { train: 't.jsonl' }, rewards: [{ plugin: 'reward:format' }], phases: [{ type: 'grpo', steps: 1, learningRate: 1e10 }, { type: 'sft', data: 'd.jsonl', steps: 1, learningRate: 2 }] }));
    const run = await runCli(['validate', file]);
    strictEqual(run.code, 2);
    for (const p of ['phases[0].learningRate: must be <= 1 (got 10000000000)', 'phases[1].learningRate: must be <= 1 (got 2)', 'server.start.lr: must be <= 1 (got 5)']) ok(run.stderr.includes(p), `${p} not in ${run.stderr}`);
  });

  it('exits 2 for a missing file', async () => {
    const run = await runCli(['validate', join(dir, 'missing.json')]);
    strictEqual(run.code, 2);
    ok(run.stderr.includes('FILE_UNREADABLE'));
  });
});
