// Reading `molrl score`'s samples JSONL, streamed (bad lines kept aside); the config is read by readScoreConfig of @molrl/core.
import { open } from 'node:fs/promises';
import { errors as commonErrors, isMolrlError, LineSplitter, type MolrlError, type RawLine } from '@molrl/common';
import type { RewardSample } from '@molrl/core';

/** An input line that could not be used: its 1-based line number, why, and a code when a limit was exceeded. */
export interface BadLine {
  line: number;
  problem: string;
  code?: string;
}

/** Limits of a samples file (INPUT_LIMITS by default). */
export interface SampleLimits {
  maxLineBytes: number;
  maxSamples: number;
  maxCompletionChars: number;
}

/** One item of the input: a sample, a bad line, or the end forced by maxSamples. */
export type SampleItem = { sample: RewardSample; bad?: undefined; limit?: undefined } | { bad: BadLine; sample?: undefined; limit?: undefined } | { limit: MolrlError; sample?: undefined; bad?: undefined };

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

/**
 * A numeric id exactly as written: 12345678901234567890 stays "12345678901234567890" (a double would make
 * it 12345678901234567000) and 1e400 stays "1e400" (not "Infinity"). Other values parse as JSON does.
 */
function parseKeepingId(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  if (value === null || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'number') return value;
  let root: object | undefined;
  let source: string | undefined;
  const again = JSON.parse(text, function (this: object, key, v, context?: { source?: string }) {
    if (key === 'id' && typeof v === 'number' && context?.source !== undefined) {
      root = this;
      source = context.source;
    }
    return v;
  }) as Record<string, unknown>;
  if (root === again && source !== undefined) again.id = source;
  return again;
}

/** Opens a samples file ('-' reads standard input); FILE_UNREADABLE when it cannot be opened. */
async function openSamples(source: string): Promise<AsyncIterable<Buffer | string>> {
  if (source === '-') return process.stdin;
  try {
    const handle = await open(source, 'r');
    return handle.createReadStream();
  } catch (cause) {
    throw commonErrors.FILE_UNREADABLE(source, cause);
  }
}

/**
 * Streams the samples of `source` (a JSONL file, or '-' for standard input) in input order, reading in
 * chunks so that memory stays constant however large the input: valid samples, bad lines with their
 * numbers (a line above maxLineBytes or a completion above maxCompletionChars has code
 * INPUT_LIMIT_EXCEEDED), and `limit` (INPUT_LIMIT_EXCEEDED) after maxSamples samples, where it stops.
 */
export async function* readSamples(source: string, limits: SampleLimits): AsyncGenerator<SampleItem> {
  const input = await openSamples(source);
  const splitter = new LineSplitter(limits.maxLineBytes);
  const name = source === '-' ? 'stdin' : source;
  let count = 0;
  const items = function* (raws: RawLine[]): Generator<SampleItem> {
    for (const raw of raws) {
      if (raw.tooLong !== undefined) {
        yield { bad: { line: raw.line, code: 'INPUT_LIMIT_EXCEEDED', problem: commonErrors.INPUT_LIMIT_EXCEEDED(`${name}:${raw.line}`, 'maxLineBytes', raw.tooLong, limits.maxLineBytes, 'bytes in one line').message } };
        continue;
      }
      const text = raw.text.trim();
      if (text === '') continue;
      let value: unknown;
      try {
        value = parseKeepingId(text);
      } catch (cause) {
        yield { bad: { line: raw.line, problem: `not valid JSON (${(cause as Error).message})` } };
        continue;
      }
      const problem = problemOf(value);
      if (problem) {
        yield { bad: { line: raw.line, problem } };
        continue;
      }
      const s = value as RewardSample & { id: string | number };
      if (s.completion.length > limits.maxCompletionChars) {
        yield { bad: { line: raw.line, code: 'INPUT_LIMIT_EXCEEDED', problem: commonErrors.INPUT_LIMIT_EXCEEDED(`${name}:${raw.line}`, 'maxCompletionChars', s.completion.length, limits.maxCompletionChars, 'characters in the completion').message } };
        continue;
      }
      if (++count > limits.maxSamples) {
        yield { limit: commonErrors.INPUT_LIMIT_EXCEEDED(`${name}:${raw.line}`, 'maxSamples', count, limits.maxSamples, 'samples') };
        return true;
      }
      yield { sample: { ...s, id: String(s.id), metadata: s.metadata ?? {} } };
    }
    return false;
  };
  try {
    for await (const chunk of input) if (yield* items(splitter.push(chunk))) return;
    yield* items(splitter.end());
  } catch (cause) {
    if (isMolrlError(cause)) throw cause;
    throw commonErrors.FILE_UNREADABLE(source, cause);
  } finally {
    if (input !== process.stdin) (input as { destroy?(): void }).destroy?.();
  }
}
