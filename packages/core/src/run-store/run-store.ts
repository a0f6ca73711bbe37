// The run directory runs/<name>/: frozen config.json, metrics.jsonl, samples.jsonl, checkpoints/, state.json.
import { appendJsonl } from '@molrl/common';
import { existsSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errors } from '../errors.ts';

/** What state.json records after each checkpoint: where to resume and how many lines that checkpoint saw. */
export interface RunState {
  /** Index of the phase to resume in. */
  phase: number;
  /** Steps of that phase already done (and saved in `checkpoint`). */
  stepInPhase: number;
  /** Steps done over all phases (the `step` of metrics lines). */
  globalStep: number;
  /** Checkpoint directory holding this state, absolute; null before the first checkpoint. */
  checkpoint: string | null;
  /** Lines of metrics.jsonl and samples.jsonl written when the checkpoint was taken. */
  metricsLines: number;
  samplesLines: number;
  /** True once every phase finished. */
  finished: boolean;
  updatedAt: string;
}

/** Bytes offset just after the first `lines` newline-terminated lines of `text` (torn last lines dropped). */
function offsetOfLines(buf: Buffer, lines: number): number {
  let seen = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a && ++seen === lines) return i + 1;
  }
  return seen < lines ? -1 : 0;
}

/** Counts complete lines of a file (0 when missing). */
function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const buf = readFileSync(file);
  let n = 0;
  for (const b of buf) if (b === 0x0a) n++;
  return n;
}

/** A run directory. All appends are line-atomic (one write per call). */
export class RunStore {
  readonly dir: string;
  readonly metricsFile: string;
  readonly samplesFile: string;
  readonly checkpointsDir: string;
  readonly stateFile: string;
  readonly configFile: string;
  #metricsLines: number;
  #samplesLines: number;

  private constructor(dir: string) {
    this.dir = resolve(dir);
    this.metricsFile = join(this.dir, 'metrics.jsonl');
    this.samplesFile = join(this.dir, 'samples.jsonl');
    this.checkpointsDir = join(this.dir, 'checkpoints');
    this.stateFile = join(this.dir, 'state.json');
    this.configFile = join(this.dir, 'config.json');
    this.#metricsLines = countLines(this.metricsFile);
    this.#samplesLines = countLines(this.samplesFile);
  }

  /** Creates `runsDir/<name>` (name made unique with -2, -3... when taken) and freezes `config` in config.json. */
  static create(runsDir: string, name: string, config: unknown): RunStore {
    mkdirSync(runsDir, { recursive: true });
    let dir = join(runsDir, name);
    for (let i = 2; existsSync(dir); i++) dir = join(runsDir, `${name}-${i}`);
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const store = new RunStore(dir);
    writeFileSync(store.configFile, JSON.stringify(config, null, 2) + '\n');
    writeFileSync(store.metricsFile, '');
    writeFileSync(store.samplesFile, '');
    return store;
  }

  /**
   * Opens an existing run to resume it: reads state.json and truncates metrics.jsonl and samples.jsonl back to
   * the line counts the last checkpoint saw (so resumed steps neither lose nor duplicate lines).
   */
  static resume(dir: string): { store: RunStore; state: RunState | null; config: unknown } {
    const abs = resolve(dir);
    if (!existsSync(join(abs, 'config.json'))) throw errors.RUN_NOT_FOUND(abs);
    const config = JSON.parse(readFileSync(join(abs, 'config.json'), 'utf8')) as unknown;
    let state: RunState | null = null;
    if (existsSync(join(abs, 'state.json'))) {
      try {
        state = JSON.parse(readFileSync(join(abs, 'state.json'), 'utf8')) as RunState;
      } catch (cause) {
        throw errors.RUN_STATE_INVALID(join(abs, 'state.json'), cause);
      }
    }
    RunStore.#truncate(join(abs, 'metrics.jsonl'), state?.metricsLines ?? 0);
    RunStore.#truncate(join(abs, 'samples.jsonl'), state?.samplesLines ?? 0);
    mkdirSync(join(abs, 'checkpoints'), { recursive: true });
    return { store: new RunStore(abs), state, config };
  }

  static #truncate(file: string, lines: number): void {
    if (!existsSync(file)) {
      writeFileSync(file, '');
      return;
    }
    const offset = offsetOfLines(readFileSync(file), lines);
    if (offset < 0) throw errors.RUN_STATE_INVALID(file, new Error(`has fewer than the ${lines} lines state.json recorded`));
    truncateSync(file, offset);
  }

  /** Lines written so far. */
  get metricsLines(): number {
    return this.#metricsLines;
  }
  get samplesLines(): number {
    return this.#samplesLines;
  }

  /** Appends metric records (one write). */
  appendMetrics(records: readonly object[]): void {
    appendJsonl(this.metricsFile, records);
    this.#metricsLines += records.length;
  }

  /** Appends sample records (one write). */
  appendSamples(records: readonly object[]): void {
    appendJsonl(this.samplesFile, records);
    this.#samplesLines += records.length;
  }

  /** Directory of the checkpoint at a global step. */
  checkpointDir(globalStep: number): string {
    return join(this.checkpointsDir, `step-${String(globalStep).padStart(6, '0')}`);
  }

  /** Writes state.json atomically (temporary file + rename), with the current line counts. */
  writeState(state: Omit<RunState, 'metricsLines' | 'samplesLines' | 'updatedAt'>): RunState {
    const full: RunState = { ...state, metricsLines: this.#metricsLines, samplesLines: this.#samplesLines, updatedAt: new Date().toISOString() };
    const tmp = `${this.stateFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(full, null, 2) + '\n');
    renameSync(tmp, this.stateFile);
    return full;
  }
}
