// Reads a JSONL dataset of `{ id, messages | prompt, groundTruth, metadata }` rows and splits train / eval.
import { errors as commonErrors, INPUT_LIMITS, readJsonlFile } from '@molrl/common';
import type { ChatMessage, Prompt } from '@molrl/policy-client';

/** One dataset row, validated. */
export interface DatasetRow {
  id: string;
  /** Raw text prompt, or chat messages. */
  prompt: string | ChatMessage[];
  groundTruth?: unknown;
  metadata: Record<string, unknown>;
  /** Chat-template options of this prompt (e.g. `{ enable_thinking: false }`); they win over the job's. */
  chatTemplateKwargs?: Record<string, unknown>;
}

/** The prompt of a row as the policy server takes it. */
export function toServerPrompt(row: DatasetRow): Prompt {
  if (typeof row.prompt === 'string') return { id: row.id, text: row.prompt };
  return { id: row.id, messages: row.prompt, ...(row.chatTemplateKwargs ? { chatTemplateKwargs: row.chatTemplateKwargs } : {}) };
}

/**
 * Parses and checks every line of a JSONL dataset; CONFIG_INVALID lists every bad line (`file:line: ...`).
 * INPUT_LIMIT_EXCEEDED for a file above INPUT_LIMITS.maxDatasetBytes, more rows than maxDatasetRows, or a
 * line above maxLineBytes.
 */
export function readDataset(file: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { line, value, error, code, bytes } of readJsonlFile(file, { maxFileBytes: INPUT_LIMITS.maxDatasetBytes, maxLines: INPUT_LIMITS.maxDatasetRows })) {
    const where = `${file}:${line}`;
    if (code === 'INPUT_LIMIT_EXCEEDED') throw commonErrors.INPUT_LIMIT_EXCEEDED(where, 'maxLineBytes', bytes ?? 0, INPUT_LIMITS.maxLineBytes, 'bytes in one line');
    if (error !== undefined) {
      problems.push(`${where}: not JSON (${error})`);
      continue;
    }
    const v = value as Record<string, unknown>;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      problems.push(`${where}: expected an object`);
      continue;
    }
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : `${line}`;
    if (seen.has(id)) problems.push(`${where}: duplicate id "${id}"`);
    seen.add(id);
    const prompt = v.messages ?? v.prompt;
    const okMessages = Array.isArray(prompt) && prompt.every((m) => typeof m?.role === 'string' && typeof m?.content === 'string');
    if (typeof prompt !== 'string' && !okMessages) {
      problems.push(`${where}: needs "prompt" (a string) or "messages" ([{ role, content }])`);
      continue;
    }
    if (v.metadata !== undefined && (typeof v.metadata !== 'object' || v.metadata === null || Array.isArray(v.metadata))) problems.push(`${where}: "metadata" must be an object`);
    const kw = v.chatTemplateKwargs;
    if (kw !== undefined && (typeof kw !== 'object' || kw === null || Array.isArray(kw))) problems.push(`${where}: "chatTemplateKwargs" must be an object`);
    const row: DatasetRow = { id, prompt: prompt as DatasetRow['prompt'], groundTruth: v.groundTruth, metadata: (v.metadata as Record<string, unknown>) ?? {} };
    if (kw && typeof kw === 'object' && !Array.isArray(kw)) row.chatTemplateKwargs = kw as Record<string, unknown>;
    rows.push(row);
  }
  if (problems.length) throw commonErrors.CONFIG_INVALID(`dataset ${file} has ${problems.length} bad line(s):\n  ${problems.slice(0, 50).join('\n  ')}`, file, { problems });
  if (rows.length === 0) throw commonErrors.CONFIG_INVALID(`dataset ${file} is empty`, file);
  return rows;
}

/** Train and eval rows of a job: the eval file, or the last `evalFraction` of train (deterministic). */
export function loadDatasets(cfg: { train: string; eval?: string; evalFraction: number }): { train: DatasetRow[]; eval: DatasetRow[] } {
  const train = readDataset(cfg.train);
  if (cfg.eval) return { train, eval: readDataset(cfg.eval) };
  const n = Math.max(1, Math.round(train.length * cfg.evalFraction));
  return { train: train.slice(0, train.length - n), eval: train.slice(train.length - n) };
}
