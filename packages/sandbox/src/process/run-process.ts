// Spawns one execution with execa in its own process group, caps its output, serves the marker, kills on deadline.
import { execa } from 'execa';
import type { Readable, Writable } from 'node:stream';

/** How to spawn and watch one execution. */
export interface SpawnSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: string;
  timeoutMs: number;
  outputLimitBytes: number;
  /** When set, fd 3 (program writes `marker\n`) and fd 4 (program reads the marker, once) are opened. */
  marker: string | null;
  /**
   * Tests mode: fds 6 (the judge's requests, read by the program) and 7 (its replies) are opened and handed to
   * `link`; when `until` settles (the judge is done) the program's group is killed and the run ends as `served`.
   */
  tests?: { link(requests: Writable, replies: Readable): void; until: Promise<unknown> };
  signal?: AbortSignal;
}

/** What happened, before it is mapped to a RunStatus. */
export interface SpawnOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  truncated: boolean;
  /** Why the run was ended from here; `served`: it answered its tests to their end and was stopped. */
  ending: 'timeout' | 'killed' | 'output_limit' | 'served' | null;
  markerRequested: boolean;
  /** Set when the process could not be started at all. */
  spawnError: Error | null;
}

/** Time allowed for pipes to drain after the group was killed, before they are cut (a setsid'd grandchild may hold them). */
const DRAIN_MS = 500;

/** Runs `spec.argv`; never rejects. */
export async function runProcess(spec: SpawnSpec): Promise<SpawnOutcome> {
  const outcome: SpawnOutcome = {
    exitCode: null,
    signal: null,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    truncated: false,
    ending: null,
    markerRequested: false,
    spawnError: null,
  };
  const sub = execa(spec.argv[0]!, spec.argv.slice(1), {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: false,
    input: spec.stdin,
    buffer: false,
    reject: false,
    detached: true, // own process group, killed as a whole
    cleanup: true,
    stdio: stdioOf(spec),
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  const killGroup = () => {
    try {
      if (sub.pid !== undefined) process.kill(-sub.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  };
  const cutPipes = () => {
    for (const stream of sub.stdio) (stream as Readable | Writable | null)?.destroy();
  };
  let drainTimer: NodeJS.Timeout | undefined;
  const end = (why: Exclude<SpawnOutcome['ending'], null>) => {
    outcome.ending ??= why;
    killGroup();
    drainTimer ??= setTimeout(cutPipes, DRAIN_MS);
  };

  const collect = (stream: Readable | null, chunks: Buffer[]) => {
    let size = 0;
    stream?.on('data', (chunk: Buffer) => {
      const room = spec.outputLimitBytes - size;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        size = spec.outputLimitBytes;
        outcome.truncated = true;
        end('output_limit');
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    stream?.on('error', () => undefined);
  };
  const stdoutChunks: Buffer[] = [];
  const stderrChunks: Buffer[] = [];
  collect(sub.stdout, stdoutChunks);
  collect(sub.stderr, stderrChunks);
  if (spec.marker !== null) serveMarker(sub.stdio[3] as Readable, sub.stdio[4] as Writable, spec.marker, () => (outcome.markerRequested = true));
  let exited = false;
  if (spec.tests) {
    const stdio = sub.stdio as unknown as Array<Readable | Writable>;
    spec.tests.link(stdio[6] as Writable, stdio[7] as Readable);
    void spec.tests.until.finally(() => {
      if (!exited) end('served');
    });
  }

  const deadline = setTimeout(() => end('timeout'), spec.timeoutMs);
  const onAbort = () => end('killed');
  if (spec.signal?.aborted) onAbort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  // Background children left in the group must not outlive the program or keep the pipes open.
  sub.on('exit', () => {
    exited = true;
    killGroup();
    drainTimer ??= setTimeout(cutPipes, DRAIN_MS);
  });
  try {
    const result = await sub;
    if (result.failed && result.exitCode === undefined && result.signal === undefined && result.cause) outcome.spawnError = result.cause as Error;
    outcome.exitCode = result.exitCode ?? null;
    outcome.signal = result.signal ?? null;
    outcome.stdout = Buffer.concat(stdoutChunks);
    outcome.stderr = Buffer.concat(stderrChunks);
  } finally {
    clearTimeout(deadline);
    clearTimeout(drainTimer);
    spec.signal?.removeEventListener('abort', onAbort);
  }
  return outcome;
}

/** stdin, stdout, stderr; fds 3 and 4 for the marker; fds 6 and 7 for the tests (unused ones closed). */
function stdioOf(spec: SpawnSpec): ['pipe', 'pipe', 'pipe', ...Array<'pipe' | 'ignore'>] {
  const stdio: ['pipe', 'pipe', 'pipe', ...Array<'pipe' | 'ignore'>] = ['pipe', 'pipe', 'pipe'];
  if (spec.marker !== null || spec.tests) stdio.push(...(spec.marker !== null ? (['pipe', 'pipe'] as const) : (['ignore', 'ignore'] as const)));
  if (spec.tests) stdio.push('ignore', 'pipe', 'pipe');
  return stdio;
}

/** fd 3 -> fd 4 marker channel: the first `marker` line gets the marker back on fd 4, which is then closed. */
function serveMarker(requests: Readable, replies: Writable, marker: string, onRequest: () => void): void {
  let seen = '';
  let served = false;
  requests.on('error', () => undefined);
  replies.on('error', () => undefined);
  requests.on('data', (chunk: Buffer) => {
    if (served) return;
    seen += chunk.toString('latin1');
    if (seen.includes('marker\n')) {
      served = true;
      onRequest();
      replies.end(`${marker}\n`);
    } else if (seen.length > 64) {
      served = true; // not the protocol: close the channel without the marker
      replies.end();
    }
  });
}
