// Validates a job config (JSON/YAML file or object): every problem with its path, defaults applied, phases resolved by their definitions, frozen.
import { createAjv, deepFreeze, errors as commonErrors, formatAjvErrors, readConfigFile } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { PhaseConfigBase } from '../trainer/define-phase.ts';
import { jobConfigSchema } from './job-config-schema.ts';
import type { JobConfig } from './job-config-types.ts';
import { rememberPhases, resolvePhases } from './resolve-phases.ts';

let validator: ValidateFunction<JobConfig> | null = null;

/** The compiled validator of the job config (compiled once). */
function getValidator(): ValidateFunction<JobConfig> {
  validator ??= createAjv().compile<JobConfig>(jobConfigSchema);
  return validator;
}

/** Resolves `p` against `baseDir` unless absolute. */
const under = (baseDir: string, p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

/**
 * Validates `data` as a job config. Throws CONFIG_INVALID listing every problem as `phases[0].steps: ...`.
 * Returns a deep-frozen copy with defaults applied, file paths (dataset, phase data, runsDir, plugin paths)
 * made absolute against `baseDir`, and each phase resolved by its definition (e.g. MoL `epochs` -> `steps`).
 * The data a phase read while resolving is kept for the trainer, which does not read it again.
 */
export function validateJobConfig(data: unknown, baseDir = process.cwd()): JobConfig {
  const copy = structuredClone(data) as JobConfig;
  const validate = getValidator();
  const valid = validate(copy);
  const problems = valid ? [] : formatAjvErrors(validate.errors, copy);
  const server = (copy as { server?: { start?: unknown; url?: unknown } })?.server;
  if (server && typeof server === 'object' && (server.start === undefined) === (server.url === undefined)) {
    problems.push('server: give exactly one of "start" (launch a policy server) or "url" (use a running one)');
  }
  const phases = (copy as { phases?: unknown })?.phases;
  const phaseErrors = (i: number) => (validate.errors ?? []).some((e) => e.instancePath === `/phases/${i}` || e.instancePath.startsWith(`/phases/${i}/`));
  const resolved = Array.isArray(phases)
    ? resolvePhases(phases as PhaseConfigBase[], { baseDir, seed: Number.isInteger(copy.seed) ? copy.seed : 0, skip: phaseErrors })
    : { problems: [], loaders: [] };
  problems.push(...resolved.problems);
  if (valid && copy.eval && !copy.dataset.eval && copy.dataset.evalFraction <= 0) problems.push('dataset.evalFraction: must be > 0 when eval is set without dataset.eval');
  if (problems.length) throw commonErrors.CONFIG_INVALID(`the job config is invalid:\n  ${problems.join('\n  ')}`, problems[0].split(':')[0], { problems, errors: validate.errors ?? [] });
  copy.runsDir = under(baseDir, copy.runsDir);
  copy.dataset.train = under(baseDir, copy.dataset.train);
  if (copy.dataset.eval) copy.dataset.eval = under(baseDir, copy.dataset.eval);
  if (copy.logging?.tensorboard?.dir) copy.logging.tensorboard.dir = under(baseDir, copy.logging.tensorboard.dir);
  for (const spec of copy.rewards) if (typeof spec.plugin === 'string' && /^\.\.?\//.test(spec.plugin)) spec.plugin = under(baseDir, spec.plugin);
  const frozen = deepFreeze(copy) as JobConfig;
  rememberPhases(frozen.phases, resolved.loaders);
  return frozen;
}

/** Reads and validates a job config file (JSON or YAML); relative paths resolve against the file's directory. */
export function loadJobConfig(file: string): JobConfig {
  return validateJobConfig(readConfigFile(file), dirname(resolve(file)));
}
