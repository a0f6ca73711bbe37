// Reading config files (JSON or YAML) and JSONL files with line numbers, and line-atomic appends.
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { errors } from './errors.ts';
import { INPUT_LIMITS } from './input-limits.ts';
import { LineSplitter, type RawLine } from './line-splitter.ts';

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

/** One parsed JSONL line, or the reason it could not be parsed (`code` INPUT_LIMIT_EXCEEDED for an over-long line). Line numbers start at 1. */
export type JsonlLine = { line: number; value: unknown; error?: undefined; code?: undefined; bytes?: undefined } | { line: number; value?: undefined; error: string; code?: string; bytes?: number };

/** Limits of a JSONL read. */
export interface JsonlLimits {
  /** Bytes of one line; a longer one is reported (INPUT_LIMIT_EXCEEDED) and skipped. @default INPUT_LIMITS.maxLineBytes */
  maxLineBytes?: number;
  /** Bytes of the whole file (read into memory): more is INPUT_LIMIT_EXCEEDED before reading. @default no limit */
  maxFileBytes?: number;
  /** Non-blank lines: one more is INPUT_LIMIT_EXCEEDED. @default no limit */
  maxLines?: number;
}

/** The JsonlLine of one raw line (blank: null). */
export function parseRawLine(raw: RawLine, maxLineBytes: number): JsonlLine | null {
  if (raw.tooLong !== undefined) {
    return { line: raw.line, code: 'INPUT_LIMIT_EXCEEDED', bytes: raw.tooLong, error: `the line has ${raw.tooLong} bytes, more than the limit maxLineBytes = ${maxLineBytes}; split the record or raise the limit` };
  }
  const text = raw.text.trim();
  if (text === '') return null;
  try {
    return { line: raw.line, value: JSON.parse(text) };
  } catch (cause) {
    return { line: raw.line, error: (cause as Error).message };
  }
}

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

/**
 * Read and parse a JSONL file in chunks (never one string of the whole file): over-long lines come back
 * as errors with code INPUT_LIMIT_EXCEEDED; too big a file or too many lines throw INPUT_LIMIT_EXCEEDED.
 */
export function readJsonlFile(file: string, limits: JsonlLimits = {}): JsonlLine[] {
  const maxLineBytes = limits.maxLineBytes ?? INPUT_LIMITS.maxLineBytes;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw errors.FILE_UNREADABLE(file, cause);
  }
  try {
    const size = fstatSync(fd).size;
    if (limits.maxFileBytes !== undefined && size > limits.maxFileBytes) throw errors.INPUT_LIMIT_EXCEEDED(file, 'maxFileBytes', size, limits.maxFileBytes, 'bytes');
    const out: JsonlLine[] = [];
    const splitter = new LineSplitter(maxLineBytes);
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    const take = (raws: RawLine[]) => {
      for (const raw of raws) {
        const parsed = parseRawLine(raw, maxLineBytes);
        if (!parsed) continue;
        if (limits.maxLines !== undefined && out.length >= limits.maxLines) throw errors.INPUT_LIMIT_EXCEEDED(file, 'maxLines', out.length + 1, limits.maxLines, 'lines');
        out.push(parsed);
      }
    };
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (cause) {
        throw errors.FILE_UNREADABLE(file, cause);
      }
      if (n === 0) break;
      take(splitter.push(Buffer.from(chunk.subarray(0, n))));
    }
    take(splitter.end());
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Append records as whole lines with one write call (O_APPEND: a line is never interleaved or half-written by us). */
export function appendJsonl(file: string, records: readonly unknown[]): void {
  if (records.length === 0) return;
  appendFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
