// npm run bench -- gpu [--from=RESULT.json]: the generation engines (eager, static) on a Qwen3-1.7B-shaped random
// model in bf16, 128 prompts x 512 new tokens, against the memory-bandwidth bound measured on the same device, then a
// LoRA policy step and a MoL step on those rollouts (tokens/s, MFU). bench/gpu_bench.py measures (CUDA needed; on
// a machine without one it exits 3 with the reason, and so does this bench); --from=FILE formats a result that
// gpu_bench.py wrote elsewhere (the device machine, which has no Node: packages/policy-server/README.md).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPython } from '@molrl/policy-client';

const script = fileURLToPath(new URL('./gpu_bench.py', import.meta.url));

/** One engine's decode measurement, as gpu_bench.py writes it. */
interface EngineResult {
  engine: string;
  /** Set when the engine failed (the other fields are then absent). */
  error?: string;
  compiled?: boolean;
  tokens: number;
  seconds: number;
  tokensPerS: number;
  firstRunSeconds: number;
  boundTokensPerS: number;
  ofBound: number;
  bytesPerStep: number;
  peakMemoryGiB?: number;
}

/** gpu_bench.py's JSON result. */
export interface GpuResult {
  device: string;
  date: string;
  loadAverage?: number | null;
  versions: Record<string, string>;
  model: { config: Record<string, unknown>; parameters: number; dtype: string; loraR: number; weightBytesPerStep: number; kvBytesPerToken: number };
  prompts: number;
  newTokens: number;
  copyBandwidth: number;
  matmulFlops: number;
  engines: EngineResult[];
  train: { step: string; tokens: number; seconds: number; tokensPerS: number; modelFlops: number; mfu: number }[];
  trainError?: string;
}

/** Runs gpu_bench.py with `args`; exits the process with its code and message when it fails (3: no device). */
export function runGpuBench(args: string[]): GpuResult {
  const out = join(mkdtempSync(join(tmpdir(), 'molrl-gpu-bench-')), 'result.json');
  const run = spawnSync(defaultPython(), [script, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) {
    process.stderr.write(`gpu bench: bench/gpu_bench.py exited ${run.status ?? run.signal} (see above); nothing written to BENCHMARKS.md\n`);
    process.exit(run.status ?? 1);
  }
  return JSON.parse(readFileSync(out, 'utf8')) as GpuResult;
}

const f0 = (x: number) => x.toFixed(0);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** The BENCHMARKS.md section body of one result. */
export function formatGpu(r: GpuResult, title: string): string {
  const c = r.model.config as Record<string, number | string>;
  const eager = r.engines.find((e) => e.engine === 'eager' && !e.error);
  const lines = [
    `${title}: ${r.device}, ${r.date}; ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}${r.loadAverage == null ? '' : `; load average ${r.loadAverage.toFixed(1)} at the start`}.`,
    '',
    `Model: random ${c.model_type} (${c.num_hidden_layers} layers, hidden ${c.hidden_size}, ${c.num_attention_heads} heads / ${c.num_key_value_heads} KV heads, vocabulary ${c.vocab_size}), ${(r.model.parameters / 1e6).toFixed(1)} M parameters, ${r.model.dtype}, LoRA r ${r.model.loraR}. Decode: ${r.prompts} prompts x ${r.newTokens} new tokens, temperature 1, EOS off (every row makes every token); one warm-up run of the same shape first (compilation, graph capture).`,
    `Bound: each decode step reads every weight once (${(r.model.weightBytesPerStep / 2 ** 20).toFixed(1)} MiB) plus the KV cache of every row up to its length (${r.model.kvBytesPerToken} bytes per token); ${(r.copyBandwidth / 1e9).toFixed(0)} GB/s device copy bandwidth measured in this run (bytes read + written). MFU against ${r.matmulFlops >= 1e12 ? `${(r.matmulFlops / 1e12).toFixed(1)} TFLOP/s` : `${(r.matmulFlops / 1e9).toFixed(1)} GFLOP/s`}, a ${r.model.dtype} matrix product measured in this run; model FLOPs = forward (2 x linear weights x tokens + causal attention) x 2 for LoRA (no weight gradients of the frozen base) or x 3 for full fine-tuning, + 1 forward of the reference for MoL; recomputation not counted.`,
    '',
    '| engine | tokens/s | of the bound | bound tokens/s | vs eager | first run (s) | peak memory |',
    '|---|---|---|---|---|---|---|',
    ...r.engines.map((e) => e.error ? `| ${e.engine} | failed: ${e.error.replaceAll('|', '/')} | | | | | |` : `| ${e.engine}${e.compiled && !e.engine.includes('compiled') ? ' (compiled)' : ''} | ${f0(e.tokensPerS)} | ${pct(e.ofBound)} | ${f0(e.boundTokensPerS)} | ${eager ? `${(e.tokensPerS / eager.tokensPerS).toFixed(2)}x` : '-'} | ${e.firstRunSeconds.toFixed(1)} | ${e.peakMemoryGiB === undefined ? '-' : `${e.peakMemoryGiB.toFixed(1)} GiB`} |`),
  ];
  if (r.trainError) lines.push('', `Train steps failed: ${r.trainError}`);
  if (r.train.length) {
    lines.push('', '| train step on those rollouts | tokens | time | tokens/s | MFU |', '|---|---|---|---|---|');
    for (const t of r.train) lines.push(`| ${t.step} | ${t.tokens} | ${t.seconds.toFixed(2)} s | ${f0(t.tokensPerS)} | ${pct(t.mfu)} |`);
  }
  return lines.join('\n');
}

export default async function bench(): Promise<string> {
  const from = process.argv.find((a) => a.startsWith('--from='))?.slice('--from='.length);
  const result = from ? (JSON.parse(readFileSync(from, 'utf8')) as GpuResult) : runGpuBench(['--repeats', '2']);
  const best = result.engines.filter((e) => !e.error).sort((a, b) => b.ofBound - a.ofBound)[0];
  const verdict = best ? `\n\nBest engine: ${best.engine} at ${pct(best.ofBound)} of the bandwidth bound (target >= 50 %): ${best.ofBound >= 0.5 ? 'met' : 'not met'}.` : '';
  return formatGpu(result, 'GPU') + verdict;
}
