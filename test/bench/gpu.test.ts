// `npm run bench -- gpu` on a machine without CUDA (this one, CI): a clear message, exit 3, BENCHMARKS.md untouched;
// and the table the bench writes from gpu_bench.py's result (the script itself runs in the pytest suite,
// tests/test_gpu_bench.py, on a tiny shape on CPU).
import { ok, strictEqual } from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultPython } from '@molrl/policy-client';
import { formatGpu, type GpuResult } from '../../bench/gpu.ts';
import { skipUnless, torchMissing } from '../helpers/requirements.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('bench gpu', function () {
  this.timeout(120_000);

  it('exits 3 with the reason on a machine without CUDA, writing nothing', async function () {
    skipUnless(this, await torchMissing(), 'bench gpu');
    const cuda = execFileSync(defaultPython(), ['-c', 'import torch; print(torch.cuda.is_available())'], { encoding: 'utf8' }).trim();
    if (cuda === 'True') {
      process.stderr.write('\n  !!! SKIPPED bench gpu without CUDA: this machine has a CUDA device\n');
      this.skip();
    }
    const before = readFileSync(`${root}BENCHMARKS.md`, 'utf8');
    const run = spawnSync(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', 'bench/run.ts', 'gpu'], { cwd: root, encoding: 'utf8' });
    strictEqual(run.status, 3, run.stderr);
    ok(run.stderr.includes('gpu bench: no CUDA device'), run.stderr);
    ok(run.stderr.includes('--tiny --device cpu'), run.stderr);
    strictEqual(readFileSync(`${root}BENCHMARKS.md`, 'utf8'), before);
  });

  it('formats engines against the bound and train steps with MFU', () => {
    const result: GpuResult = {
      device: 'NVIDIA H200', date: '2026-11-30 00:00 UTC', versions: { torch: '2.11.0' },
      model: { config: { model_type: 'qwen3', num_hidden_layers: 28, hidden_size: 2048, num_attention_heads: 16, num_key_value_heads: 8, vocab_size: 151936 }, parameters: 2.05e9, dtype: 'bfloat16', loraR: 64, weightBytesPerStep: 4.1e9, kvBytesPerToken: 114688 },
      prompts: 128, newTokens: 512, copyBandwidth: 4.3e12, matmulFlops: 7.9e14,
      engines: [
        { engine: 'eager', tokens: 65536, seconds: 20, tokensPerS: 3276.8, firstRunSeconds: 21, boundTokensPerS: 60000, ofBound: 0.0546, bytesPerStep: 8e9 },
        { engine: 'static', compiled: true, tokens: 65536, seconds: 2, tokensPerS: 32768, firstRunSeconds: 90, boundTokensPerS: 60000, ofBound: 0.546, bytesPerStep: 8e9, peakMemoryGiB: 30 },
      ],
      train: [{ step: 'policy (Dr.GRPO)', tokens: 72000, seconds: 2, tokensPerS: 36000, modelFlops: 5e14, mfu: 0.32 }],
    };
    const text = formatGpu(result, 'GPU');
    ok(text.includes('| static (compiled) | 32768 | 54.6 % | 60000 | 10.00x | 90.0 | 30.0 GiB |'), text);
    ok(text.includes('| policy (Dr.GRPO) | 72000 | 2.00 s | 36000 | 32.0 % |'), text);
    ok(text.includes('4300 GB/s') && text.includes('790.0 TFLOP/s'), text);
  });
});
