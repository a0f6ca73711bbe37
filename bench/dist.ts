// npm run bench -- dist: the data-parallel policy server (torchrun, gloo, CPU) with 2 ranks against one process,
// same tiny model, same requests: generation tokens/s and policy-step tokens/s. Both servers stay up and the
// two alternate request by request, so that load from other processes hits both alike.
import { launchPolicyServer, type GenerateRequest, type PolicyClient, type PolicyServerHandle } from '@molrl/policy-client';
import { cpus, loadavg } from 'node:os';
import { median, timed } from './policy.ts';

const REPEATS = 5;
const MODEL_CONFIG = { context: 512 }; // the default tiny model (3 layers, width 128) with room for 128 new tokens


function request(count: number, seed: number): GenerateRequest {
  return { prompts: Array.from({ length: count }, (_, i) => ({ id: `p${i}`, text: `Task ${i}: write a function that adds ${i} to x.\n` })), n: 2, sampling: { temperature: 1, maxTokens: 128 }, seed };
}

interface Sample {
  gen: number[]; // tokens/s per run
  step: number[];
}

async function measure(client: PolicyClient, into: Sample, i: number): Promise<void> {
  const gen = await timed(() => client.generate(request(8, 10 + i)));
  const tokens = gen.value.completions.reduce((sum, c) => sum + c.tokenCount, 0);
  into.gen.push((tokens / gen.ms) * 1000);
  const advantages = gen.value.completions.map((_, k) => ((k % 2) - 0.5) * (1 + (k % 5) / 5));
  const step = await timed(() => client.trainPolicy({ rolloutId: gen.value.rolloutId, advantages, learningRate: 1e-4 }));
  into.step.push((step.value.tokens / step.ms) * 1000);
}

export default async function run(): Promise<string> {
  const servers: PolicyServerHandle[] = [];
  try {
    for (const nproc of [1, 2]) {
      servers.push(await launchPolicyServer({ model: 'tiny', modelConfig: MODEL_CONFIG, threads: 1, seed: 1, nproc, onLog: () => {} }));
    }
    const samples: Sample[] = [{ gen: [], step: [] }, { gen: [], step: [] }];
    for (const [k, s] of servers.entries()) await measure(s.client, { gen: [], step: [] }, -1 - k); // warm-up
    const load0 = loadavg()[0] ?? 0;
    for (let i = 0; i < REPEATS; i++) for (const [k, s] of servers.entries()) await measure(s.client, samples[k]!, i);
    const load1 = loadavg()[0] ?? 0;
    const params = (await servers[0]!.client.health()).parameters ?? 0;
    const [one, two] = samples.map((s) => ({ gen: median(s.gen), step: median(s.step) }));
    const row = (what: string, a: number, b: number) => `| ${what} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)} |`;
    return [
      `Tiny model (3 layers, width 128), CPU, 1 torch thread per rank, gloo; 8 prompts × 2 completions of up to 128 tokens (temperature 1), then one policy step on that rollout (micro-batch 8). Median of ${REPEATS} runs each, N = 1 and N = 2 alternating; 1-minute load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${cpus().length} cores shared with other work.`,
      '',
      '| tokens/s | N = 1 (one process) | N = 2 (torchrun, 2 ranks) | N = 2 / N = 1 |',
      '|---|---|---|---|',
      row('generation', one!.gen, two!.gen),
      row('policy step (forward + backward + gradient all-reduce + AdamW)', one!.step, two!.step),
      '',
      ...(Math.max(load0, load1) > cpus().length ? [`The load average (${Math.max(load0, load1).toFixed(1)}) was above the ${cpus().length} cores: the ranks competed with other work for CPU time, so the ratio says that 2 ranks cost no visible overhead here, not how they scale on an idle machine.`, ''] : []),
      `What this machine allows: 2 cores, so 2 ranks have at most 2× the compute of one single-threaded process, and only when nothing else runs. Each rank holds a full replica and does half the rows; the cost on top is the gather of the rows (generation) and one gradient all-reduce per step (${(params / 1e3).toFixed(0)} k parameters here: negligible), plus the command round trip through the rendezvous store. On GPUs the same split gives each GPU its share of the prompts and of the batch (see packages/policy-server/README.md, "Several GPUs and nodes").`,
    ].join('\n');
  } finally {
    for (const s of servers) await s.stop();
  }
}
