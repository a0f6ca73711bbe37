// One warm container whose main process is the runner, reached over a unix socket in a directory bind-mounted from
// this machine (a local daemon) or over the hijacked attach stream (NDJSON either way). The attach stream stays
// open in both cases: it carries the ready line and the runner's stderr, and its end is one sign of death.
import type Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import type { MolrlError } from '@molrl/common';
import { errors } from '../errors.ts';
import type { CompileResult, RunResult, RunStatus } from '../types.ts';
import { containerSpec, DOCKER_CALL_TIMEOUT_MS, RUNNER_SOCKET_NAME, type ResolvedDockerOptions } from './docker-options.ts';
import { freshProgramUid } from '../program-uid.ts';

/** The runner's reply to one request (see sandbox-images/python/runner.py). */
export interface RunnerReply extends Omit<RunResult, 'status' | 'compile'> {
  id: number;
  /** A RunStatus, unchecked until the pool maps it. */
  status: string;
  /** What the runner had to clean up after the run (processes, files, IPC objects): > 0 recycles the container. */
  leftovers: number;
  /** For a compiled language: how the compile went (the pool adds `cached`). */
  compile?: Omit<CompileResult, 'cached'>;
  /** For `op: 'compile'`: the files the compile produced, base64, to send with later runs. */
  artifact?: Record<string, string>;
}

/**
 * Why a request got no reply: the stream ended, a bad line came, or, past the deadline, the container sat idle
 * (`unresponsive`), was paused, kept burning CPU all through the overtime (`starved`: a program starving the
 * runner), or the daemon itself gave no answer about it (`unreachable`: a daemon that hangs).
 */
export type SessionFailure = 'eof' | 'protocol' | 'unresponsive' | 'paused' | 'starved' | 'unreachable';

/** What a failed request amounts to: the program's doing (a limit) or the sandbox's (sandbox_error). */
export interface FailureVerdict {
  status: Extract<RunStatus, 'memory_limit' | 'timeout' | 'sandbox_error'>;
  error: MolrlError;
}

/** CPU time (ns) the container must burn while the runner is silent for the silence to be the program's doing. */
const BUSY_NS_PER_S = 0.05e9;
/** How long the container's CPU use is watched when its runner gives no reply. */
const WATCH_MS = 300;
/** How long a runner past its deadline may stay silent while its container burns CPU (a program starving it). */
const OVERTIME_MS = 30_000;
/** How often and how long a container whose stream ended is inspected again until the daemon marks it exited. */
const SETTLE_TRIES = 20;
const SETTLE_MS = 100;
const callSignal = () => ({ abortSignal: AbortSignal.timeout(DOCKER_CALL_TIMEOUT_MS) });
/**
 * The per-container socket directories of this machine: `<tmpdir>/molrl-sock-<pid of the owning process>-<random>`
 * (the stale sweep removes those of dead processes).
 */
export const SOCKET_DIR_PATTERN = /^molrl-sock-(\d+)-/;

/** How a session's requests travel: the runner's unix socket, or the container's attach stream. */
export type SessionTransport = 'socket' | 'attach';

/**
 * A fresh directory (mode 0700, this process's user) for a container's runner socket, where the pool asks for the
 * socket transport and its daemon is reached through a unix socket (so probably runs on this machine); else null.
 */
function socketDirFor(o: ResolvedDockerOptions): string | null {
  const modem = o.docker.modem as { socketPath?: unknown; host?: unknown };
  // dockerode's default client holds a function that finds the local socket
  const unix = typeof modem.socketPath === 'string' || typeof modem.socketPath === 'function';
  if (o.transport !== 'socket' || !unix || modem.host) return null;
  return mkdtempSync(join(tmpdir(), `molrl-sock-${process.pid}-`));
}

/** A connection to the unix socket at `path`, or null when there is none (a remote daemon made it elsewhere). */
function connectUnix(path: string, ms: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const conn = createConnection({ path });
    const timer = setTimeout(() => done(null), ms);
    const done = (value: Socket | null) => {
      clearTimeout(timer);
      conn.off('connect', onConnect).off('error', onError);
      if (value === null) conn.destroy();
      resolve(value);
    };
    const onConnect = () => done(conn);
    const onError = () => done(null);
    conn.once('connect', onConnect).once('error', onError);
  });
}

