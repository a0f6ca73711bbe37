// Phase spans on the global step axis: from the config's phases (their `steps`), else from the metrics lines.
import type { PhaseSpan } from './report-data.ts';

/**
 * The phases of a run in order. With a config, phase i covers global steps (sum of the earlier phases' steps,
 * that + its own steps]; without one (or a phase without `steps`), the steps its metrics lines carry.
 */
export function phaseSpans(config: unknown, lines: ReadonlyArray<Record<string, unknown>>): PhaseSpan[] {
  const phases = (config as { phases?: unknown } | null)?.phases;
  if (Array.isArray(phases) && phases.every((p) => typeof p?.type === 'string' && typeof p?.steps === 'number')) {
    let offset = 0;
    return phases.map((p: { type: string; steps: number; name?: unknown }, index) => {
      const span: PhaseSpan = { index, type: p.type, ...(typeof p.name === 'string' ? { name: p.name } : {}), start: offset, end: offset + p.steps };
      offset += p.steps;
      return span;
    });
  }
  const byIndex = new Map<number, PhaseSpan>();
  for (const l of lines) {
    if (typeof l.phase !== 'number' || typeof l.step !== 'number') continue;
    const span = byIndex.get(l.phase) ?? { index: l.phase, type: typeof l.phaseType === 'string' ? l.phaseType : `phase ${l.phase}`, start: l.step, end: l.step };
    span.start = Math.min(span.start, l.step);
    span.end = Math.max(span.end, l.step);
    byIndex.set(l.phase, span);
  }
  const spans = [...byIndex.values()].sort((a, b) => a.index - b.index);
  // Without the config the first step of a phase is only known from its lines: start just before it.
  for (const s of spans) s.start = Math.max(0, s.start - 1);
  return spans;
}
