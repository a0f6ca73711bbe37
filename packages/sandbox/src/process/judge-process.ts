// The judge of a process-backend tests run: judge.py in its own process (own bubblewrap, own uid as root),
// fed the tests on stdin, linked to the program's fds 6/7 through this process, its verdict read from stdout.
import { execa } from 'execa';
import type { Readable, Writable } from 'node:stream';
import type { TestsOutcome, TestsVerdict } from '../types.ts';

const VERDICTS = new Set<string>(['tests_passed', 'tests_failed', 'tests_error', 'program_error', 'syntax_error']);
const VERDICT_MAX = 1 << 16;
const DIAG_MAX = 4000;

/** How the judge ended. */
export interface JudgeEnd {
  /** Its verdict, or null when it wrote none. */
  outcome: TestsOutcome | null;
  signal: string | null;
  /** The tail of its stderr (why it wrote no verdict). */
  diag: string;
}

/** A running judge. */
export interface JudgeProcess {
  /** Connects the judge's requests (its fd 3) to the program's fd 6 and the program's replies (fd 7) to its fd 4. */
  link(requests: Writable, replies: Readable): void;
  /** Settles when the judge exits. */
  readonly exited: Promise<JudgeEnd>;
  /** Kills the judge's process group (idempotent). */
  kill(): void;
}

/** Starts `argv` (see buildJudgeCommand) with the tests on its stdin; never throws for the judge's own failures. */
export function startJudge(argv: string[], tests: string, env: Record<string, string>): JudgeProcess {
  const sub = execa(argv[0]!, argv.slice(1), {
    env,
    extendEnv: false,
    input: tests,
    buffer: false,
    reject: false,
    detached: true,
    cleanup: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    encoding: 'buffer',
  });
  const capture = (stream: Readable | null, max: number): Buffer[] => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream?.on('data', (chunk: Buffer) => {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
    });
    stream?.on('error', () => undefined);
    return chunks;
  };
  const out = capture(sub.stdout, VERDICT_MAX);
  const err = capture(sub.stderr, DIAG_MAX);
  for (const stream of sub.stdio.slice(3)) (stream as Readable | Writable | null)?.on('error', () => undefined);
  const kill = () => {
    try {
      if (sub.pid !== undefined) process.kill(-sub.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const exited = sub.then((result) => {
    kill(); // whatever it started goes with it
    return { outcome: parseVerdict(Buffer.concat(out).toString('utf8')), signal: result.signal ?? null, diag: Buffer.concat(err).toString('utf8').slice(-DIAG_MAX) };
  });
  return {
    link(requests, replies) {
      requests.on('error', () => undefined); // the program may be gone
      replies.on('error', () => undefined);
      (sub.stdio[3] as Readable).pipe(requests);
      replies.pipe(sub.stdio[4] as unknown as Writable);
    },
    exited,
    kill,
  };
}

/** The judge's one JSON line, or null. */
export function parseVerdict(text: string): TestsOutcome | null {
  const line = text.trim().split('\n')[0] ?? '';
  try {
    const v = JSON.parse(line) as { verdict?: unknown; detail?: unknown };
    if (typeof v?.verdict === 'string' && VERDICTS.has(v.verdict)) return { verdict: v.verdict as TestsVerdict, detail: typeof v.detail === 'string' ? v.detail : '' };
  } catch {
    // not a verdict
  }
  return null;
}
