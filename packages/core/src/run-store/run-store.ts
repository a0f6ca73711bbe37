// The run directory runs/<name>/: frozen config.json, metrics.jsonl, samples.jsonl, checkpoints/, state.json,
// and .lock while a process trains in it. Durable: the JSONL files are fsynced before state.json, which is
// written to a temporary file, fsynced and renamed, so a crash or a full disk never leaves a state that
// points past what is on disk; resume refuses (changing nothing) whatever it cannot trust.
import { appendJsonl } from '@molrl/common';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errors } from '../errors.ts';
import { lockRunDir } from './run-lock.ts';

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

/** Debris a checkpoint save killed mid-way leaves: `<dir>.tmp-<pid>` (being written) and `<dir>.old-<pid>` (being replaced). */
const CHECKPOINT_DEBRIS = /\.(tmp|old)-\d+$/;

/**
 * Scans `file` in chunks (never the whole file in memory): its number of complete lines, the byte offset
 * just after line `keep` (-1 when it has fewer; 0 for keep 0), and the text of line `keep`.
 */
function scanLines(file: string, keep = Number.POSITIVE_INFINITY): { lines: number; offset: number; last: string | null } {
  if (!existsSync(file)) return { lines: 0, offset: keep === 0 ? 0 : -1, last: null };
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let lines = 0;
  let pos = 0;
  let offset = keep === 0 ? 0 : -1;
  let last: string | null = null;
  let current: Buffer[] = [];
  try {
    for (let n = readSync(fd, chunk, 0, chunk.length, null); n > 0; n = readSync(fd, chunk, 0, chunk.length, null)) {
      const data = chunk.subarray(0, n);
      let from = 0;
      for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, from)) {
        lines++;
        if (lines === keep) {
          offset = pos + i + 1;
          last = Buffer.concat([...current, data.subarray(from, i)]).toString('utf8');
        }
        current = [];
        from = i + 1;
      }
      if (lines < keep) current.push(Buffer.from(data.subarray(from)));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return { lines, offset, last };
}

