// A small progress bar on stderr, drawn only when the stream is a terminal (no output at all otherwise).

/** A progress bar; every method is a no-op when the stream is not a TTY. */
export interface ProgressBar {
  /** Advances by `n` (default 1). */
  tick(n?: number): void;
  /** Erases the bar. */
  done(): void;
}

/** Creates a bar `label [#####-----] done/total rate/s`, redrawn at most every 100 ms. */
export function createProgressBar(opts: { total?: number; label?: string; stream?: NodeJS.WriteStream } = {}): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return { tick() {}, done() {} };
  const start = performance.now();
  let count = 0;
  let last = 0;
  const draw = () => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50));
    const rate = count / Math.max(1e-3, (performance.now() - start) / 1000);
    const frac = opts.total ? Math.min(1, count / opts.total) : 0;
    const bar = opts.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '-')}] ` : '';
    stream.write(`\r\x1b[2K${opts.label ? `${opts.label} ` : ''}${bar}${count}${opts.total ? `/${opts.total}` : ''} ${rate.toFixed(1)}/s`);
  };
  return {
    tick(n = 1) {
      count += n;
      const now = performance.now();
      if (now - last >= 100 || count === opts.total) {
        last = now;
        draw();
      }
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}
