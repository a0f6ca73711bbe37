// Load-time resolution of the job's phases through their definitions; each phase's data is read at most once.
import { describeError } from '@molrl/common';
import { isAbsolute, resolve } from 'node:path';
import { once, type PhaseConfigBase } from '../trainer/define-phase.ts';
import { phaseDefinition, type AnyPhaseDefinition } from '../trainer/phase-registry.ts';

/** A resolved phase: its definition and its data loader (memoised: read once, by resolve or when the phase starts). */
export interface PreparedPhase {
  definition: AnyPhaseDefinition;
  data: () => unknown;
  /** The phase's data files as `[config path, absolute file]`. */
  files: [string, string][];
}

const prepared = new WeakMap<object, PreparedPhase>();

/**
 * Resolves `phases` (already checked against their schemas, defaults applied) in place: each entry is
 * replaced by what its definition's `resolve` returns. Problems come back as `phases[i].field: what` lines.
 * `skip(i)` leaves a phase alone (it has schema errors of its own). Call `remember` after freezing.
 */
export function resolvePhases(phases: PhaseConfigBase[], opts: { baseDir: string; seed: number; skip: (index: number) => boolean }): { problems: string[]; loaders: PreparedPhase[] } {
  const problems: string[] = [];
  const loaders: PreparedPhase[] = [];
  phases.forEach((options, index) => {
    const definition = phaseDefinition(options.type);
    if (!definition || opts.skip(index)) return;
    const path = `phases[${index}]`;
    const before = problems.length;
    const files: [string, string][] = [];
    try {
      const out = definition.resolve(options, {
        baseDir: opts.baseDir,
        seed: opts.seed,
        index,
        path,
        file: (p, field) => {
          const abs = isAbsolute(p) ? p : resolve(opts.baseDir, p);
          files.push([`${path}.${field}`, abs]);
          return abs;
        },
        problem: (field, message) => problems.push(`${path}.${field}: ${message}`),
      });
      if (problems.length > before) return;
      phases[index] = out.config;
      loaders[index] = { definition, data: once(out.data), files };
    } catch (error) {
      problems.push(`${path}: ${describeError(error)}`);
      return;
    }
    if (index > 0 && definition.usesReference?.(phases[index]) && phases[index].reference === undefined) {
      problems.push(`${path}.reference: this phase's loss has a KL term and an earlier phase trained the model; choose its reference: "base" (the model the server loaded) or "phase-start" (the weights when this phase starts)`);
    }
  });
  return { problems, loaders };
}

/** Remembers each frozen phase config's loader, for the trainer (`preparedPhase`). */
export function rememberPhases(phases: readonly object[], loaders: readonly PreparedPhase[]): void {
  phases.forEach((phase, i) => loaders[i] && prepared.set(phase, loaders[i]));
}

/**
 * The definition and data loader of a phase of a validated job config. A config that did not come from
 * validateJobConfig (e.g. hand-built) is resolved here, without a base directory: its paths must be absolute.
 */
export function preparedPhase(phase: PhaseConfigBase, seed: number, index: number): PreparedPhase {
  const known = prepared.get(phase);
  if (known) return known;
  const definition = phaseDefinition(phase.type);
  if (!definition) throw new TypeError(`unknown phase type "${phase.type}"`);
  const files: [string, string][] = [];
  const path = `phases[${index}]`;
  const out = definition.resolve(
    { ...phase },
    {
      baseDir: process.cwd(),
      seed,
      index,
      path,
      file: (p, field) => {
        files.push([`${path}.${field}`, resolve(p)]);
        return resolve(p);
      },
      problem: (field, message) => {
        throw new TypeError(`${path}.${field}: ${message}`);
      },
    },
  );
  const entry = { definition, data: once(out.data), files };
  prepared.set(phase, entry);
  return entry;
}

/** Every data file a validated job config names, as `[config path, absolute file]`: the dataset and each phase's files. */
export function jobDataFiles(config: { seed: number; dataset: { train: string; eval?: string }; phases: readonly PhaseConfigBase[] }): [string, string][] {
  const files: [string, string][] = [['dataset.train', config.dataset.train]];
  if (config.dataset.eval) files.push(['dataset.eval', config.dataset.eval]);
  config.phases.forEach((phase, i) => files.push(...preparedPhase(phase, config.seed, i).files));
  return files;
}
