// Shared test gates: a test that needs Docker, the sandbox image or PyTorch says so loudly and is counted
// as skipped (never passed) where the part is missing; on CI (CI=true) a missing part fails the suite,
// because `npm run setup` installs it there.
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { defaultPython } from '@molrl/policy-client';

type MochaContext = { skip(): never };

const cache = new Map<string, Promise<string | null>>();

function once(key: string, probe: () => Promise<string | null>): Promise<string | null> {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = probe()));
  return p;
}

/** Why Docker (and optionally `image`) cannot be used, or null when it can. */
export function dockerMissing(image?: string): Promise<string | null> {
  return once(`docker:${image ?? ''}`, async () => {
    const docker = new Docker();
    try {
      await docker.ping();
    } catch (error) {
      return `Docker daemon not reachable (${(error as Error).message}); run 'npm run setup'`;
    }
    if (image) {
      try {
        await docker.getImage(image).inspect();
      } catch {
        return `sandbox image ${image} is missing; run 'npm run setup'`;
      }
    }
    return null;
  });
}

/** Why the policy server's Python (defaultPython(): MOLRL_PYTHON or .venv) cannot import `modules`, or null. */
export function pythonModulesMissing(...modules: string[]): Promise<string | null> {
  return once(`python:${modules.join(',')}`, async () => {
    const python = defaultPython();
    try {
      execFileSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
      return null;
    } catch {
      return `${modules.join(' / ')} missing for ${python}; run 'npm run setup' (it creates .venv with torch and molrl-policy[hf])`;
    }
  });
}

/** Why the policy server's Python has no torch, or null. */
export function torchMissing(): Promise<string | null> {
  return pythonModulesMissing('torch');
}

/** In a mocha `before`/`it`: skip loudly when `reason` is set, or fail on CI. */
export function skipUnless(ctx: MochaContext, reason: string | null, what: string): void {
  if (reason === null) return;
  if (process.env.CI) throw new Error(`${what} needs a part that is missing on CI: ${reason}`);
  process.stderr.write(`\n  !!! SKIPPED ${what}: ${reason}\n`);
  ctx.skip();
}

/** Why the multi-language sandbox image (`npm run setup -- --languages all`) cannot be used, or null. */
export async function languagesImageMissing(): Promise<string | null> {
  const { DEFAULT_LANGUAGES_IMAGE } = await import('@molrl/sandbox');
  const missing = await dockerMissing(DEFAULT_LANGUAGES_IMAGE);
  return missing && missing.replace("run 'npm run setup'", "build it with 'npm run setup -- --languages all'");
}

/**
 * The one exception to the CI rule: the multi-language image is too slow to build on CI (BENCHMARKS.md), so its
 * tests skip loudly, also on CI, and run in `npm run test:languages` (MOLRL_TEST_LANGUAGES=1), where a
 * missing image fails.
 */
export function skipUnlessLanguages(ctx: MochaContext, reason: string | null, what: string): void {
  if (reason === null) return;
  if (process.env.MOLRL_TEST_LANGUAGES === '1') throw new Error(`${what} (npm run test:languages) need the multi-language image: ${reason}`);
  process.stderr.write(`\n  !!! SKIPPED ${what}: ${reason}; these tests run in 'npm run test:languages' (not in npm test, also not on CI: the image build is too slow for it)\n`);
  ctx.skip();
}
