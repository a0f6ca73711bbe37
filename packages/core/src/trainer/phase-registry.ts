// The built-in phase types, one definition each (sorted by type): a new phase is its own file plus one entry here.
import { molPhase } from '../mol/mol-phase.ts';
import type { PhaseConfigBase, PhaseConfigOf, PhaseDefinition } from './define-phase.ts';
import { grpoPhase } from './grpo-phase.ts';
import { sftPhase } from './sft-phase.ts';

/** Every phase type a job config can name. */
export const BUILTIN_PHASES = [grpoPhase, molPhase, sftPhase] as const;

/** Any phase of a validated job config (the union of the built-in phases' configs). */
export type PhaseConfig = PhaseConfigOf<(typeof BUILTIN_PHASES)[number]>;

/** A phase definition, as the trainer and the config loader handle it. */
export type AnyPhaseDefinition = PhaseDefinition<PhaseConfigBase, unknown>;

const byType = new Map<string, AnyPhaseDefinition>(BUILTIN_PHASES.map((d) => [d.type, d as unknown as AnyPhaseDefinition]));

/** The definition of phase type `type` (undefined for an unknown type). */
export function phaseDefinition(type: string): AnyPhaseDefinition | undefined {
  return byType.get(type);
}
