// Which Python runs the policy server when the caller names none.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The checkout's virtual environment made by `npm run setup` (works from src/ and dist/). */
export const repoVenvPython = fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));

/**
 * The Python for the policy server: `MOLRL_PYTHON`, else the checkout's `.venv/bin/python` (made by
 * `npm run setup` with torch and molrl-policy[hf]), else `python3` on PATH.
 */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MOLRL_PYTHON) return env.MOLRL_PYTHON;
  return existsSync(repoVenvPython) ? repoVenvPython : 'python3';
}