/** Whether a JSONL line is whole (parses as JSON). */
function whole(line: string | null): boolean {
  if (line === null) return true;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Checks the shape of a parsed state.json; RUN_STATE_INVALID names the first bad field. */
function checkState(file: string, s: Partial<RunState>): RunState {
  const count = (k: keyof RunState) => Number.isSafeInteger(s[k]) && (s[k] as number) >= 0;
  for (const k of ['phase', 'stepInPhase', 'globalStep', 'metricsLines', 'samplesLines'] as const) {
    if (!count(k)) throw errors.RUN_STATE_INVALID(file, new Error(`"${k}" must be a count (got ${JSON.stringify(s[k])})`));
  }
  if (s.checkpoint !== null && typeof s.checkpoint !== 'string') throw errors.RUN_STATE_INVALID(file, new Error(`"checkpoint" must be a path or null (got ${JSON.stringify(s.checkpoint)})`));
  if (typeof s.finished !== 'boolean') throw errors.RUN_STATE_INVALID(file, new Error(`"finished" must be a boolean (got ${JSON.stringify(s.finished)})`));
  return s as RunState;
}

/** A run directory, locked by this process while open. All appends are line-atomic (one write per call). */
export class RunStore {
  readonly dir: string;
  readonly metricsFile: string;
  readonly samplesFile: string;
  readonly checkpointsDir: string;
  readonly stateFile: string;
  readonly configFile: string;
  #metricsLines: number;
  #samplesLines: number;
  #unlock: () => void;

  private constructor(dir: string, unlock: () => void) {
    this.dir = resolve(dir);
    this.metricsFile = join(this.dir, 'metrics.jsonl');
    this.samplesFile = join(this.dir, 'samples.jsonl');
    this.checkpointsDir = join(this.dir, 'checkpoints');
    this.stateFile = join(this.dir, 'state.json');
    this.configFile = join(this.dir, 'config.json');
    this.#metricsLines = scanLines(this.metricsFile).lines;
    this.#samplesLines = scanLines(this.samplesFile).lines;
    this.#unlock = unlock;
  }

  /** Creates `runsDir/<name>` (name made unique with -2, -3... when taken, even by a concurrent create), locks it and freezes `config` in config.json. */
  static create(runsDir: string, name: string, config: unknown): RunStore {
    mkdirSync(runsDir, { recursive: true });
    let dir = join(runsDir, name);
    for (let i = 2; ; i++) {
      try {
        mkdirSync(dir);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw errors.RUN_STORE_WRITE_FAILED(dir, dir, error);
        dir = join(runsDir, `${name}-${i}`);
      }
    }
    const unlock = lockRunDir(dir);
    const store = new RunStore(dir, unlock);
    store.#write(() => {
      mkdirSync(store.checkpointsDir);
      writeFileSync(store.configFile, JSON.stringify(config, null, 2) + '\n');
      writeFileSync(store.metricsFile, '');
      writeFileSync(store.samplesFile, '');
    }, store.configFile);
    return store;
  }

  /**
   * Opens an existing run to resume it, locked (RUN_LOCKED when another live process has it). Checks
   * before changing anything: state.json (RUN_STATE_INVALID; RUN_STATE_MISSING when it is gone but the run
   * has lines or checkpoints), the checkpoint it names (RUN_CHECKPOINT_INVALID), the lines it counted
   * (RUN_STATE_INVALID when fewer or torn). Then removes half-written checkpoint directories (`repaired`)
   * and cuts metrics.jsonl and samples.jsonl back to the line counts of the last checkpoint (so resumed
   * steps neither lose nor duplicate lines; a torn last line goes with them).
   */
  static resume(dir: string): { store: RunStore; state: RunState | null; config: unknown; repaired: string[] } {
    const abs = resolve(dir);
    if (!existsSync(join(abs, 'config.json'))) throw errors.RUN_NOT_FOUND(abs);
    const unlock = lockRunDir(abs);
    try {
      const config = JSON.parse(readFileSync(join(abs, 'config.json'), 'utf8')) as unknown;
      const stateFile = join(abs, 'state.json');
      const checkpoints = join(abs, 'checkpoints');
      const entries = existsSync(checkpoints) ? readdirSync(checkpoints) : [];
      let state: RunState | null = null;
      if (existsSync(stateFile)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(stateFile, 'utf8'));
        } catch (cause) {
          throw errors.RUN_STATE_INVALID(stateFile, cause);
        }
        state = checkState(stateFile, (parsed ?? {}) as Partial<RunState>);
        if (state.checkpoint !== null) {
          if (!existsSync(state.checkpoint)) throw errors.RUN_CHECKPOINT_INVALID(abs, state.checkpoint, 'does not exist');
          if (!existsSync(join(state.checkpoint, 'state.json'))) throw errors.RUN_CHECKPOINT_INVALID(abs, state.checkpoint, 'is incomplete (no state.json, which a checkpoint writes last)');
        }
      } else {
        const found = [
          scanLines(join(abs, 'metrics.jsonl')).lines > 0 ? 'metrics.jsonl has lines' : '',
          scanLines(join(abs, 'samples.jsonl')).lines > 0 ? 'samples.jsonl has lines' : '',
          entries.some((e) => !CHECKPOINT_DEBRIS.test(e)) ? 'checkpoints/ has checkpoints' : '',
        ].filter(Boolean);
        if (found.length) throw errors.RUN_STATE_MISSING(abs, found.join(', '));
      }
      const cuts = (['metrics.jsonl', 'samples.jsonl'] as const).map((name) => {
        const file = join(abs, name);
        const keep = name === 'metrics.jsonl' ? (state?.metricsLines ?? 0) : (state?.samplesLines ?? 0);
        const scan = scanLines(file, keep);
        if (scan.offset < 0) throw errors.RUN_STATE_INVALID(file, new Error(`has ${scan.lines} complete lines, fewer than the ${keep} that state.json recorded`));
        if (!whole(scan.last)) throw errors.RUN_STATE_INVALID(file, new Error(`line ${keep}, which state.json counts as written, is not whole JSON`));
        return { file, offset: scan.offset };
      });
      const repaired: string[] = [];
      for (const e of entries.filter((x) => CHECKPOINT_DEBRIS.test(x))) {
        rmSync(join(checkpoints, e), { recursive: true, force: true });
        repaired.push(join(checkpoints, e));
      }
      for (const { file, offset } of cuts) {
        if (existsSync(file)) truncateSync(file, offset);
        else writeFileSync(file, '');
      }
      mkdirSync(checkpoints, { recursive: true });
      return { store: new RunStore(abs, unlock), state, config, repaired };
    } catch (error) {
      unlock();
      throw error;
    }
  }

  /** Runs `fn` (writes of `file`); RUN_STORE_WRITE_FAILED for a file-system error (a full disk, a read-only mount). */
  #write<T>(fn: () => T, file: string): T {
    try {
      return fn();
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code === undefined) throw error;
      throw errors.RUN_STORE_WRITE_FAILED(this.dir, file, error);
    }
  }

  /** Releases the run directory's lock (idempotent). */
  close(): void {
    this.#unlock();
    this.#unlock = () => {};
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
    this.#write(() => appendJsonl(this.metricsFile, records), this.metricsFile);
    this.#metricsLines += records.length;
  }

  /** Appends sample records (one write). */
  appendSamples(records: readonly object[]): void {
    this.#write(() => appendJsonl(this.samplesFile, records), this.samplesFile);
    this.#samplesLines += records.length;
  }

  /** Directory of the checkpoint at a global step. */
  checkpointDir(globalStep: number): string {
    return join(this.checkpointsDir, `step-${String(globalStep).padStart(6, '0')}`);
  }

  /**
   * Makes the lines written so far durable (fsync), then writes state.json with their counts: temporary
   * file, fsync, rename, fsync of the directory. On a failure the previous state.json stays as it was.
   */
  writeState(state: Omit<RunState, 'metricsLines' | 'samplesLines' | 'updatedAt'>): RunState {
    const full: RunState = { ...state, metricsLines: this.#metricsLines, samplesLines: this.#samplesLines, updatedAt: new Date().toISOString() };
    this.#write(() => {
      fsyncFile(this.metricsFile);
      fsyncFile(this.samplesFile);
    }, this.metricsFile);
    const tmp = `${this.stateFile}.tmp-${process.pid}`;
    this.#write(() => {
      try {
        writeFileSync(tmp, JSON.stringify(full, null, 2) + '\n');
        fsyncFile(tmp);
        renameSync(tmp, this.stateFile);
        fsyncFile(this.dir);
      } catch (error) {
        if (existsSync(tmp)) unlinkSync(tmp);
        throw error;
      }
    }, this.stateFile);
    return full;
  }
}
