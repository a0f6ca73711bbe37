// Reading config files (JSON or YAML) and JSONL files with line numbers, and line-atomic appends.
import { appendFileSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { errors } from './errors.ts';

/** Read a JSON or YAML file (by extension; `.yaml`/`.yml` are YAML, anything else JSON). */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw errors.FILE_UNREADABLE(file, cause);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    throw errors.JSON_INVALID(file, cause);
  }
}

/** One parsed JSONL line, or the reason it could not be parsed. Line numbers start at 1. */
export type JsonlLine = { line: number; value: unknown; error?: undefined } | { line: number; value?: undefined; error: string };

/** Parse JSONL text; blank lines are skipped, bad lines are returned with their error, never dropped. */
export function parseJsonl(text: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (cause) {
      out.push({ line: i + 1, error: (cause as Error).message });
    }
  }
  return out;
}

/** Read and parse a JSONL file. */
export function readJsonlFile(file: string): JsonlLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw errors.FILE_UNREADABLE(file, cause);
  }
  return parseJsonl(text);
}

/** Append records as whole lines with one write call (O_APPEND: a line is never interleaved or half-written by us). */
export function appendJsonl(file: string, records: readonly unknown[]): void {
  if (records.length === 0) return;
  appendFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
