// Reading `molrl score` inputs: the config's rewards + sandbox sections, and the samples JSONL (bad lines kept aside).
import { errors as commonErrors, isMolrlError, readConfigFile, readJsonlFile } from '@molrl/common';
import { validateRewardsConfig, type RewardSample, type RewardSpec } from '@molrl/core';
import { validateSandboxConfig, type SandboxConfig } from '@molrl/sandbox';

/** The parts of a config `molrl score` uses (other sections of a job config are ignored). */
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

/** An input line that could not be used: its 1-based line number and why. */
export interface BadLine {
  line: number;
  problem: string;
}

function problemOf(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'expected an object { id, completion, prompt?, groundTruth?, metadata? }';
  const s = v as Record<string, unknown>;
  const allowed = ['id', 'promptId', 'prompt', 'completion', 'groundTruth', 'metadata', 'step'];
  const extra = Object.keys(s).filter((k) => !allowed.includes(k));
  if (extra.length) return `unexpected property "${extra[0]}"; expected one of: ${allowed.join(', ')}`;
  if (typeof s.id !== 'string' && typeof s.id !== 'number') return `id: must be a string (got ${JSON.stringify(s.id)})`;
  if (typeof s.completion !== 'string') return `completion: must be a string (got ${JSON.stringify(s.completion)})`;
  if (s.prompt !== undefined && typeof s.prompt !== 'string' && !Array.isArray(s.prompt)) return 'prompt: must be a string or a list of chat messages';
  if (s.metadata !== undefined && (s.metadata === null || typeof s.metadata !== 'object' || Array.isArray(s.metadata))) return 'metadata: must be an object';
  if (s.promptId !== undefined && typeof s.promptId !== 'string') return 'promptId: must be a string';
  if (s.step !== undefined && !Number.isInteger(s.step)) return 'step: must be an integer';
  return null;
}

/** Reads the samples file: valid samples in input order, and every bad line with its number. */
export function readSamples(file: string): { samples: RewardSample[]; bad: BadLine[] } {
  const samples: RewardSample[] = [];
  const bad: BadLine[] = [];
  for (const l of readJsonlFile(file)) {
    if (l.error !== undefined) {
      bad.push({ line: l.line, problem: `not valid JSON (${l.error})` });
      continue;
    }
    const problem = problemOf(l.value);
    if (problem) {
      bad.push({ line: l.line, problem });
      continue;
    }
    const s = l.value as RewardSample & { id: string | number };
    samples.push({ ...s, id: String(s.id), metadata: s.metadata ?? {} });
  }
  return { samples, bad };
}