interface Pending {
  id: number;
  resolve(reply: RunnerReply): void;
  reject(failure: { kind: SessionFailure; detail: string }): void;
  timer: NodeJS.Timeout;
}

/** A container plus its runner; one request at a time. */
export class RunnerSession {
  readonly container: Docker.Container;
  runs = 0;
  dead = false;
  languages: string[] = [];
  /** What the runner can do beyond plain runs (`tests`). */
  features: string[] = [];
  /** The uid its programs run as (the judge: the next one). */
  programUid = 0;
  #stream: Duplex | null = null;
  /** Where requests are written: the runner's socket, or the attach stream. */
  #channel: Duplex | null = null;
  /** This machine's directory bind-mounted for the runner's socket (null: attach only). */
  readonly #socketDir: string | null;
  #transport: SessionTransport = 'attach';
  #parts: string[] = [];
  #stderrTail = '';
  #pending: Pending | null = null;
  #nextId = 1;
  #onReady: ((line: string) => void) | null = null;
  #onDeath: (() => void) | null = null;
  /** The Docker host for messages (null: the default daemon). */
  readonly #host: string | null;

  private constructor(container: Docker.Container, host: string | null, socketDir: string | null) {
    this.container = container;
    this.#host = host;
    this.#socketDir = socketDir;
  }

  /** This machine's directory bind-mounted for the runner's socket, or null. */
  get socketDir(): string | null {
    return this.#socketDir;
  }

  /** How this session's requests travel. */
  get transport(): SessionTransport {
    return this.#transport;
  }

