// definePhase: a training phase type as one object (options schema, load-time resolve, run), like definePlugin.
import type { PhaseContext } from './phase-context.ts';

/** Which weights a phase's KL term compares against. */
export type ReferenceChoice = 'base' | 'phase-start';

/** Fields every phase config has; `definePhase` adds their schema to the phase's own options. */
export interface PhaseConfigBase {
  type: string;
  /** A label shown in progress and logs. */
  name?: string;
  /** Optimizer steps of the phase. */
  steps: number;
  /** Checkpoint every k steps of this phase (overrides `checkpoint.every`). */
  checkpointEvery?: number;
  /** Clear the optimizer's moment estimates when the phase starts. @default false */
  resetOptimizer: boolean;
  /**
   * Reference of the KL term (phases whose loss has one): the model the server loaded (`base`), or the
   * weights at the start of this phase (`phase-start`). Must be given when an earlier phase trained the model.
   */
  reference?: ReferenceChoice;
}

/** What `resolve` gets besides the phase's options. */
export interface ResolveContext {
  /** Directory of the config file (relative paths resolve against it). */
  baseDir: string;
  /** The job seed. */
  seed: number;
  /** Index of the phase in `phases`. */
  index: number;
  /** Config path of the phase, e.g. `phases[1]`. */
  path: string;
  /**
   * `p`, the value of the phase's option `field` (e.g. `data`, `validation.data`), made absolute against the
   * config file's directory; recorded as a data file of the phase (`molrl validate` warns when it is missing).
   */
  file(p: string, field: string): string;
  /** Records `<path>.<field>: <message>`; resolve goes on, so that every problem is reported at once. */
  problem(field: string, message: string): void;
}

/** What `resolve` returns: the config the run stores, and the phase's data, read at most once. */
export interface ResolvedPhase<C, D> {
  /** The final phase config (paths absolute, derived values filled in); frozen into the job config. */
  config: C;
  /**
   * Reads and prepares the phase's data. Called at most once per resolve: by `resolve` itself when the
   * config depends on the data (e.g. epochs -> steps), else when the phase starts; `run` gets the result.
   */
  data: () => D;
}

/** JSON Schema (draft-07, ajv strict) of a phase's own options: an object with named properties. */
export interface PhaseOptionsSchema {
  type: 'object';
  required?: string[];
  properties: Record<string, object>;
  description?: string;
}

/** A phase type. */
export interface PhaseDefinition<C extends PhaseConfigBase = PhaseConfigBase, D = unknown> {
  /** `phases[i].type` of this phase. */
  type: C['type'];
  /** One line for docs and the schema. */
  description: string;
  /** The phase's options; `type`, `name`, `checkpointEvery`, `resetOptimizer` (and `reference`) are added. */
  optionsSchema: PhaseOptionsSchema;
  /** Present for phases whose loss has a KL term: whether `config` uses the reference. */
  usesReference?(config: C): boolean;
  /**
   * Load-time checks and resolution (no side effects beyond reading the phase's own files): `options`
   * passed the schema with defaults applied; report what the schema cannot express with `ctx.problem`.
   */
  resolve(options: C, ctx: ResolveContext): ResolvedPhase<C, D>;
  /** Runs the phase from `ctx.startStep` to `phase.steps`, calling `ctx.endStep` after each step. */
  run(ctx: PhaseContext, phase: C, data: D): Promise<void>;
}

/** The config type of a phase definition. */
export type PhaseConfigOf<P> = P extends PhaseDefinition<infer C, infer _D> ? C : never;

/** Returns `definition` unchanged; only adds types (the phase's config `C` flows into resolve and run). */
export function definePhase<C extends PhaseConfigBase, D = undefined>(definition: PhaseDefinition<C, D>): PhaseDefinition<C, D> {
  return definition;
}

/** `fn` called at most once; later calls return (or throw) what the first did. */
export function once<T>(fn: () => T): () => T {
  let state: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  return () => {
    if (state === null) {
      try {
        state = { ok: true, value: fn() };
      } catch (error) {
        state = { ok: false, error };
      }
    }
    if (!state.ok) throw state.error;
    return state.value;
  };
}

const REFERENCES: readonly ReferenceChoice[] = ['base', 'phase-start'];

/** The JSON Schema of one `phases[i]` entry of `definition`: its options plus the fields every phase has. */
export function phaseSchema(definition: PhaseDefinition<PhaseConfigBase, unknown>): object {
  const own = definition.optionsSchema;
  return {
    type: 'object',
    additionalProperties: false,
    description: definition.description,
    required: ['type', ...(own.required ?? [])],
    properties: {
      type: { const: definition.type },
      name: { type: 'string', description: 'label shown in progress and logs' },
      ...own.properties,
      checkpointEvery: { type: 'integer', minimum: 1, description: 'checkpoint every k steps of this phase (overrides checkpoint.every)' },
      resetOptimizer: { type: 'boolean', default: false, description: "clear the optimizer's moment estimates when the phase starts" },
      ...(definition.usesReference
        ? { reference: { enum: [...REFERENCES], description: "KL reference: 'base' (the model the server loaded) or 'phase-start' (the weights when this phase starts); required after a phase that trained" } }
        : {}),
    },
  };
}
