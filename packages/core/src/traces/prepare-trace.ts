// Preprocesses one trace as in the MoL-RL paper: think blocks, loss tags per variant, token budget.
import { classifyTurns, type ClassifiedTurn } from './classify-turns.ts';
import { tagTurn } from './tag-segments.ts';
import { clearThinkBlocks, insertEmptyThink } from './think-blocks.ts';
import type { PreparedTrace, PrepareOptions, Trace } from './trace-types.ts';

/** Tokens of the built-in tiny model: one per UTF-8 byte (templates add a few per turn, not counted here). */
export function countBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function rewriteThinking(turn: ClassifiedTurn, modelType: PrepareOptions['modelType']): ClassifiedTurn {
  if (turn.kind !== 'decision') return turn;
  return { ...turn, text: modelType === 'cot' ? clearThinkBlocks(turn.text) : insertEmptyThink(turn.text) };
}

/** Preprocess a trace; returns null when it must be dropped (over budget with truncate 'drop', or nothing to train). */
export function prepareTrace(trace: Trace, options: PrepareOptions): PreparedTrace | null {
  const variant = options.variant ?? 'mol';
  const maxTokens = options.maxTokens ?? 8192;
  const count = options.countTokens ?? countBytes;
  const turns = classifyTurns(trace).map((t) => rewriteThinking(t, options.modelType));
  const kept = [];
  let tokens = 0;
  let truncated = false;
  for (const turn of turns) {
    const segments = tagTurn(turn, variant);
    const n = segments.reduce((sum, s) => sum + count(s.text), 0);
    if (tokens + n > maxTokens) {
      if ((options.truncate ?? 'turn') === 'drop') return null;
      truncated = true;
      break; // cut at the turn boundary: later turns would lack their context
    }
    tokens += n;
    kept.push(...segments);
  }
  if (!kept.some((s) => s.loss !== 'none')) return null;
  return { id: trace.id, segments: kept, tokens, truncated };
}
