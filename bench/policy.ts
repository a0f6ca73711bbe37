// npm run bench -- policy: the tiny model on CPU through @molrl/policy-client against the real Python
// server: generation tokens/s with the KV cache against the same model without one, and train-step times.
import { defaultPython, launchPolicyServer, type GenerateRequest, type PolicyClient } from '@molrl/policy-client';
import { execFileSync } from 'node:child_process';

const REPEATS = 3;
/** The default tiny model with a 512-token context (the default 64 would cap the completions). */
const MODEL_CONFIG = { context: 512 };

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

function prompts(count: number): GenerateRequest['prompts'] {
  return Array.from({ length: count }, (_, i) => ({ id: `p${i}`, messages: [{ role: 'user' as const, content: `Write a function number ${i}.` }] }));
}

interface Rate {
  tps: number;
  tokens: number;
}

/**
 * Median tokens/s of seeded sampling with and without the KV cache (the same seed gives the same tokens);
 * the two modes alternate run by run, so that load from other processes hits both alike.
 */
async function decodeRates(client: PolicyClient, batch: number, maxTokens: number): Promise<{ cached: Rate; uncached: Rate }> {
  const request: GenerateRequest = { prompts: prompts(batch), n: 1, sampling: { temperature: 1, maxTokens }, seed: 1 };
  await client.generate({ ...request, sampling: { maxTokens: 8 } }); // warm-up
  const runs: Record<'cached' | 'uncached', Rate[]> = { cached: [], uncached: [] };
  for (let i = 0; i < REPEATS; i++) {
    for (const mode of ['cached', 'uncached'] as const) {
      const { ms, value } = await timed(() => client.generate({ ...request, kvCache: mode === 'cached' }));
      const tokens = value.completions.reduce((sum, c) => sum + c.tokenCount, 0);
      runs[mode].push({ tps: (tokens / ms) * 1000, tokens });
    }
  }
  const pick = (list: Rate[]): Rate => {
    const mid = median(list.map((r) => r.tps));
    return list.find((r) => r.tps === mid) ?? list[0]!;
  };
  return { cached: pick(runs.cached), uncached: pick(runs.uncached) };
}

async function trainTimes(client: PolicyClient): Promise<string[]> {
  const rows: string[] = [];
  const group = 4;
  const rollout = await client.generate({ prompts: prompts(4), n: group, sampling: { temperature: 1, maxTokens: 128 }, seed: 2 });
  const tokens = rollout.completions.reduce((sum, c) => sum + c.tokenCount, 0);
  const advantages = rollout.completions.map((_, i) => ((i % group) - (group - 1) / 2) / group);
  for (const [label, extra] of [['grpo, beta 0', { lossType: 'grpo' as const, beta: 0 }], ['dr_grpo, beta 0.04 (reference pass)', { lossType: 'dr_grpo' as const, beta: 0.04 }]] as const) {
    await client.trainPolicy({ rolloutId: rollout.rolloutId, advantages, ...extra }); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < REPEATS; i++) ms.push((await timed(() => client.trainPolicy({ rolloutId: rollout.rolloutId, advantages, ...extra }))).ms);
    const m = median(ms);
    rows.push(`| policy step, ${label} | 16 completions, ${tokens} completion tokens, micro-batch 8 | ${m.toFixed(0)} ms | ${((tokens / m) * 1000).toFixed(0)} |`);
  }
  const text = 'def add(a, b):\n    return a + b\n'.repeat(4);
  const examples = Array.from({ length: 16 }, (_, i) => ({
    segments: [
      { text: `Task ${i}: write add.`, loss: 'none' as const, role: 'user' as const },
      { text, loss: 'kl' as const, role: 'assistant' as const },
      { text: `Observation: Execution logs: ok ${i}`, loss: 'ce' as const, role: 'tool' as const },
    ],
  }));
  for (const mode of ['mol', 'ce'] as const) {
    const first = await client.trainMol({ examples, mode }); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < REPEATS; i++) ms.push((await timed(() => client.trainMol({ examples, mode }))).ms);
    const m = median(ms);
    const n = first.ceTokens + first.klTokens;
    rows.push(`| MoL step, mode ${mode} | 16 examples, ${first.ceTokens} CE + ${first.klTokens} KL tokens, micro-batch 8 | ${m.toFixed(0)} ms | ${((n / m) * 1000).toFixed(0)} |`);
  }
  return rows;
}

function torchVersion(): string {
  try {
    return execFileSync(defaultPython(), ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'missing';
  }
}

export default async function policy(): Promise<string> {
  const server = await launchPolicyServer({ model: 'tiny', modelConfig: MODEL_CONFIG, seed: 0, threads: 1, onLog: () => {} });
  try {
    const health = await server.client.health();
    const decode: string[] = [];
    for (const [batch, maxTokens] of [[1, 128], [8, 128], [8, 384]] as const) {
      const { cached, uncached } = await decodeRates(server.client, batch, maxTokens);
      decode.push(
        `| ${batch} × ${maxTokens} | ${cached.tokens} / ${uncached.tokens} | ${cached.tps.toFixed(0)} | ${uncached.tps.toFixed(0)} | ${(cached.tps / uncached.tps).toFixed(2)}× |`,
      );
    }
    const rtt: number[] = [];
    for (let i = 0; i < 20; i++) rtt.push((await timed(() => server.client.health())).ms);
    const train = await trainTimes(server.client);
    return [
      `CPU only: tiny byte-level GPT (${health.parameters?.toLocaleString('en-US') ?? '?'} parameters: default config with \`context: 512\`), torch ${torchVersion()}, 1 torch thread, ` +
        `driven through \`PolicyClient\` over HTTP from Node (launched with \`launchPolicyServer\`). Median of ${REPEATS} runs after a warm-up; wall time seen by the client. ` +
        'On a small shared machine absolute numbers move with other load; the with/without-cache ratio is measured with the two modes alternating run by run.',
      '',
      '### Generation: KV cache against no cache (same model, same seed)',
      '',
      'The no-cache baseline is the same server with `kvCache: false` in the generate request: every step recomputes the whole prefix.',
      '',
      '| batch × max new tokens | tokens generated (cache / no cache) | tokens/s with KV cache | tokens/s without | speed-up |',
      '|---|---|---|---|---|',
      ...decode,
      '',
      '### Train steps',
      '',
      '| step | batch | median time | tokens/s |',
      '|---|---|---|---|',
      ...train,
      '',
      `Client round trip (GET /v1/health, median of 20): ${median(rtt).toFixed(2)} ms.`,
      '',
      '### GPU',
      '',
      'Not measured: no GPU machine was lent to this task. The GPU benchmark (hf-random Qwen3-1.7B-shaped model, batch 128 × 512 new tokens: ' +
        'decode tokens/s against the memory-bandwidth bound, LoRA policy-step tokens/s) still has to be run on a GPU machine.',
    ].join('\n');
  } finally {
    await server.stop();
  }
}
