// Everything `molrl validate` checks: the schema, then (when the schema passes) each reward plugin's
// options and sandbox requirements, and that the server's Python has what the model needs; missing data
// files are warnings.
import { isMolrlError, readConfigFile, type MolrlError } from '@molrl/common';
import { jobDataFiles, loadRewardPlugins, validateJobConfig, type JobConfig } from '@molrl/core';
import { builtinPlugins } from '@molrl/plugins';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { serverPythonProblem } from './python-check.ts';

/** The outcome: the validated config (with warnings), or every problem as `path: what (got value)` lines. */
export type JobCheck = { config: JobConfig; problems: []; warnings: string[] } | { config: null; problems: string[]; code: string; warnings: string[] };

function linesOf(error: MolrlError): string[] {
  // Several plugin errors arrive as one CONFIG_INVALID whose details.errors are the coded errors themselves.
  type Coded = { code?: unknown; message: string; details?: { problems?: string[] } };
  const nested = error.code === 'CONFIG_INVALID' ? ((error.details?.errors as Coded[] | undefined) ?? []).filter((e) => typeof e?.code === 'string') : [];
  if (nested.length) return nested.flatMap((e) => e.details?.problems ?? [e.message]);
  return (error.details?.problems as string[] | undefined) ?? [error.message];
}

/** Checks the job config in `file` as `molrl train` would before starting anything. */
export async function checkJobFile(file: string): Promise<JobCheck> {
  let config: JobConfig;
  const data = readConfigFile(file); // FILE_UNREADABLE / JSON_INVALID are thrown: the file itself is the problem
  try {
    config = validateJobConfig(data, dirname(resolve(file)));
  } catch (error) {
    if (!isMolrlError(error)) throw error;
    return { config: null, problems: linesOf(error), code: error.code, warnings: [] };
  }
  const problems: string[] = [];
  try {
    await loadRewardPlugins(config.rewards, config.sandbox, dirname(resolve(file)), builtinPlugins);
  } catch (error) {
    if (!isMolrlError(error)) throw error;
    problems.push(...linesOf(error));
  }
  const python = serverPythonProblem(config);
  if (python) problems.push(python);
  // Data files are warnings: example configs name data the user brings.
  const warnings = jobDataFiles(config)
    .filter(([, f]) => !existsSync(f))
    .map(([path, f]) => `${path}: file not found (got ${JSON.stringify(f)}); 'molrl train' needs it`);
  return problems.length ? { config: null, problems, code: 'CONFIG_INVALID', warnings } : { config, problems: [], warnings };
}
