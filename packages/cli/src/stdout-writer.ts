// Writing results to standard output with back-pressure (a slow reader never makes molrl buffer its whole
// output), and a quiet stop when the reader goes away (`molrl score ... | head`: EPIPE, no stack trace).
import { once } from 'node:events';

/** A writer on process.stdout. */
export interface StdoutWriter {
  /** Writes `text`, waiting while the pipe is full; does nothing once the reader is gone. */
  write(text: string): Promise<void>;
  /** True once the reader closed the pipe. */
  readonly closed: boolean;
  dispose(): void;
}

/** Wraps process.stdout; `onClosed` runs once when the reader closes the pipe (EPIPE). */
export function stdoutWriter(onClosed: () => void): StdoutWriter {
  const out = process.stdout;
  let closed = false;
  const gone = new AbortController();
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    if (closed) return;
    closed = true;
    gone.abort();
    onClosed();
  };
  out.on('error', onError);
  return {
    async write(text) {
      if (closed) return;
      if (out.write(text)) return;
      await once(out, 'drain', { signal: gone.signal }).catch(() => undefined);
    },
    get closed() {
      return closed;
    },
    dispose() {
      if (!closed) out.off('error', onError);
      // once the pipe broke, later writes by anyone must stay quiet too: keep the listener
    },
  };
}
