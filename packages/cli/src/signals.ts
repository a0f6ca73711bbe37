// Ctrl-C and SIGTERM for long commands: the first one asks for a clean stop (the command finishes what it
// must, closes sandboxes and servers, exits 130), a second one stops at once.
import { execFileSync } from 'node:child_process';
import { EXIT_INTERRUPTED } from './exit-codes.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A handler installed for SIGINT and SIGTERM. */
export interface Interrupt {
  /** The first signal received, or null. */
  readonly signal: NodeJS.Signals | null;
  /** Removes the handlers, unless a signal came: then a later one still exits at once (the process is ending). */
  dispose(): void;
}

/**
 * Removes, synchronously, every sandbox container this process owns (label `molrl.pid`): the last resort
 * before an immediate exit, when a clean close of the pool may still be under way. Never throws.
 */
export function removeOwnContainersSync(): void {
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=molrl.pid=${process.pid}`], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    // no docker CLI or daemon: nothing of ours can be running there
  }
}

/** The default reaction to a second signal: remove our containers, exit 130 now (exit hooks still run). */
export function exitNow(): never {
  removeOwnContainersSync();
  process.exit(EXIT_INTERRUPTED);
}

/**
 * Calls `first` on the first SIGINT or SIGTERM, and `second` (default: exitNow) on the next one. Both
 * signals are handled alike: a supervisor's SIGTERM is a clean stop too.
 */
export function onInterrupt(first: (signal: NodeJS.Signals) => void, second: (signal: NodeJS.Signals) => void = exitNow): Interrupt {
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (received === null) {
      received = signal;
      first(signal);
    } else second(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get signal() {
      return received;
    },
    dispose() {
      if (received === null) for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
