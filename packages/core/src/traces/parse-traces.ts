// Parses trace JSONL: every line becomes a Trace or a reported bad line (with its number), never dropped silently.
import { parseJsonl } from '@molrl/common';
import type { Trace, TraceMessage } from './trace-types.ts';

/** A line that could not be used, with why. Line numbers start at 1. */
export interface BadTraceLine {
  line: number;
  error: string;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'tool-response', 'tool-call']);

/** Plain text of a message's content (string, null, or OpenAI-style `[{ type: 'text', text }]` parts). */
export function contentText(content: TraceMessage['content']): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
}

function problem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected an object { id, messages }';
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' && typeof v.id !== 'number') return `"id" must be a string (got ${JSON.stringify(v.id)})`;
  if (!Array.isArray(v.messages) || v.messages.length === 0) return '"messages" must be a non-empty array';
  for (let i = 0; i < v.messages.length; i++) {
    const m = v.messages[i] as Record<string, unknown> | null;
    if (m === null || typeof m !== 'object') return `messages[${i}]: expected an object { role, content }`;
    if (typeof m.role !== 'string' || !ROLES.has(m.role))
      return `messages[${i}].role: expected one of ${[...ROLES].join(', ')} (got ${JSON.stringify(m.role)})`;
    const c = m.content;
    if (!(typeof c === 'string' || c === null || Array.isArray(c))) return `messages[${i}].content: expected a string or an array of text parts`;
  }
  return null;
}

/** Parse JSONL text of traces. */
export function parseTraces(text: string): { traces: Trace[]; bad: BadTraceLine[] } {
  const traces: Trace[] = [];
  const bad: BadTraceLine[] = [];
  for (const entry of parseJsonl(text)) {
    if (entry.error !== undefined) {
      bad.push({ line: entry.line, error: `not valid JSON: ${entry.error}` });
      continue;
    }
    const why = problem(entry.value);
    if (why) {
      bad.push({ line: entry.line, error: why });
      continue;
    }
    const v = entry.value as { id: string | number; messages: TraceMessage[] };
    traces.push({ id: String(v.id), messages: v.messages });
  }
  return { traces, bad };
}
