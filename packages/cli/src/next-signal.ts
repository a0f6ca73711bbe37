// Waiting for Ctrl-C / SIGTERM while a foreground service runs.

/** Resolves with the first of SIGINT / SIGTERM, or with null once `until` settles; removes its listeners. */
export function nextSignal(until: Promise<unknown>): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      off();
      resolve(signal);
    };
    const off = (): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
    void until.then(() => {
      off();
      resolve(null);
    });
  });
}
