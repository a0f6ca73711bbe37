// Reading `molrl score`'s samples JSONL (bad lines kept aside); the config is read by readScoreConfig of @molrl/core.
import { readJsonlFile } from '@molrl/common';
import type { RewardSample } from '@molrl/core';

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
