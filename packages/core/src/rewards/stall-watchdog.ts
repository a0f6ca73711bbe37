// The in-process stall watchdog: plugin code that runs on the main thread (workers: false) can block it in
// a synchronous loop, which no timer, signal handler or Ctrl-C can interrupt. One watchdog thread per
// process watches a heartbeat the main thread writes; when it stops for longer than the limit while hooks
// are in flight, the watchdog prints PLUGIN_STUCK naming them, removes this process's sandbox containers
// (label molrl.pid) and ends the process with SIGKILL (the blocked thread can run no exit hook).
import { Worker } from 'node:worker_threads';
import { errors } from '../errors.ts';
import type { PluginScope } from './plugin-scope.ts';

const TICK_MS = 250;
const TEXT_BYTES = 4096;

/** The watchdog thread (CommonJS, evaluated): reads [heartbeat ms, armed, text length, limit ms] and the text. */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { execFileSync } = require('node:child_process');
const { writeSync } = require('node:fs');
const { tickMs, buffer, pid, template } = workerData;
const head = new Float64Array(buffer, 0, 4);
const text = new Uint8Array(buffer, 32);
setInterval(() => {
  if (head[1] === 0 || Date.now() - head[0] <= head[3]) return;
  const inFlight = Buffer.from(text.subarray(0, head[2])).toString('utf8');
  const seconds = String(Math.round((Date.now() - head[0]) / 1000));
  writeSync(2, 'molrl: PLUGIN_STUCK: ' + template.replace('%LIMIT%', String(head[3])).replace('%IN_FLIGHT%', inFlight).replace('%SECONDS%', seconds) + '\\n');
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', 'label=molrl.pid=' + pid], { encoding: 'utf8', timeout: 10000 }).split('\\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 20000 });
  } catch {}
  process.kill(pid, 'SIGKILL');
}, tickMs);
`;

/** One user of the watchdog (a reward engine with in-process plugins). */
export interface StallWatch {
  /** Marks `scope` as running on the main thread until the returned function is called; `limitMs` overrides the watcher's limit. */
  enter(scope: PluginScope, limitMs?: number): () => void;
  /** Stops watching (the thread goes with the last watcher). */
  release(): void;
}

interface Watched {
  limitMs: number;
  running: Map<PluginScope, number>;
}

const watched = new Set<Watched>();
let state: { worker: Worker; timer: NodeJS.Timeout; head: Float64Array; text: Uint8Array } | null = null;

/** Writes the heartbeat, the limit and whether (and which) hooks are in flight. */
function beat(withText: boolean): void {
  if (!state) return;
  let limit = 0;
  const scopes: PluginScope[] = [];
  for (const w of watched) {
    for (const [s, ms] of w.running) {
      limit = Math.max(limit, ms);
      if (scopes.length <= 20) scopes.push(s);
    }
  }
  const { head, text } = state;
  head[0] = Date.now();
  head[3] = limit;
  head[1] = scopes.length > 0 ? 1 : 0;
  if (!withText || scopes.length === 0) return;
  const shown = scopes.slice(0, 20).map((s) => `${s.plugin} hook ${s.hook}${s.sampleId === undefined ? '' : ` sample ${JSON.stringify(s.sampleId)}`}`).join(', ') + (scopes.length > 20 ? ' and more' : '');
  const bytes = Buffer.from(shown, 'utf8').subarray(0, TEXT_BYTES);
  text.set(bytes);
  head[2] = bytes.length;
}

function start(): void {
  const buffer = new SharedArrayBuffer(32 + TEXT_BYTES);
  const head = new Float64Array(buffer, 0, 4);
  const text = new Uint8Array(buffer, 32);
  const timer = setInterval(() => beat(false), TICK_MS);
  timer.unref();
  const template = errors.PLUGIN_STUCK(0, '%IN_FLIGHT%', '%SECONDS%').message.replace('limit 0 ms', 'limit %LIMIT% ms');
  const worker = new Worker(WATCHDOG, { eval: true, execArgv: [], workerData: { tickMs: TICK_MS, buffer, pid: process.pid, template } });
  worker.unref();
  state = { worker, timer, head, text };
  beat(true);
}

/**
 * Watches hooks that run on the main thread: the process ends when the main thread stops running for more
 * than `limitMs` while any entered hook has not left.
 */
export function watchStalls(limitMs: number): StallWatch {
  const entry: Watched = { limitMs, running: new Map() };
  watched.add(entry);
  if (!state) start();
  return {
    enter(scope, ms = limitMs) {
      entry.running.set(scope, ms);
      beat(true);
      return () => {
        entry.running.delete(scope);
        beat(entry.running.size > 0);
      };
    },
    release() {
      if (!watched.delete(entry) || watched.size > 0 || !state) return;
      clearInterval(state.timer);
      void state.worker.terminate();
      state = null;
    },
  };
}
