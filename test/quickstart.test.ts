// Smoke test of the quickstart pipeline (examples/quickstart/config.json with few steps): SFT -> Dr.GRPO with
// reward:code-execution in the Docker sandbox through `molrl train`; metrics and samples are written, Ctrl-C
// checkpoints and exits 130, and --resume finishes the run. Asserts the pipeline, not timings or learning.
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerMissing, skipUnless, torchMissing } from './helpers/requirements.ts';
import { runCli } from './helpers/run-cli.ts';

const example = fileURLToPath(new URL('../examples/quickstart/', import.meta.url));
const jsonl = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) : []);

describe('quickstart pipeline (smoke)', function () {
  this.timeout(300_000);
  let dir: string;
  let configFile: string;
  before(async function () {
    skipUnless(this, await torchMissing(), 'the quickstart trains the tiny model in the policy server, which needs PyTorch');
    skipUnless(this, await dockerMissing('molrl/sandbox-python:0.1.0'), 'the quickstart scores code in the Docker sandbox');
    dir = mkdtempSync(join(tmpdir(), 'molrl-quickstart-'));
    const config = JSON.parse(readFileSync(join(example, 'config.json'), 'utf8'));
    delete config.$schema;
    config.runsDir = dir;
    config.dataset = { train: join(example, 'train.jsonl'), eval: join(example, 'eval.jsonl') };
    config.phases[0] = { ...config.phases[0], data: join(example, 'sft.jsonl'), steps: 20, warmupSteps: 5, logEvery: 10 };
    config.phases[1] = { ...config.phases[1], steps: 4, warmupSteps: 1, promptsPerStep: 4 };
    config.eval = { ...config.eval, every: 2, samples: 12, runs: 1 };
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
  });

  it('trains, is interrupted with Ctrl-C (exit 130), resumes, and writes the metrics', async () => {
    const runDir = join(dir, 'quickstart');
    const first = await runCli(['train', '--config', configFile], {
      onStart: (child) => {
        const timer = setInterval(() => {
          if (jsonl(join(runDir, 'metrics.jsonl')).some((m) => m.phaseType === 'grpo' && m['reward/mean'] !== undefined)) {
            clearInterval(timer);
            child.kill('SIGINT');
          }
        }, 100);
        child.on('exit', () => clearInterval(timer));
      },
    });
    strictEqual(first.code, 130, first.stderr);
    ok(first.stderr.includes(`molrl train --resume ${runDir}`), first.stderr);

    const second = await runCli(['train', '--resume', runDir]);
    strictEqual(second.code, 0, second.stderr);
    ok(second.stdout.includes('greedy accuracy: faulted') && second.stdout.includes('run:'), second.stdout);

    const metrics = jsonl(join(runDir, 'metrics.jsonl'));
    const steps = metrics.filter((m) => m.phaseType === 'grpo' && m['reward/mean'] !== undefined);
    deepStrictEqual(steps.map((m) => m.step), [21, 22, 23, 24]);
    for (const m of steps) {
      for (const key of ['reward/reward:code-execution/correct', 'reward/status/ok', 'loss', 'grad_norm', 'completion/length_mean', 'time/generate', 'time/score', 'time/train']) ok(key in m, key);
      strictEqual(m['reward/status/infra_error'], 0, 'sandbox infra errors');
    }
    const evals = metrics.filter((m) => m['eval/reward/mean'] !== undefined);
    deepStrictEqual(evals.map((m) => m.step), [20, 22, 24]);
    for (const e of evals) for (const key of ['eval/greedy/accuracy/faulted', 'eval/greedy/accuracy/rest']) ok(typeof e[key] === 'number', key);
    const samples = jsonl(join(runDir, 'samples.jsonl'));
    strictEqual(samples.length, 4 * 4 * 8);
    ok(samples.every((s) => s.rewards['reward:code-execution'].status === 'ok'));
    strictEqual(JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8')).finished, true);
  });
});
