// npm run bench -- dist: the data-parallel policy server (torchrun, gloo, CPU) with 2 ranks against one process,
// same model, same requests: generation tokens/s and policy-step tokens/s, for the tiny model (replicas) and for
// full fine-tuning of a small hf-random Qwen3-shaped model (sharded with FSDP2). The servers of one table stay up
// and alternate request by request, so that load from other processes hits them alike.
import { launchPolicyServer, type GenerateRequest, type LaunchOptions, type PolicyClient, type PolicyServerHandle } from '@molrl/policy-client';
import { cpus, loadavg } from 'node:os';
import { median, timed } from './policy.ts';

const REPEATS = 5;
const MODEL_CONFIG = { context: 512 }; // the default tiny model (3 layers, width 128) with room for 128 new tokens
// full fine-tuning: a Qwen3-shaped model of 4 layers, width 128, byte vocabulary (hf-random, nothing downloaded)
const QWEN3 = { model_type: 'qwen3', hidden_size: 128, intermediate_size: 384, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 32, vocab_size: 320, max_position_embeddings: 512, tie_word_embeddings: true };


function request(count: number, seed: number, maxTokens: number): GenerateRequest {
  return { prompts: Array.from({ length: count }, (_, i) => ({ id: `p${i}`, text: `Task ${i}: write a function that adds ${i} to x.\n` })), n: 2, sampling: { temperature: 1, maxTokens }, seed };
}

interface Sample {
  gen: number[]; // tokens/s per run
  step: number[];
}

async function measure(client: PolicyClient, into: Sample, i: number, maxTokens: number): Promise<void> {
  const gen = await timed(() => client.generate(request(8, 10 + i, maxTokens)));
  const tokens = gen.value.completions.reduce((sum, c) => sum + c.tokenCount, 0);
  into.gen.push((tokens / gen.ms) * 1000);
  const advantages = gen.value.completions.map((_, k) => ((k % 2) - 0.5) * (1 + (k % 5) / 5));
  const step = await timed(() => client.trainPolicy({ rolloutId: gen.value.rolloutId, advantages, learningRate: 1e-4 }));
  into.step.push((step.value.tokens / step.ms) * 1000);
}

/** Medians of REPEATS alternating runs on servers started with each of `launches`, and the load averages around them. */
async function compare(launches: LaunchOptions[], maxTokens: number): Promise<{ medians: { gen: number; step: number }[]; load: [number, number]; params: number }> {
  const servers: PolicyServerHandle[] = [];
  try {
    for (const options of launches) servers.push(await launchPolicyServer({ threads: 1, seed: 1, ...options, onLog: () => {} }));
    const samples: Sample[] = servers.map(() => ({ gen: [], step: [] }));
    for (const [k, s] of servers.entries()) await measure(s.client, { gen: [], step: [] }, -1 - k, maxTokens); // warm-up
    const load0 = loadavg()[0] ?? 0;
    for (let i = 0; i < REPEATS; i++) for (const [k, s] of servers.entries()) await measure(s.client, samples[k]!, i, maxTokens);
    const load1 = loadavg()[0] ?? 0;
    const params = (await servers[0]!.client.health()).parameters ?? 0;
    return { medians: samples.map((s) => ({ gen: median(s.gen), step: median(s.step) })), load: [load0, load1], params };
  } finally {
    for (const s of servers) await s.stop();
  }
}

const row = (what: string, a: number, b: number) => `| ${what} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)} |`;

/** The table of one comparison: generation and policy-step tokens/s of N = 1 and N = 2. */
function table(two: string, [a, b]: { gen: number; step: number }[], gen: string, step: string): string[] {
  return [`| tokens/s | N = 1 (one process) | N = 2 (${two}) | N = 2 / N = 1 |`, '|---|---|---|---|', row(gen, a!.gen, b!.gen), row(step, a!.step, b!.step), ''];
}

export default async function run(): Promise<string> {
  const tiny = await compare([1, 2].map((nproc) => ({ model: 'tiny', modelConfig: MODEL_CONFIG, nproc })), 128);
  const full = await compare([{ nproc: 1 }, { nproc: 2, shard: 'fsdp' as const }].map((o) => ({ model: 'hf-random:' + JSON.stringify(QWEN3), loraR: 0, gradientCheckpointing: false, ...o })), 64);
  const loadMax = Math.max(...tiny.load, ...full.load);
  return [
    `Tiny model (3 layers, width 128), CPU, 1 torch thread per rank, gloo; 8 prompts × 2 completions of up to 128 tokens (temperature 1), then one policy step on that rollout (micro-batch 8). Median of ${REPEATS} runs each, N = 1 and N = 2 alternating; 1-minute load average ${tiny.load[0].toFixed(1)} → ${tiny.load[1].toFixed(1)} on ${cpus().length} cores shared with other work.`,
    '',
    ...table('torchrun, 2 ranks', tiny.medians, 'generation', 'policy step (forward + backward + gradient all-reduce + AdamW)'),
    `Full fine-tuning sharded with FSDP2 (\`--shard fsdp\`): an hf-random Qwen3-shaped model (4 layers, width 128, ${(full.params / 1e6).toFixed(2)} M parameters, fp32), the same requests with completions of up to 64 tokens; N = 1 is one process holding everything. Load average ${full.load[0].toFixed(1)} → ${full.load[1].toFixed(1)}.`,
    '',
    ...table('torchrun, FSDP2', full.medians, 'generation (on the gathered weights)', 'policy step (per layer: all-gather, forward, all-gather, backward, reduce-scatter; AdamW on the shards)'),
    ...(loadMax > cpus().length ? [`The load average (${loadMax.toFixed(1)}) was above the ${cpus().length} cores: the ranks competed with other work for CPU time, so the ratios say what 2 ranks cost here, not how they scale on an idle machine.`, ''] : []),
    `What this machine allows: 2 cores, so 2 ranks have at most 2× the compute of one single-threaded process, and only when nothing else runs. Replicas (tiny): each rank does half the rows; the cost on top is the gather of the rows (generation) and one gradient all-reduce per step (${(tiny.params / 1e3).toFixed(0)} k parameters here: negligible), plus the command round trip through the rendezvous store. Sharded (FSDP2): each rank holds half the weights and Adam moments, gathers the whole weights once per generation request, and in a step gathers each layer twice and reduce-scatters its gradients, over gloo on loopback: on a model this small the collectives weigh more than on GPUs with NCCL, where they overlap compute and the memory saved is the point (see packages/policy-server/README.md, "Several GPUs and nodes").`,
  ].join('\n');
}
