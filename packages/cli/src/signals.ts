// Ctrl-C and SIGTERM for long commands: the first one asks for a clean stop (the command finishes what it
// must, closes sandboxes and servers, exits 130), a second one stops at once.
import { EXIT_INTERRUPTED } from './exit-codes.ts';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A handler installed for SIGINT and SIGTERM. */
export interface Interrupt {
  /** The first signal received, or null. */
  readonly signal: NodeJS.Signals | null;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Calls `first` on the first SIGINT or SIGTERM, and `second` (default: exit 130 at once; exit hooks still
 * run) on the next one. Both signals are handled alike: a supervisor's SIGTERM is a clean stop too.
 */
export function onInterrupt(first: (signal: NodeJS.Signals) => void, second: (signal: NodeJS.Signals) => void = () => process.exit(EXIT_INTERRUPTED)): Interrupt {
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
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
