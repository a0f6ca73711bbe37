// The learning-rate schedule every phase uses: linear warm-up, then constant, linear or cosine decay.

/** Schedule shapes after warm-up. */
export const SCHEDULES = ['constant', 'cosine', 'linear'] as const;

/** A phase's learning-rate settings (the phase config carries these fields). */
export interface LearningRateSchedule {
  /** Peak learning rate; absent: the policy server's own rate (`server.start.lr`). */
  learningRate?: number;
  /** Shape after warm-up. */
  schedule: (typeof SCHEDULES)[number];
  /** Linear warm-up from 0 over the first k steps. */
  warmupSteps: number;
}

/**
 * Learning rate of optimizer step `step` (1-based) of `steps`: linear warm-up to `learningRate` over
 * `warmupSteps`, then constant, or a linear / cosine decay whose last step stays above 0.
 * Returns undefined when the phase sets no rate (the server's own rate applies, unscheduled).
 */
export function learningRateAt(s: LearningRateSchedule, step: number, steps: number): number | undefined {
  const peak = s.learningRate;
  if (peak === undefined) return undefined;
  if (step <= s.warmupSteps) return (peak * step) / Math.max(1, s.warmupSteps);
  if (s.schedule === 'constant') return peak;
  const progress = (step - 1 - s.warmupSteps) / Math.max(1, steps - s.warmupSteps); // 0 at the first step after warm-up, < 1 at the last
  return s.schedule === 'linear' ? peak * (1 - progress) : 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}

/**
 * The schema properties of a phase's schedule (`learningRate`, `schedule`, `warmupSteps`), with the
 * phase's default shape. Phases spread these into their options schema.
 */
export function scheduleProperties(defaultSchedule: LearningRateSchedule['schedule'], learningRateDescription = 'peak learning rate') {
  return {
    learningRate: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: `${learningRateDescription}, in (0, 1] (as the policy protocol)` },
    schedule: { enum: [...SCHEDULES], default: defaultSchedule, description: 'after warm-up: constant, or a linear / cosine decay towards 0' },
    warmupSteps: { type: 'integer', minimum: 0, default: 0, description: 'linear warm-up steps' },
  };
}

/** Problems of a schedule the schema cannot express, as `field: problem` (field relative to the phase). */
export function scheduleProblems(s: LearningRateSchedule, steps: number): [string, string][] {
  const out: [string, string][] = [];
  if (s.learningRate === undefined && (s.schedule !== 'constant' || s.warmupSteps > 0)) {
    out.push(['learningRate', `a ${s.warmupSteps > 0 ? 'warm-up' : `${s.schedule} schedule`} needs the peak rate; set learningRate (the server's own rate is not known to the trainer)`]);
  }
  if (s.warmupSteps > steps) out.push(['warmupSteps', `must be <= steps (${steps}) (got ${s.warmupSteps})`]);
  return out;
}
