import { createIsolatedVmSandbox } from './src/isolated-vm/isolated-vm-sandbox.ts';
const sb = await createIsolatedVmSandbox({ isolates: 2 });
const base = { language: 'javascript' as const, timeoutMs: 1000, memoryMb: 64, outputLimitBytes: 1000 };
for (const c of [2, 2, 2]) {
  let n = 0; const t = performance.now();
  await Promise.all(Array.from({ length: c }, async () => { while (n < 6000) { n++; const r = await sb.run({ ...base, code: 'let s = 0; for (let i = 0; i < 100; i++) s += i; console.log(s)' }); if (r.stdout !== '4950\n') throw new Error(JSON.stringify(r)); } }));
  console.log('c', c, 'evals/s', Math.round(6000 / ((performance.now() - t) / 1000)));
}
await sb.close();
