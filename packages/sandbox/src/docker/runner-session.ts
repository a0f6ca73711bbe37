// One warm container whose main process is the runner, reached over a hijacked attach stream (NDJSON).
import type Docker from 'dockerode';
import { PassThrough, type Duplex } from 'node:stream';
import { errors } from '../errors.ts';
import type { CompileResult, RunResult } from '../types.ts';
import { containerSpec, type ResolvedDockerOptions } from './docker-options.ts';

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

/** Why a request got no reply: the stream ended, a bad line came, or the deadline passed. */
export type SessionFailure = 'eof' | 'protocol' | 'unresponsive';

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
  #stream: Duplex | null = null;
  #parts: string[] = [];
  #stderrTail = '';
  #pending: Pending | null = null;
  #nextId = 1;
  #onReady: ((line: string) => void) | null = null;
  #onDeath: (() => void) | null = null;

  private constructor(container: Docker.Container) {
    this.container = container;
  }

  /** Create, attach and start a container, then wait for the runner's ready line. */
  static async start(o: ResolvedDockerOptions, poolId: string, onDeath: (s: RunnerSession) => void): Promise<RunnerSession> {
    const container = await o.docker.createContainer(containerSpec(o, poolId));
    const session = new RunnerSession(container);
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
      await container.start();
      const hello = JSON.parse(await ready) as { ready?: boolean; languages?: string[] };
      if (hello.ready !== true) throw new Error(`unexpected first line ${JSON.stringify(hello)}`);
      session.languages = hello.languages ?? ['python'];
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
    if (this.dead || !this.#stream) return Promise.reject({ kind: 'eof', detail: 'runner already gone' });
    if (this.#pending) throw new Error('RunnerSession.request: one request at a time');
    const id = this.#nextId++;
    this.runs++;
    return new Promise<RunnerReply>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail('unresponsive', `no reply within ${waitMs} ms`), waitMs);
      this.#pending = { id, resolve, reject, timer };
      this.#stream!.write(JSON.stringify({ ...payload, id }) + '\n');
    });
  }

  /** Short id of the container for messages. */
  get shortId(): string {
    return this.container.id.slice(0, 12);
  }

  /** The coded error for a failure of this session, after asking the daemon what happened. */
  async explain(failure: { kind: SessionFailure; detail: string }, waitedMs: number): Promise<{ oom: boolean; error: ReturnType<typeof errors.SANDBOX_RUNNER_FAILED> }> {
    if (failure.kind === 'unresponsive') return { oom: false, error: errors.SANDBOX_RUNNER_UNRESPONSIVE(this.shortId, waitedMs) };
    if (failure.kind === 'protocol') return { oom: false, error: errors.SANDBOX_RUNNER_FAILED(failure.detail) };
    try {
      const info = await this.container.inspect();
      // `docker rm -f` from outside marks the container 'removing' before it kills it
      if (info.State.Status === 'removing' || info.State.Status === 'dead') return { oom: false, error: errors.SANDBOX_CONTAINER_LOST(this.shortId, new Error(`container is ${info.State.Status}`)) };
      return { oom: info.State.OOMKilled === true, error: errors.SANDBOX_RUNNER_KILLED(this.shortId, info.State.Running ? 'still running' : info.State.ExitCode) };
    } catch (cause) {
      if ((cause as { statusCode?: number }).statusCode === 404) return { oom: false, error: errors.SANDBOX_CONTAINER_LOST(this.shortId, cause) };
      return { oom: false, error: errors.SANDBOX_DOCKER_UNAVAILABLE(cause) };
    }
  }

  /** Kill and remove the container (idempotent, never throws). */
  async destroy(): Promise<void> {
    this.#fail('eof', 'container destroyed');
    this.#stream?.destroy();
    try {
      await this.container.remove({ force: true });
    } catch {
      // already gone, or the daemon is: removeStaleContainers() finds it later by its labels
    }
  }
}