  /** Create (labelled `molrl.start` = `startId`), attach and start a container, then wait for the runner's ready line. */
  static async start(o: ResolvedDockerOptions, poolId: string, startId: string, onDeath: (s: RunnerSession) => void): Promise<RunnerSession> {
    const socketDir = socketDirFor(o);
    let container: Docker.Container;
    try {
      container = await o.docker.createContainer({ ...containerSpec(o, poolId, freshProgramUid(), startId, socketDir), abortSignal: AbortSignal.timeout(o.startTimeoutMs) });
    } catch (error) {
      if (socketDir !== null) rmSync(socketDir, { recursive: true, force: true });
      throw error;
    }
    const session = new RunnerSession(container, o.host.name, socketDir);
    let timer: NodeJS.Timeout | undefined;
    try {
      const ready = new Promise<string>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`runner not ready within ${o.startTimeoutMs} ms; stderr: ${session.#stderrTail}`)), o.startTimeoutMs);
        session.#onReady = resolve;
        session.#onDeath = () => reject(new Error(`runner exited before it was ready; stderr: ${session.#stderrTail.slice(-2000)}`));
      });
      ready.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      session.#wire(o.docker, stream);
      await container.start({ abortSignal: AbortSignal.timeout(o.startTimeoutMs) });
      const hello = JSON.parse(await ready) as { ready?: boolean; languages?: string[]; isolated?: boolean; features?: string[]; uid?: number; preload?: { failed?: Record<string, string> }; socket?: boolean };
      if (hello.ready !== true) throw new Error(`unexpected first line ${JSON.stringify(hello)}`);
      const failed = hello.preload?.failed ?? {};
      if (Object.keys(failed).length > 0) throw errors.SANDBOX_PRELOAD_FAILED(o.image, failed);
      // Fail closed: a runner that cannot move programs to another uid would leave pid 1 and itself in their reach.
      if (hello.isolated !== true) throw new Error(`the runner does not isolate programs from itself (${JSON.stringify(hello)}); rebuild the image with 'npm run setup'`);
      session.languages = hello.languages ?? ['python'];
      session.features = hello.features ?? [];
      session.programUid = hello.uid ?? 0;
      // the runner listens until the first request comes, here or on stdin: without a socket here, stdin it is
      const conn = hello.socket === true && socketDir !== null ? await connectUnix(join(socketDir, RUNNER_SOCKET_NAME), o.startTimeoutMs) : null;
      if (conn) session.#wireSocket(conn);
      session.#onDeath = () => onDeath(session);
      if (session.dead) throw new Error('runner exited right after it was ready');
      return session;
    } catch (error) {
      session.#onDeath = null;
      await session.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #wire(docker: Docker, stream: Duplex): void {
    this.#stream = stream;
    this.#channel = stream;
    const out = new PassThrough();
    const err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => this.#onData(chunk));
    err.setEncoding('utf8');
    err.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-4000);
    });
    const ended = () => this.#fail('eof', `runner stream ended; stderr: ${this.#stderrTail.slice(-500)}`);
    stream.on('end', ended);
    stream.on('close', ended);
    stream.on('error', (e) => this.#fail('eof', `runner stream failed: ${e.message}`));
  }

  /** Requests and replies go over the runner's socket from now on; its end is the runner's end, as the stream's. */
  #wireSocket(conn: Socket): void {
    this.#channel = conn;
    this.#transport = 'socket';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => this.#onData(chunk));
    const ended = () => this.#fail('eof', `runner socket closed; stderr: ${this.#stderrTail.slice(-500)}`);
    conn.on('end', ended);
    conn.on('close', ended);
    conn.on('error', (e) => this.#fail('eof', `runner socket failed: ${e.message}`));
  }

  #onData(chunk: string): void {
    if (!chunk.includes('\n')) {
      this.#parts.push(chunk); // a large reply arrives in many chunks: join once, not per chunk
      return;
    }
    this.#parts.push(chunk);
    let rest = this.#parts.join('');
    this.#parts = [];
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim() === '') continue;
      if (this.#onReady) {
        const ready = this.#onReady;
        this.#onReady = null;
        ready(line);
        continue;
      }
      const pending = this.#pending;
      let reply: RunnerReply | null = null;
      try {
        reply = JSON.parse(line) as RunnerReply;
      } catch {
        // handled below as a protocol fault
      }
      if (!pending || !reply || reply.id !== pending.id || typeof reply.status !== 'string') {
        this.#fail('protocol', `unexpected line from the runner: ${line.slice(0, 200)}`);
        return;
      }
      this.#pending = null;
      clearTimeout(pending.timer);
      pending.resolve(reply);
    }
    if (rest !== '') this.#parts.push(rest);
  }

  #fail(kind: SessionFailure, detail: string): void {
    const first = !this.dead;
    this.dead = true;
    const pending = this.#pending;
    this.#pending = null;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject({ kind, detail });
    }
    if (first) this.#onDeath?.();
  }

  /** Send one request; resolves with the reply, rejects with a SessionFailure when none comes by `waitMs`. */
  request(payload: Record<string, unknown>, waitMs: number): Promise<RunnerReply> {
    if (this.dead || !this.#channel) return Promise.reject({ kind: 'eof', detail: 'runner already gone' });
    if (this.#pending) throw new Error('RunnerSession.request: one request at a time');
    const id = this.#nextId++;
    this.runs++;
    return new Promise<RunnerReply>((resolve, reject) => {
      const timer = setTimeout(() => void this.#overdue(id, waitMs), waitMs);
      this.#pending = { id, resolve, reject, timer };
      this.#channel!.write(JSON.stringify({ ...payload, id }) + '\n');
    });
  }

  /** Short id of the container for messages. */
  get shortId(): string {
    return this.container.id.slice(0, 12);
  }

  /**
   * What a failure of this session amounts to, after asking the daemon. Programs cannot reach the runner (another
   * uid), so a runner that died or went silent is the sandbox's fault (sandbox_error), except: the container's
   * memory ran out (OOM: the program's), or the container burnt CPU all through the overtime while the runner was
   * silent (`starved`: timeout). Paused (docker pause), killed, removed, or the daemon gone: sandbox_error.
   */
  async explain(failure: { kind: SessionFailure; detail: string }, waitedMs: number): Promise<FailureVerdict> {
    const infra = (error: MolrlError): FailureVerdict => ({ status: 'sandbox_error', error });
    if (failure.kind === 'protocol') return infra(errors.SANDBOX_RUNNER_FAILED(failure.detail));
    if (failure.kind === 'unreachable') return infra(errors.SANDBOX_DOCKER_UNAVAILABLE(new Error(failure.detail), this.#host));
    let state: Docker.ContainerInspectInfo['State'];
    try {
      state = (await this.container.inspect(callSignal())).State;
      // the stream of a container being killed may end a moment before the daemon marks it exited
      for (let i = 0; failure.kind === 'eof' && state.Running && !state.Paused && i < SETTLE_TRIES; i++) {
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        state = (await this.container.inspect(callSignal())).State;
      }
    } catch (cause) {
      if ((cause as { statusCode?: number }).statusCode === 404) return infra(errors.SANDBOX_CONTAINER_LOST(this.shortId, cause));
      return infra(errors.SANDBOX_DOCKER_UNAVAILABLE(cause, this.#host));
    }
    // `docker rm -f` from outside marks the container 'removing' before it kills it
    if (state.Status === 'removing' || state.Status === 'dead') return infra(errors.SANDBOX_CONTAINER_LOST(this.shortId, new Error(`container is ${state.Status}`)));
    if (state.Paused || failure.kind === 'paused') return infra(errors.SANDBOX_CONTAINER_PAUSED(this.shortId, waitedMs));
    if (state.OOMKilled) return { status: 'memory_limit', error: errors.SANDBOX_RUNNER_KILLED(this.shortId, 'OOM') };
    if (!state.Running) return infra(errors.SANDBOX_RUNNER_KILLED(this.shortId, state.ExitCode));
    if (failure.kind === 'starved') return { status: 'timeout', error: errors.SANDBOX_RUNNER_UNRESPONSIVE(this.shortId, waitedMs) };
    if (failure.kind === 'unresponsive') return infra(errors.SANDBOX_RUNNER_UNRESPONSIVE(this.shortId, waitedMs));
    return infra(errors.SANDBOX_RUNNER_FAILED(`the runner's stream ended while its container still runs (${failure.detail})`));
  }

  /**
   * Past the deadline the reply may still come (a late reply stands): meanwhile the container is watched. Paused,
   * or idle with no reply: the sandbox's fault. Burning CPU: a program starves the runner; the runner gets
   * OVERTIME_MS to answer before the run counts as the program's timeout.
   */
  async #overdue(id: number, waitMs: number): Promise<void> {
    const still = () => this.#pending?.id === id;
    const started = performance.now();
    while (still()) {
      let state: Docker.ContainerInspectInfo['State'] | null = null;
      try {
        state = (await this.container.inspect(callSignal())).State;
      } catch (error) {
        // a daemon that hangs: no use asking it more; any other failure is decided by the stream or the next look
        if (still() && (error as { name?: string }).name === 'AbortError') {
          return this.#fail('unreachable', `no reply within ${waitMs} ms, and the daemon gave no answer about the container within ${DOCKER_CALL_TIMEOUT_MS} ms`);
        }
      }
      if (!still()) return;
      if (state?.Paused) return this.#fail('paused', `paused after ${waitMs} ms`);
      const busy = await this.#busy();
      if (!still()) return;
      if (!busy) return this.#fail('unresponsive', `no reply within ${waitMs} ms`);
      if (performance.now() - started > OVERTIME_MS) return this.#fail('starved', `no reply within ${waitMs} ms plus ${OVERTIME_MS} ms while the container burnt CPU`);
    }
  }

  /** Whether the container burns CPU (its programs do: the runner, zygote and judge only wait), over WATCH_MS. */
  async #busy(): Promise<boolean> {
    const usage = async (): Promise<number> => (await this.container.stats({ stream: false, 'one-shot': true, ...callSignal() })).cpu_stats?.cpu_usage?.total_usage ?? NaN;
    try {
      const before = await usage();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, WATCH_MS));
      const used = (await usage()) - before;
      return used > (BUSY_NS_PER_S * (performance.now() - t0)) / 1000;
    } catch {
      return false; // the daemon cannot tell: not evidence against the program
    }
  }

  /** Kill and remove the container (idempotent, never throws). */
  async destroy(): Promise<void> {
    this.#fail('eof', 'container destroyed');
    this.#channel?.destroy();
    this.#stream?.destroy();
    try {
      await this.container.remove({ force: true, ...callSignal() });
    } catch {
      // already gone, or the daemon is: removeStaleContainers() finds it later by its labels
    }
    if (this.#socketDir !== null) rmSync(this.#socketDir, { recursive: true, force: true });
  }
}
