// What `molrl validate` checks of the policy server's Python: that it finds the modules the job's model needs.
import type { JobConfig } from '@molrl/core';
import { defaultPython } from '@molrl/policy-client';
import { spawnSync } from 'node:child_process';

/** Modules the server needs for `config`'s model: torch; transformers and tokenizers for hf models; peft with LoRA. */
export function modulesFor(config: Pick<JobConfig, 'model' | 'server'>): string[] {
  if (!config.model.startsWith('hf:') && !config.model.startsWith('hf-random:')) return ['torch'];
  const lora = (config.server.start?.loraR ?? 64) > 0;
  return ['torch', 'transformers', 'tokenizers', ...(lora ? ['peft'] : [])];
}

const FIND = "import importlib.util as u, sys; print(' '.join(m for m in sys.argv[1:] if u.find_spec(m) is None))";

/** The problem with `python` for `modules` (not runnable, or modules it cannot find), or null when it has them. */
export function pythonProblem(python: string, modules: string[]): string | null {
  const run = spawnSync(python, ['-c', FIND, ...modules], { encoding: 'utf8', timeout: 60_000 });
  const fix = "run 'npm run setup' (it makes .venv with torch and molrl-policy[hf]) or point server.start.python / MOLRL_PYTHON at a Python that has them";
  if (run.error || run.status !== 0) return `${python} cannot be run (${run.error?.message ?? (run.stderr || '').trim().split('\n').at(-1)}); ${fix}`;
  const missing = run.stdout.trim().split(/\s+/).filter(Boolean);
  return missing.length ? `${python} cannot import ${missing.join(', ')} (the model needs ${modules.join(', ')}); ${fix}` : null;
}

/** `server.start.python: ...` when the job starts a server whose Python lacks what its model needs, else null. */
export function serverPythonProblem(config: Pick<JobConfig, 'model' | 'server'>): string | null {
  if (!config.server.start) return null;
  const python = config.server.start.python ?? defaultPython();
  const problem = pythonProblem(python, modulesFor(config));
  return problem ? `server.start.python: ${problem}` : null;
}
