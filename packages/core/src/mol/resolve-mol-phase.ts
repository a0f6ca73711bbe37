// Load-time resolution of a MoL phase: paths made absolute, `epochs` turned into `steps` (the trainer counts steps).
import { errors as commonErrors } from '@molrl/common';
import { isAbsolute, resolve } from 'node:path';
import { loadMolData, stepsForEpochs } from './mol-data.ts';
import type { MolPhaseConfig } from './mol-phase-schema.ts';

/**
 * Returns the phase with `dataset` and `validation.data` absolute against `baseDir`; when the phase gives
 * `epochs`, reads the traces (same preprocessing and split as training) and replaces `epochs` by
 * `steps = ceil(epochs x training traces / batchSize)`, so the frozen run config states its step count.
 */
export function resolveMolPhase(phase: MolPhaseConfig, baseDir: string, seed: number, path: string): MolPhaseConfig {
  if ((phase.epochs === undefined) === (phase.steps === undefined)) {
    const got = phase.epochs === undefined ? 'neither' : `steps ${phase.steps} and epochs ${phase.epochs}`;
    throw commonErrors.CONFIG_INVALID(`${path}: give exactly one of "steps" or "epochs" (got ${got})`, `${path}.steps`);
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const out: MolPhaseConfig = { ...phase, dataset: abs(phase.dataset) };
  if (phase.validation) out.validation = { ...phase.validation, ...(phase.validation.data ? { data: abs(phase.validation.data) } : {}) };
  if (phase.epochs !== undefined) {
    const { train } = loadMolData(out, seed, `${path}.dataset`);
    out.steps = stepsForEpochs(phase.epochs, train.length, phase.batchSize);
    delete out.epochs;
  }
  return out;
}
