// Phase registry: phase type -> runner. The MoL phase (issue 7) plugs in here as `mol: runMolPhase`
// (from ../mol/run-mol-phase.ts), next to `mol: molPhaseSchema` in ../config/job-config-schema.ts.
import type { PhaseRunner } from './phase-context.ts';
import { runMolPhase } from '../mol/run-mol-phase.ts';
import { runGrpoPhase } from './run-grpo-phase.ts';
import { runSftPhase } from './run-sft-phase.ts';

/** Runner per phase type. */
export const phaseRunners: Record<string, PhaseRunner> = {
  grpo: runGrpoPhase as PhaseRunner,
  mol: runMolPhase as PhaseRunner,
  sft: runSftPhase as PhaseRunner,
};
