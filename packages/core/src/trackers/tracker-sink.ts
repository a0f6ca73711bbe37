// The trainer's side of the tracker sink: spawns molrl_policy/trackers.py, feeds it each metrics line over a
// pipe, and turns any failure (no Python, library missing, bad key, the sink dying) into one warning: training
// never stops or waits for a tracker.
import { defaultServerDir } from '@molrl/policy-client';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { errors } from '../errors.ts';
import type { LoggingConfig } from './logging-config.ts';

/** Where the metrics lines go besides metrics.jsonl. */
export interface TrackerSink {
  /** Sends one metrics line (never throws, never blocks on the tracker). */
  log(record: Record<string, unknown>): void;
  /** Ends the input and waits (at most `timeoutMs`) for the trackers to flush. Never throws. */
  close(timeoutMs?: number): Promise<void>;
}

/** What the sink needs to know about the run. */
export interface TrackerRunInfo {
  runDir: string;
  runName: string;
  /** The frozen job config (the run's parameters). */
  config: unknown;
  /** Global step of the checkpoint a resumed run starts from (null for a new run). */
  resumeStep: number | null;
  /** Python with the tracker libraries. */
  python: string;
  /** Warnings go here (each tracker warns at most once). */
  warn(message: string): void;
  /** Informational lines (a tracker started). */
  info?(message: string): void;
  /** The sink script. @default packages/policy-server/molrl_policy/trackers.py */
  script?: string;
}

const NOOP: TrackerSink = { log() {}, close: async () => {} };

/** Starts the trackers `logging` configures (a no-op sink when none is). */
export function startTrackers(logging: LoggingConfig | undefined, run: TrackerRunInfo): TrackerSink {
  const wanted = [logging?.wandb ? 'wandb' : null, logging?.tensorboard ? 'tensorboard' : null].filter((t): t is string => t !== null);
  if (!logging || wanted.length === 0) return NOOP;
  const warned = new Set<string>();
  const warnOnce = (tracker: string, message: string) => {
    if (warned.has(tracker)) return;
    warned.add(tracker);
    const error = errors.TRACKER_FAILED(tracker, message);
    run.warn(`${error.code}: ${error.message}`);
  };
  let child: ChildProcess | null;
  let alive = true;
  const stderr: string[] = [];
  try {
    child = spawn(run.python, [run.script ?? join(defaultServerDir, 'molrl_policy', 'trackers.py')], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  } catch (error) {
    warnOnce(wanted.join(' and '), `cannot start ${run.python}: ${(error as Error).message}`);
    return NOOP;
  }
  const exited = new Promise<void>((resolve) => {
    child!.once('error', (error) => {
      alive = false;
      warnOnce(wanted.join(' and '), `cannot start the tracker sink with ${run.python}: ${error.message}`);
      resolve();
    });
    child!.once('close', (code, signal) => {
      if (alive && (code !== 0 || signal)) warnOnce(wanted.join(' and '), `the tracker sink exited (${signal ?? `code ${code}`}): ${stderr.slice(-5).join(' | ') || 'no output'}`);
      alive = false;
      resolve();
    });
  });
  child.stdin!.on('error', () => {}); // EPIPE after the sink died: its exit is reported above
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 50) stderr.shift();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: { event?: string; tracker?: string; message?: string; detail?: string };
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (event.event === 'warning') warnOnce(event.tracker ?? 'tracker', event.message ?? 'failed');
    else if (event.event === 'ready') run.info?.(`${event.tracker}: logging metrics (${event.detail ?? ''})`);
  });
  const send = (message: object) => {
    if (alive && child!.stdin!.writable) child!.stdin!.write(`${JSON.stringify(message)}\n`);
  };
  send({ type: 'init', runName: run.runName, runDir: run.runDir, config: run.config, resumeStep: run.resumeStep, wandb: logging.wandb ?? null, tensorboard: logging.tensorboard ?? null });
  return {
    log: (record) => send({ type: 'metrics', record }),
    async close(timeoutMs = 120_000) {
      if (alive) child!.stdin!.end();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const how = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (how === 'late') {
        warnOnce(wanted.join(' and '), `the trackers did not finish within ${timeoutMs / 1000} s; stopped them`);
        alive = false;
        child!.kill('SIGKILL');
      }
    },
  };
}
