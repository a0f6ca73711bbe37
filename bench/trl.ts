// npm run bench -- trl: molrl against TRL's GRPOTrainer on the same HF model, task, data and settings, in one run.
// 1. molrl SFT (examples/quickstart-hf: random Qwen3-architecture model, the quickstart demonstrations), saved as a
//    Hugging Face directory; both trainers start from it.
// 2. molrl Dr.GRPO, N steps from that directory (hf:<dir>, full fine-tuning, fp32, one torch thread).
// 3. TRL GRPOTrainer (loss_type="dr_grpo"), N steps from the same directory, the same prompts in the same order,
//    the same reward:code-execution in the same Docker sandbox (bench/trl_grpo.py posts completions to a scoring
//    endpoint served here by @molrl/core's reward engine).
// 4. Both final models: greedy accuracy and sampled reward on the eval split, through the same molrl evaluation.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile } from '@molrl/common';
import { connectServer, createRewardEngine, loadDatasets, runEval, runTrainJob, validateJobConfig, type JobConfig } from '@molrl/core';
import { defaultPython } from '@molrl/policy-client';

const STEPS = 30; // N: GRPO steps of each trainer
// Both trainers start a fresh AdamW from the SFT weights. Its first steps move every weight by about the learning
// rate whatever the gradient (bias-corrected m/sqrt(v) = sign(g)); at the quickstart's 2e-3 that disrupts this
// model in both trainers (a first run of this bench: molrl's reward fell to 0.05 at step 8, TRL's swung 0.54-0.87),
// so the comparison runs at a rate where a fresh optimizer is stable.
const LEARNING_RATE = 5e-4;
const here = fileURLToPath(new URL('.', import.meta.url));
const example = fileURLToPath(new URL('../examples/quickstart-hf/config.json', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const quiet = { info() {}, warn: (m: string) => process.stderr.write(`${m}\n`) };

/** The example's config with `patch` applied; a key patched to undefined is removed. */
function job(raw: Record<string, any>, patch: Record<string, unknown>): JobConfig {
  const merged: Record<string, unknown> = { ...raw, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete merged[k];
  return validateJobConfig(merged, join(example, '..'));
}

function lines(file: string): Record<string, any>[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Eval of the model in `dir` (greedy accuracy per class and reward at T=1), the quickstart's own evaluation. */
async function evaluate(raw: Record<string, any>, dir: string): Promise<Record<string, number | null>> {
  const config = job(raw, { model: `hf:${dir}`, modelConfig: undefined, server: { start: { threads: 1, loraR: 0, gradientCheckpointing: false } } });
  const { client, handle } = await connectServer(config);
  const engine = await createRewardEngine({ rewards: config.rewards, sandbox: config.sandbox });
  try {
    const m = await runEval(client, engine, loadDatasets(config.dataset).eval, config.eval!, { seed: 7, step: 0 });
    return { reward: m['eval/reward/mean'] as number, faulted: m['eval/greedy/accuracy/faulted'] as number, greedy: m['eval/greedy/accuracy'] as number };
  } finally {
    await engine.close();
    await handle?.stop();
  }
}

export default async function bench(): Promise<string> {
  const loadBefore = loadavg()[0];
  const raw = readConfigFile(example) as Record<string, any>;
  delete raw.$schema;
  const work = mkdtempSync(join(tmpdir(), 'molrl-bench-trl-'));
  raw.runsDir = work;
  const [sft, grpo] = raw.phases;
  const grpoPhase = { ...grpo, steps: STEPS, learningRate: LEARNING_RATE };

  // 1. SFT once; its checkpoint's model/ directory is the common start.
  process.stderr.write(`trl bench: molrl SFT (${sft.steps} steps)...\n`);
  const sftRun = await runTrainJob({ config: job(raw, { name: 'sft', phases: [sft], eval: undefined }), logger: quiet });
  const start = join(JSON.parse(readFileSync(join(sftRun.runDir, 'state.json'), 'utf8')).checkpoint, 'model');

  // 2. molrl Dr.GRPO from the SFT model.
  process.stderr.write(`trl bench: molrl Dr.GRPO (${STEPS} steps)...\n`);
  const from = { model: `hf:${start}`, modelConfig: undefined, server: { start: { threads: 1, loraR: 0, gradientCheckpointing: false } } };
  const molrlRun = await runTrainJob({ config: job(raw, { ...from, name: 'molrl', phases: [grpoPhase], eval: undefined }), logger: quiet });
  const metrics = lines(join(molrlRun.runDir, 'metrics.jsonl')).filter((m) => m.phaseType === 'grpo' && typeof m['time/step'] === 'number');
  const molrlWall = metrics.slice(1).map((m, i) => (Date.parse(m.time) - Date.parse(metrics[i].time)) / 1000);
  const molrlRewards = metrics.map((m) => m['reward/mean'] as number);
  const molrlFinal = join(JSON.parse(readFileSync(join(molrlRun.runDir, 'state.json'), 'utf8')).checkpoint, 'model');

  // The prompts molrl drew, step by step, in order: TRL gets exactly these (shuffle off).
  const byId = new Map(lines(join(example, '..', raw.dataset.train)).map((r) => [r.id, r]));
  const samples = lines(join(molrlRun.runDir, 'samples.jsonl'));
  const order: string[] = [];
  for (const s of samples) if (s.index === 0) order.push(s.promptId);
  const data = join(work, 'trl-prompts.jsonl');
  writeFileSync(data, order.map((id) => JSON.stringify(byId.get(id))).join('\n') + '\n');

  // 3. TRL from the same model, scoring through the same reward engine and sandbox.
  const config = job(raw, {});
  const engine = await createRewardEngine({ rewards: config.rewards, sandbox: config.sandbox }, { concurrency: config.scoring.concurrency });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const { samples: batch } = JSON.parse(body) as { samples: { id: string; prompt: string; completion: string; groundTruth: unknown }[] };
      const scored = await Promise.all(batch.map((s) => engine.score({ ...s, promptId: s.id, metadata: {}, step: 0 })));
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ scores: scored.map((s) => s.score) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
  process.stderr.write(`trl bench: TRL GRPOTrainer (${STEPS} steps)...\n`);
  const trlOut = join(work, 'trl-model');
  const trlCfg = { model: start, data, out: trlOut, steps: STEPS, prompts: grpo.promptsPerStep, group: grpo.groupSize, max_tokens: grpo.sampling.maxTokens, lr: LEARNING_RATE, score_url: url, seed: raw.seed };
  const trl = await new Promise<{ start: number; ends: number[]; rewards: number[]; trl: string }>((resolve, reject) => {
    const child = spawn(defaultPython(), [join(here, 'trl_grpo.py'), JSON.stringify(trlCfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`trl_grpo.py exited ${code}`))));
  });
  server.close();
  await engine.close();
  const trlWall = trl.ends.slice(1).map((t, i) => t - trl.ends[i]);

  // 4. The same evaluation of both final models.
  process.stderr.write('trl bench: evaluating both final models...\n');
  const evalMolrl = await evaluate(raw, molrlFinal);
  const evalTrl = await evaluate(raw, trlOut);

  const versions = execFileSync(defaultPython(), ['-c', 'import torch, transformers, trl; print(f"torch {torch.__version__}, transformers {transformers.__version__}, TRL {trl.__version__}")']).toString().trim();
  const sMolrl = median(molrlWall);
  const sTrl = median(trlWall);
  const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  const curve = Array.from({ length: STEPS }, (_, i) => `| ${i + 1} | ${f(molrlRewards[i])} | ${f(trl.rewards[i])} |`);
  const last5 = (xs: number[]) => mean(xs.slice(-5));
  return [
    `The quickstart task on a Hugging Face model: \`examples/quickstart-hf\` (random-initialised Qwen3-architecture model, 0.77M parameters, byte tokenizer), ${sft.steps} molrl SFT steps on the quickstart demonstrations, saved as a Hugging Face directory; from it, ${STEPS} Dr.GRPO steps with molrl and ${STEPS} with TRL's \`GRPOTrainer\` (${versions}). Both: ${grpo.promptsPerStep} prompts × G ${grpo.groupSize} per step, the same prompts in the same order, temperature 1, max ${grpo.sampling.maxTokens} new tokens, learning rate ${LEARNING_RATE} constant (fresh AdamW in both), AdamW, beta 0, clip 0.2, max grad norm 1, one update per rollout, full fine-tuning in fp32 on CPU with one torch thread, no vLLM; TRL \`loss_type="dr_grpo"\`, \`scale_rewards="none"\`; reward \`reward:code-execution\` in the same Docker sandbox (TRL's reward function calls the bench's scoring endpoint). Step time: median wall time between consecutive step ends, the first step left out.`,
    '',
    '| | molrl | TRL | molrl / TRL |',
    '|---|---|---|---|',
    `| seconds per step (median of ${STEPS - 1}) | ${f(sMolrl)} | ${f(sTrl)} | **${f(sMolrl / sTrl, 2)}×** (target ≤ 0.8×) |`,
    `| train reward, mean of the last 5 steps | ${f(last5(molrlRewards))} | ${f(last5(trl.rewards))} | |`,
    `| eval reward (T=1, ${raw.eval.samples} prompts × ${raw.eval.runs}) after ${STEPS} steps | ${f(evalMolrl.reward)} | ${f(evalTrl.reward)} | |`,
    `| eval greedy accuracy, faulted class | ${f(evalMolrl.faulted)} | ${f(evalTrl.faulted)} | |`,
    `| eval greedy accuracy, all | ${f(evalMolrl.greedy)} | ${f(evalTrl.greedy)} | |`,
    '',
    `1-minute load average ${loadBefore.toFixed(1)} before and ${loadavg()[0].toFixed(1)} after the run on ${cpus().length} cores: other processes competing for the CPU slow both trainers; they ran one after the other, so load that changed between them moves the ratio.`,
    '',
    'Reward per step (mean over the step\'s completions):',
    '',
    '| step | molrl | TRL |',
    '|---|---|---|',
    ...curve,
  ].join('\n');
}
