import { createDockerSandbox } from '@molrl/sandbox';
const pool = await createDockerSandbox({ poolSize: 1, graceMs: 5000 });
const base = { language: 'python', timeoutMs: 500, memoryMb: 256, outputLimitBytes: 4096 } as const;
for (let i = 0; i < 4; i++) {
  const t = performance.now();
  const r = await pool.run({ ...base, code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass' });
  console.log(r.status, r.durationMs, Math.round(performance.now() - t), r.error?.code);
}
await pool.close();
