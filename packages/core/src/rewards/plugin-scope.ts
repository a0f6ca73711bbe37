// Plugin scope: plugin code runs inside an AsyncLocalStorage scope naming its plugin, hook and sample, so
// that a stray rejected promise, an exception thrown from a timer or a call of process.exit is charged to
// the hook that caused it (the scope follows promises and timers), instead of crashing the whole process.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Where plugin code runs: which plugin, which hook, which sample (absent for setup/teardown/import). */
export interface PluginScope {
  plugin: string;
  hook: string;
  sampleId?: string;
}

/** A fault of plugin code outside the hook's own promise: a stray rejection, a timer's throw, process.exit. */
export interface PluginFault extends PluginScope {
  message: string;
  /** True when the hook had already settled: its sample kept its result and the fault is reported alone. */
  late: boolean;
}

interface ScopeState extends PluginScope {
  /** Rejects the hook's pending call with the fault; false when it already settled. */
  fail(error: Error): boolean;
}

const storage = new AsyncLocalStorage<ScopeState>();
const lateListeners = new Set<(fault: PluginFault) => void>();
const realExit = process.exit.bind(process);
let installed = 0;

/** The error a plugin's call of process.exit turns into. */
export class PluginExitError extends Error {
  constructor(code: unknown) {
    super(`plugin code called process.exit(${code === undefined ? '' : JSON.stringify(code)}); a plugin must return a score or throw, never end the process`);
    this.name = 'PluginExitError';
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name === 'Error' ? '' : `${value.name}: `}${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function report(state: ScopeState, kind: string, value: unknown): boolean {
  const error = value instanceof PluginExitError ? value : new Error(`${kind} in plugin code: ${describe(value)}`);
  if (state.fail(error)) return true;
  const fault: PluginFault = { plugin: state.plugin, hook: state.hook, ...(state.sampleId === undefined ? {} : { sampleId: state.sampleId }), message: error.message, late: true };
  for (const listener of lateListeners) listener(fault);
  return lateListeners.size > 0;
}

function onRejection(reason: unknown): void {
  const state = storage.getStore();
  if (state && report(state, 'unhandled promise rejection', reason)) return;
  if (process.listenerCount('unhandledRejection') === 1) crash(reason);
}

function onException(error: unknown): void {
  const state = storage.getStore();
  if (state && report(state, 'uncaught exception', error)) return;
  if (process.listenerCount('uncaughtException') === 1) crash(error);
}

/** Not plugin code, and no other handler: behave as Node does without handlers (print, exit 1; 'exit' hooks still run). */
function crash(error: unknown): void {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : `Uncaught ${describe(error)}`}\n`);
  realExit(process.exitCode === undefined || process.exitCode === 0 ? 1 : process.exitCode);
}

function guardedExit(code?: number | string | null): never {
  if (storage.getStore()) throw new PluginExitError(code);
  return realExit(code as number | undefined);
}

/**
 * Installs the process-wide handlers (reference counted; the returned function removes them with the last
 * user): unhandled rejections and uncaught exceptions of plugin code fail their hook (or are reported as a
 * late fault), process.exit from plugin code throws PluginExitError. Faults outside any plugin scope keep
 * Node's behaviour (printed, exit code 1).
 */
export function installPluginFaultHandlers(): () => void {
  if (installed++ === 0) {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    process.exit = guardedExit as typeof process.exit;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--installed === 0) {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      process.exit = realExit as typeof process.exit;
    }
  };
}

/** Subscribes to faults that arrive after their hook settled; returns the unsubscribe function. */
export function onLateFault(listener: (fault: PluginFault) => void): () => void {
  lateListeners.add(listener);
  return () => lateListeners.delete(listener);
}

/**
 * Runs `fn` (plugin code) in `scope`. The returned promise settles with `fn`, or rejects with the first
 * fault raised in the scope (a stray rejection, a throw from a timer it started, process.exit) while it is
 * still pending. Faults after it settled go to the onLateFault listeners.
 */
export function runInPluginScope<T>(scope: PluginScope, fn: () => Promise<T> | T): Promise<T> {
  let settled = false;
  let rejectFault: (error: Error) => void = () => {};
  const faulted = new Promise<never>((_, reject) => (rejectFault = reject));
  const state: ScopeState = {
    ...scope,
    fail(error) {
      if (settled) return false;
      settled = true;
      rejectFault(error);
      return true;
    },
  };
  faulted.catch(() => {});
  const work = storage.run(state, () => Promise.resolve().then(fn));
  const done = () => {
    settled = true;
  };
  work.then(done, done);
  return Promise.race([work, faulted]);
}

/** Runs `fn` outside any plugin scope (host code called by a plugin, e.g. the sandbox, is not plugin code). */
export function outsidePluginScope<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The scope of the code running now, if it is plugin code. */
export function currentPluginScope(): PluginScope | undefined {
  const s = storage.getStore();
  return s && { plugin: s.plugin, hook: s.hook, ...(s.sampleId === undefined ? {} : { sampleId: s.sampleId }) };
}
