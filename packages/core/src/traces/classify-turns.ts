// Classifies each turn of a trace: system prompt, task, the model's decision, or environment feedback.
import { contentText } from './parse-traces.ts';
import type { SegmentRole, Trace, TurnKind } from './trace-types.ts';

/** A turn with its kind, chat role and plain text. */
export interface ClassifiedTurn {
  kind: TurnKind;
  role: SegmentRole;
  text: string;
}

/**
 * Feedback = `tool` / `tool-response` turns and user turns starting with `Observation:` (smolagents puts
 * execution logs and errors there). The first user turn is the task; later user turns that are not
 * observations are context (no loss). `tool-call` turns are the model's own decisions.
 */
export function classifyTurns(trace: Trace): ClassifiedTurn[] {
  let sawTask = false;
  return trace.messages.map((m) => {
    const text = contentText(m.content);
    switch (m.role) {
      case 'system':
        return { kind: 'system', role: 'system', text };
      case 'assistant':
      case 'tool-call':
        return { kind: 'decision', role: 'assistant', text };
      case 'tool':
      case 'tool-response':
        return { kind: 'feedback', role: 'tool', text };
      default: {
        if (sawTask && /^\s*Observation:/.test(text)) return { kind: 'feedback', role: 'user', text };
        const kind: TurnKind = sawTask ? 'context' : 'task';
        sawTask = true;
        return { kind, role: 'user', text };
      }
    }
  });
}
