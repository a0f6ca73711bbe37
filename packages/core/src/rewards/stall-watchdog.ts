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

interface Watched {
  limitMs: number;
  inFlight(): readonly PluginScope[];
}

const watched = new Set<Watched>();
let running: { worker: Worker; timer: NodeJS.Timeout } | null = null;

function start(): void {
  const buffer = new SharedArrayBuffer(32 + TEXT_BYTES);
  const head = new Float64Array(buffer, 0, 4);
  const text = new Uint8Array(buffer, 32);
  const beat = () => {
    let limit = 0;
    const scopes: PluginScope[] = [];
    for (const w of watched) {
      const list = w.inFlight();
      if (list.length > 0) limit = Math.max(limit, w.limitMs);
      scopes.push(...list);
    }
    head[0] = Date.now();
    head[3] = limit;
    if (scopes.length === 0) {
      head[1] = 0;
      return;
    }
    const shown = scopes.slice(0, 20).map((s) => `${s.plugin} hook ${s.hook}${s.sampleId === undefined ? '' : ` sample ${JSON.stringify(s.sampleId)}`}`).join(', ') + (scopes.length > 20 ? ` and ${scopes.length - 20} more` : '');
    const bytes = Buffer.from(shown, 'utf8').subarray(0, TEXT_BYTES);
    text.set(bytes);
    head[2] = bytes.length;
    head[1] = 1;
  };
  beat();
  const timer = setInterval(beat, TICK_MS);
  timer.unref();
  const template = errors.PLUGIN_STUCK(0, '%IN_FLIGHT%', '%SECONDS%').message.replace('limit 0 ms', 'limit %LIMIT% ms');
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { tickMs: TICK_MS, buffer, pid: process.pid, template } });
  worker.unref();
  running = { worker, timer };
}

/**
 * Watches the hooks `inFlight()` reports (plugin code on the main thread): the process ends when the main
 * thread stops running for more than `limitMs` while any is in flight. Returns the function that stops
 * watching (the thread goes with the last watcher).
 */
export function watchStalls(limitMs: number, inFlight: () => readonly PluginScope[]): () => void {
  const entry: Watched = { limitMs, inFlight };
  watched.add(entry);
  if (!running) start();
  return () => {
    if (!watched.delete(entry) || watched.size > 0 || !running) return;
    clearInterval(running.timer);
    void running.worker.terminate();
    running = null;
  };
}
