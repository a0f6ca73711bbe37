// Training data of a MoL phase: prepared traces, the validation split, and a seeded, resumable batch order.
import { errors as commonErrors } from '@molrl/common';
import { readFileSync } from 'node:fs';
import { prepareTraces, type PrepareSummary } from '../traces/prepare-traces.ts';
import type { PreparedTrace } from '../traces/trace-types.ts';
import { sampleWithoutReplacement, seededRandom, stepSeed } from '../trainer/seeded-random.ts';
import type { MolPhaseConfig } from './mol-phase.ts';

/** Prepared train and validation traces of a MoL phase, with the preprocessing summary of the training file. */
export interface MolData {
  train: PreparedTrace[];
  validation: PreparedTrace[];
  summary: PrepareSummary;
}

type DataOptions = Pick<MolPhaseConfig, 'dataset' | 'modelType' | 'variant' | 'maxTokens' | 'truncate' | 'bytesPerToken'> & { validation?: MolPhaseConfig['validation'] };

/** Reads and prepares one trace file with the phase's preprocessing options. */
export function readPreparedTraces(file: string, phase: DataOptions, path: string): { traces: PreparedTrace[]; summary: PrepareSummary } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw commonErrors.FILE_UNREADABLE(file, cause);
  }
  const bytesPerToken = phase.bytesPerToken ?? 1;
  const out = prepareTraces(text, {
    modelType: phase.modelType,
    variant: phase.variant,
    maxTokens: phase.maxTokens,
    truncate: phase.truncate,
    countTokens: (s) => Math.ceil(Buffer.byteLength(s, 'utf8') / bytesPerToken),
  });
  if (out.traces.length === 0) {
    const bad = out.summary.bad.slice(0, 20).map((b) => `${file}:${b.line}: ${b.error}`);
    throw commonErrors.CONFIG_INVALID(`${path}: ${file} has no usable trace (${out.summary.input} lines, ${out.summary.dropped} dropped over the budget, ${out.summary.bad.length} bad)${bad.length ? `:\n  ${bad.join('\n  ')}` : ''}`, path, { summary: out.summary });
  }
  return out;
}

/** Train and validation traces: the validation file, or a seeded held-out share of the training traces. */
export function loadMolData(phase: DataOptions, seed: number, path = 'phases.dataset'): MolData {
  const { traces, summary } = readPreparedTraces(phase.dataset, phase, path);
  const v = phase.validation;
  if (!v) return { train: traces, validation: [], summary };
  if (v.data) return { train: traces, validation: readPreparedTraces(v.data, phase, `${path}.validation.data`).traces, summary };
  if (traces.length < 2) return { train: traces, validation: [], summary };
  const shuffled = sampleWithoutReplacement(traces, traces.length, seededRandom(stepSeed(seed, 0x6d6f6c, 0)));
  const k = Math.min(traces.length - 1, Math.max(1, Math.round(traces.length * v.fraction)));
  return { train: shuffled.slice(k), validation: shuffled.slice(0, k), summary };
}

/** Steps of `epochs` passes over `n` traces at `batchSize` traces per step. */
export const stepsForEpochs = (epochs: number, n: number, batchSize: number) => Math.max(1, Math.ceil((epochs * n) / batchSize));

/**
 * The traces of optimizer step `step` (1-based): epoch after epoch, each a fresh seeded permutation of the
 * training traces, cut into consecutive batches. Depends only on (seed, phase, step), so a resumed run repeats it.
 */
export function batchAt<T>(items: readonly T[], batchSize: number, step: number, seed: number, phaseIndex: number): T[] {
  const n = items.length;
  const out: T[] = [];
  let cached = -1;
  let order: T[] = [];
  for (let k = (step - 1) * batchSize; k < step * batchSize; k++) {
    const epoch = Math.floor(k / n);
    if (epoch !== cached) {
      order = sampleWithoutReplacement(items, n, seededRandom(stepSeed(seed, phaseIndex, 1_000_000 + epoch)));
      cached = epoch;
    }
    out.push(order[k % n]);
  }
  return out;
}
