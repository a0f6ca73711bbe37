// Reading the `rewards:` and `sandbox:` sections of a config file: what `molrl score` and `molrl serve` load.
import { errors as commonErrors, isMolrlError, readConfigFile } from '@molrl/common';
import { validateSandboxConfig, type SandboxConfig } from '@molrl/sandbox';
import type { RewardSpec } from '../types.ts';
import { validateRewardsConfig } from './rewards-config-schema.ts';

/** The parts of a config that scoring uses (other sections of a job config are ignored). */
export interface ScoreConfig {
  rewards: RewardSpec[];
  sandbox: Readonly<SandboxConfig>;
}

/** Reads and validates the config; CONFIG_INVALID lists every problem of both sections with its path. */
export function readScoreConfig(file: string): ScoreConfig {
  const data = readConfigFile(file);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw commonErrors.CONFIG_INVALID(`${file}: expected an object with rewards: [...] (got ${JSON.stringify(data)})`, '(root)');
  const { rewards, sandbox } = data as { rewards?: unknown; sandbox?: unknown };
  const problems: string[] = [];
  const raw: unknown[] = [];
  let valid: Readonly<SandboxConfig> | undefined;
  for (const check of [() => validateRewardsConfig(rewards), () => (valid = validateSandboxConfig(sandbox ?? {}, 'sandbox'))]) {
    try {
      check();
    } catch (error) {
      if (!isMolrlError(error)) throw error;
      problems.push(...((error.details?.problems as string[] | undefined) ?? [error.message]));
      raw.push(...((error.details?.errors as unknown[] | undefined) ?? []));
    }
  }
  if (problems.length > 0) throw commonErrors.CONFIG_INVALID(`${file} is invalid:\n  ${problems.join('\n  ')}`, problems[0].split(':')[0], { problems, errors: raw });
  return { rewards: rewards as RewardSpec[], sandbox: valid! };
}
