// npm run bench -- engines: the generation engines on this CPU (eager, static un-compiled, static with its decode
// step compiled by inductor), on the tiny random Qwen3 of the tests and a small one, through bench/gpu_bench.py
// (the GPU bench's script, CPU mode). CPU numbers: they say what the engines cost here, not what a GPU gives.
import { formatGpu, runGpuBench } from './gpu.ts';

const SMALL = { model_type: 'qwen3', hidden_size: 256, intermediate_size: 768, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 32, vocab_size: 512, max_position_embeddings: 1024, rms_norm_eps: 1e-6, tie_word_embeddings: true };

export default async function bench(): Promise<string> {
  const common = ['--device', 'cpu', '--engines', 'eager,static,static-compiled', '--prompts', '16', '--new-tokens', '64', '--repeats', '3'];
  const tiny = runGpuBench([...common, '--tiny']);
  const small = runGpuBench([...common, '--config', JSON.stringify(SMALL), '--lora-r', '8']);
  return [
    'CPU numbers (1 torch thread): what each engine costs on this machine. The bound is computed as on the GPU (bytes per decode step over the measured copy bandwidth) and is far off here, where per-token Python and kernel-launch overhead dominate tiny models.',
    '',
    formatGpu(tiny, 'Tiny Qwen3 (the tests\' shape)'),
    '',
    formatGpu(small, 'Small Qwen3'),
  ].join('\n');
}
