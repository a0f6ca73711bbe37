// Smoke test of the HF quickstart (examples/quickstart-hf/config.json with few steps): a random-initialised
// Qwen3-architecture model through transformers, SFT -> Dr.GRPO with reward:code-execution in the Docker sandbox,
// checkpoints as Hugging Face directories, and `molrl export` of the run. Asserts the pipeline, not learning.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, pythonModulesMissing, skipUnless } from './helpers/requirements.ts';
import { runCli } from './helpers/run-cli.ts';

const example = fileURLToPath(new URL('../examples/quickstart-hf/', import.meta.url));
const data = fileURLToPath(new URL('../examples/quickstart/', import.meta.url));
const jsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

describe('quickstart-hf pipeline (smoke)', function () {
  this.timeout(300_000);
  let dir: string;
  let configFile: string;
  before(async function () {
    skipUnless(this, await pythonModulesMissing('torch', 'transformers', 'tokenizers'), 'the HF quickstart trains a transformers model');
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'the quickstart scores code in the Docker sandbox');
    dir = mkdtempSync(join(tmpdir(), 'molrl-quickstart-hf-'));
    const config = JSON.parse(readFileSync(join(example, 'config.json'), 'utf8'));
    delete config.$schema;
    config.runsDir = dir;
    config.dataset = { train: join(data, 'train.jsonl'), eval: join(data, 'eval.jsonl') };
    config.phases[0] = { ...config.phases[0], data: join(data, 'sft.jsonl'), steps: 10, logEvery: 5 };
    config.phases[1] = { ...config.phases[1], steps: 2, promptsPerStep: 4 };
    config.eval = { ...config.eval, every: 0, samples: 8, runs: 1 };
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
  });

  it('validates, trains SFT -> Dr.GRPO, checkpoints Hugging Face directories and exports them', async () => {
    const valid = await runCli(['validate', join(example, 'config.json')]);
    strictEqual(valid.code, 0, valid.stderr);
    const run = await runCli(['train', '--config', configFile]);
    strictEqual(run.code, 0, run.stderr);
    const runDir = join(dir, 'quickstart-hf');
    const steps = jsonl(join(runDir, 'metrics.jsonl')).filter((m) => m.phaseType === 'grpo' && m['reward/mean'] !== undefined);
    deepStrictEqual(steps.map((m) => m.step), [11, 12]);
    for (const m of steps) {
      strictEqual(m['reward/status/infra_error'], 0);
      ok(m['logprob/mismatch_max'] === null || m['logprob/mismatch_max'] < 1e-3, `sampler/trainer mismatch ${m['logprob/mismatch_max']}`);
    }
    const last = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')).checkpoint as string;
    ok(readdirSync(last).includes('model'), 'full fine-tuning writes a save_pretrained model/ directory');
    const out = join(dir, 'export');
    const exported = await runCli(['export', runDir, '--out', out, '--json']);
    strictEqual(exported.code, 0, exported.stderr);
    ok(existsSync(join(out, 'config.json')) && existsSync(join(out, 'tokenizer.json')));
  });
});
