// Validates a job config (JSON/YAML file or object): every problem with its path, defaults applied, paths resolved, frozen.
import { createAjv, deepFreeze, errors as commonErrors, formatAjvErrors, readConfigFile } from '@molrl/common';
import type { ValidateFunction } from 'ajv';
import { dirname, isAbsolute, resolve } from 'node:path';
import { resolveMolPhase } from '../mol/resolve-mol-phase.ts';
import type { MolPhaseConfig } from '../mol/mol-phase-schema.ts';
import { jobConfigSchema } from './job-config-schema.ts';
import type { GrpoPhaseConfig, JobConfig } from './job-config-types.ts';

let validator: ValidateFunction<JobConfig> | null = null;

/** The compiled validator of the job config (compiled once). */
function getValidator(): ValidateFunction<JobConfig> {
  validator ??= createAjv().compile<JobConfig>(jobConfigSchema);
  return validator;
}

/** Resolves `p` against `baseDir` unless absolute. */
const under = (baseDir: string, p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

/** Checks the schema cannot express; returns `path: problem` lines. */
function semanticProblems(config: JobConfig): string[] {
  const problems: string[] = [];
  config.phases.forEach((phase, i) => {
    if (phase.type !== 'grpo') return;
    const p = phase as GrpoPhaseConfig;
    if (p.estimator !== 'grpo' && p.scale !== 'group') problems.push(`phases[${i}].scale: only the grpo estimator divides by a std (got "${p.scale}" with "${p.estimator}")`);
  });
  if (config.eval && !config.dataset.eval && config.dataset.evalFraction <= 0) problems.push('dataset.evalFraction: must be > 0 when eval is set without dataset.eval');
  return problems;
}

/**
 * Validates `data` as a job config. Throws CONFIG_INVALID listing every problem as `phases[0].steps: ...`.
 * Returns a deep-frozen copy with defaults applied and file paths (dataset, sft data, runsDir) made absolute
 * against `baseDir`; `lossType` of GRPO phases is resolved from the estimator.
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
  if (valid) problems.push(...semanticProblems(copy));
  if (problems.length) throw commonErrors.CONFIG_INVALID(`the job config is invalid:\n  ${problems.join('\n  ')}`, problems[0].split(':')[0], { problems, errors: validate.errors ?? [] });
  copy.runsDir = under(baseDir, copy.runsDir);
  copy.dataset.train = under(baseDir, copy.dataset.train);
  if (copy.dataset.eval) copy.dataset.eval = under(baseDir, copy.dataset.eval);
  if (copy.logging?.tensorboard?.dir) copy.logging.tensorboard.dir = under(baseDir, copy.logging.tensorboard.dir);
  copy.phases.forEach((phase, i) => {
    if (phase.type === 'mol') copy.phases[i] = resolveMolPhase(phase as unknown as MolPhaseConfig, baseDir, copy.seed, `phases[${i}]`) as unknown as typeof phase;
  });
  for (const spec of copy.rewards) if (typeof spec.plugin === 'string' && /^\.\.?\//.test(spec.plugin)) spec.plugin = under(baseDir, spec.plugin);
  for (const phase of copy.phases) {
    if (phase.type === 'sft') phase.data = under(baseDir, phase.data);
    if (phase.type === 'grpo') phase.lossType ??= phase.estimator === 'dr_grpo' ? 'dr_grpo' : 'grpo';
  }
  return deepFreeze(copy) as JobConfig;
}

/** Reads and validates a job config file (JSON or YAML); relative paths resolve against the file's directory. */
export function loadJobConfig(file: string): JobConfig {
  return validateJobConfig(readConfigFile(file), dirname(resolve(file)));
}
