// The docker backend: a FIFO-queued pool of warm hardened containers, each with a persistent fork-server runner.
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import type { CompileResult, RunOptions, RunRequest, RunResult, Sandbox } from '../types.ts';
import { errors } from '../errors.ts';
import {
  DEFAULT_DOCKER_IMAGE,
  DEFAULT_LANGUAGES_IMAGE,
  DOCKER_CALL_TIMEOUT_MS,
  EXEC_TMP_LABEL,
  hostOfClient,
  resolveDockerOptions,
  type DockerSandboxOptions,
  type ResolvedDockerOptions,
} from './docker-options.ts';
import { RunnerSession, type RunnerReply, type SessionFailure, type SessionTransport } from './runner-session.ts';
import { removeStaleContainers, trackPool, untrackPool } from './exit-cleanup.ts';
import { checkRequest } from '../check-request.ts';
import { expectedRunnerHash, staleImageReason } from './image-freshness.ts';
import { CompileCache, compileKey, type CompileOutcome } from './compile-cache.ts';
import { WaitQueue } from './wait-queue.ts';
import { loadDockerode } from './load-dockerode.ts';
import { canonicalLanguage, COMPILED_LANGUAGES, DEFAULT_COMPILE_TIMEOUT_MS, LANGUAGE_NAMES } from '../languages.ts';

/** Statuses after which a container is not reused. */
const RECYCLE_AFTER = new Set(['timeout', 'killed', 'memory_limit', 'sandbox_error']);

/**
 * A pool of warm containers implementing Sandbox. Languages its image lacks go to a second pool of the
 * multi-language image (started on demand); compiled languages compile once per source (CompileCache).
 */
export class DockerSandbox implements Sandbox {
  readonly backend = 'docker' as const;
  /** Label value `molrl.pool` of this pool's containers. */
  readonly poolId = randomBytes(6).toString('hex');
  readonly #o: ResolvedDockerOptions;
  readonly #idle: RunnerSession[] = [];
  readonly #live = new Set<RunnerSession>();
  readonly #waiters = new WaitQueue<RunnerSession>();
  #starting = 0;
  /** `molrl.start` labels of the containers being started now: not yet held, yet no sweep may remove them. */
  readonly #startIds = new Set<string>();
  #closed = false;
  #lastStartError: Error | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  readonly #uids = new Set<number>();
  /** Container starts under way; close() waits for them (each removes its container once it sees the pool closed). */
  readonly #inFlight = new Set<Promise<void>>();
  /** Languages this pool's image runs (from the runner's ready line), null until a container was ready. */
  #languages: Set<string> | null = null;
  /** The multi-language pool, for languages this image lacks; started on the first such request. */
  #secondary: Promise<DockerSandbox> | null = null;
  #secondaryReady: DockerSandbox | null = null;
  readonly #compiles: CompileCache;

  constructor(options: ResolvedDockerOptions) {
    this.#o = options;
    this.#compiles = new CompileCache(options.compileCacheMb * 1024 * 1024);
  }

  /** Why the last container start failed, or null. */
  get startError(): Error | null {
    return this.#lastStartError;
  }

  /** Every uid the programs of this pool's containers (and its multi-language pool's) ran as so far (their judges: the next uid). */
  get programUids(): number[] {
    return [...this.#uids, ...(this.#secondaryReady?.programUids ?? [])];
  }

  /** Ids of the containers this pool holds now (idle or busy), those of its multi-language pool included. */
  get containerIds(): string[] {
    return [...[...this.#live].map((s) => s.container.id), ...(this.#secondaryReady?.containerIds ?? [])];
  }

  /** Directories of this machine bind-mounted for the runner sockets of this pool's containers (its multi-language pool's included). */
  get socketDirs(): string[] {
    return [...[...this.#live].flatMap((s) => (s.socketDir === null ? [] : [s.socketDir])), ...(this.#secondaryReady?.socketDirs ?? [])];
  }

  /** How requests reach each container this pool holds now (its own, not its multi-language pool's). */
  get transports(): SessionTransport[] {
    return [...this.#live].map((s) => s.transport);
  }

  /** Compiles this pool (or its multi-language pool) ran, cache misses only: for tests and benchmarks. */
  get compiles(): number {
    return this.#compiles.compiles + (this.#secondaryReady?.compiles ?? 0);
  }

  /** The Docker host as configured (`unix://…`, `tcp://…`, `ssh://…`), null for the default daemon. */
  get host(): string | null {
    return this.#o.host.name;
  }

  /** docker CLI flags that reach this pool's daemon (the exit cleanup runs `docker <flags> rm -f`). */
  get dockerCliArgs(): string[] {
    return this.#o.host.cliArgs;
  }

  /** Start containers until the pool is full; resolves when those started now are ready (or failed). */
  async fill(): Promise<void> {
    if (this.#closed) return;
    const want = this.#o.poolSize - this.#live.size - this.#starting;
    await Promise.all(
      Array.from({ length: Math.max(0, want) }, () => {
        const start = this.#startOne();
        this.#inFlight.add(start);
        return start.finally(() => this.#inFlight.delete(start));
      }),
    );
  }

  /**
   * Starts the missing containers and waits for every start under way: whether the pool then holds a container
   * and its last start succeeded (a fleet asks this of a host after a fault there).
   */
  async warm(): Promise<boolean> {
    void this.fill();
    await Promise.allSettled([...this.#inFlight]);
    return this.#live.size > 0 && this.#lastStartError === null;
  }

  async #startOne(): Promise<void> {
    this.#starting++;
    const startId = randomBytes(6).toString('hex');
    this.#startIds.add(startId);
    try {
      const session = await RunnerSession.start(this.#o, this.poolId, startId, (s) => this.#onDeath(s));
      this.#starting--;
      this.#startIds.delete(startId); // in the same tick as it joins #live below (or is destroyed)
      if (this.#closed) return void (await session.destroy());
      if (this.#lastStartError) void this.#sweep(); // back after a fault: containers it could not remove then
      this.#lastStartError = null;
      this.#languages ??= new Set(session.languages.map((l) => canonicalLanguage(l) ?? l));
      this.#live.add(session);
      this.#uids.add(session.programUid);
      this.#release(session);
    } catch (cause) {
      this.#starting--;
      this.#startIds.delete(startId); // RunnerSession.start removed its container, or a sweep will
      // a module of the preload list the image lacks is the config's fault: said as such, not as a container failure
      this.#lastStartError = (cause as { code?: string }).code === 'SANDBOX_PRELOAD_FAILED' ? (cause as Error) : errors.SANDBOX_CONTAINER_FAILED(this.#o.image, cause, this.#o.host.name);
      if (this.#live.size === 0 && this.#starting === 0) {
        this.#waiters.rejectAll(this.#lastStartError);
      }
      if (!this.#closed && !this.#retryTimer) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          if (!this.#closed) void this.fill();
        }, 1000);
        this.#retryTimer.unref();
      }
    }
  }

  /**
   * Removes this pool's containers that it no longer holds (left by a daemon restart or a failed removal). One
   * that is still starting is not held yet either: it is known by its `molrl.start` label, and both sets are
   * read after the listing comes back, in one tick, so a start that ends meanwhile is in one or the other.
   */
  async #sweep(): Promise<void> {
    try {
      const abortSignal = AbortSignal.timeout(DOCKER_CALL_TIMEOUT_MS);
      const list = await this.#o.docker.listContainers({ all: true, filters: { label: [`molrl.pool=${this.poolId}`] }, abortSignal });
      const live = new Set(this.containerIds);
      const lost = list.filter((c) => !live.has(c.Id) && !this.#startIds.has(c.Labels['molrl.start'] ?? ''));
      await Promise.all(lost.map((c) => this.#o.docker.getContainer(c.Id).remove({ force: true, abortSignal }).catch(() => undefined)));
    } catch {
      // the daemon is still away: the next recovery sweeps again
    }
  }

  /** A runner died while idle (a busy one is retired by run() after it asked the daemon why). */
  #onDeath(session: RunnerSession): void {
    const i = this.#idle.indexOf(session);
    if (i < 0) return;
    this.#idle.splice(i, 1);
    this.#retire(session);
  }

  #release(session: RunnerSession): void {
    if (session.dead) return;
    if (!this.#waiters.serve(session)) this.#idle.push(session);
  }

  #retire(session: RunnerSession): void {
    this.#live.delete(session);
    void session.destroy();
    if (!this.#closed) void this.fill();
  }

  #acquire(signal: AbortSignal | undefined, compile = false): Promise<RunnerSession> {
    const idle = this.#idle.shift();
    if (idle) return Promise.resolve(idle);
    if (this.#live.size === 0 && this.#starting === 0) {
      if (this.#lastStartError) void this.fill();
      else return Promise.reject(errors.SANDBOX_CONTAINER_FAILED(this.#o.image, new Error('the pool holds no container'), this.#o.host.name));
    }
    return this.#waiters.wait(signal, compile);
  }

  async run(req: RunRequest, opts: RunOptions = {}): Promise<RunResult> {
    if (this.#closed) throw errors.SANDBOX_CLOSED('docker');
    checkDockerRequest(req, this.#o);
    const signal = opts.signal;
    if (signal?.aborted) throw errors.SANDBOX_ABORTED('docker', signal.reason);
    const language = canonicalLanguage(req.language);
    if (language === null) throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('docker', String(req.language), LANGUAGE_NAMES);
    if (this.#languages !== null && !this.#languages.has(language)) return (await this.#languagesPool(language)).run(req, opts);
    const payload: Record<string, unknown> = {
      language,
      code: req.code,
      stdin: req.stdin ?? '',
      files: req.files ?? {},
      timeoutMs: req.timeoutMs,
      memoryMb: req.memoryMb,
      outputLimitBytes: req.outputLimitBytes,
      marker: req.marker === true,
      tests: req.tests ?? null,
    };
    if (!COMPILED_LANGUAGES.has(language)) return (await this.#execute(payload, req.timeoutMs, signal)).result;
    const compileTimeoutMs = req.compileTimeoutMs ?? DEFAULT_COMPILE_TIMEOUT_MS;
    const key = compileKey(language, req.code, req.files);
    const compiling = this.#compiles.get(key, () => this.#compile({ ...payload, stdin: '', marker: false, op: 'compile', compileTimeoutMs }, compileTimeoutMs));
    const { outcome, cached } = await abortable(compiling, signal);
    if (outcome.kind === 'failed') {
      const result = structuredClone(outcome.result);
      if (result.compile) result.compile.cached = cached;
      return result;
    }
    const { result } = await this.#execute({ ...payload, artifact: outcome.files }, req.timeoutMs, signal);
    if (result.status !== 'sandbox_error') result.compile = { ...outcome.compile, cached };
    return result;
  }

  /** Compiles once in some container of this pool; the outcome is what CompileCache keeps. */
  async #compile(payload: Record<string, unknown>, compileTimeoutMs: number): Promise<CompileOutcome> {
    const { result, reply } = await this.#execute(payload, compileTimeoutMs, undefined, true);
    if (reply?.status === 'ok' && reply.artifact && reply.compile) return { kind: 'ok', files: reply.artifact, compile: reply.compile };
    if (result.status === 'sandbox_error') return { kind: 'failed', result, cacheable: false };
    if (result.status === 'compile_error' && result.compile) {
      result.compile.cached = false;
      return { kind: 'failed', result, cacheable: result.compile.status === 'runtime_error' };
    }
    // the container died of the compile (its memory, a kill, no reply): the compiler's failure
    const status = result.status as CompileResult['status'];
    const note = `[molrl] the compiler ended as ${status}${result.error ? ` (${result.error.message})` : ''}`;
    const compile: CompileResult = { ...pick(result), status, stderr: [result.stderr, note].filter(Boolean).join('\n'), cached: false };
    return { kind: 'failed', result: { ...emptyResult('compile_error', result.durationMs), stderr: compile.stderr, compile }, cacheable: false };
  }

  /** The second pool, of the multi-language image, for a language this pool's image lacks (started once, on demand). */
  async #languagesPool(language: string): Promise<DockerSandbox> {
    if (this.#o.image === this.#o.languagesImage) throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('docker', language, [...(this.#languages ?? [])]);
    this.#secondary ??= createDockerSandbox({ ...this.#o, preload: this.#o.preload ?? undefined, image: this.#o.languagesImage }).catch((error: unknown) => {
      this.#secondary = null; // try again on the next request: the image may be built meanwhile
      if ((error as { code?: string }).code === 'SANDBOX_IMAGE_MISSING') throw errors.SANDBOX_LANGUAGE_IMAGE_MISSING(language, this.#o.languagesImage);
      throw error;
    });
    const pool = await this.#secondary;
    this.#secondaryReady = pool;
    if (this.#closed) {
      await pool.close();
      throw errors.SANDBOX_CLOSED('docker');
    }
    return pool;
  }

  /** One request to one container: queue for a runner, send, map the reply (or the runner's end) to a RunResult. */
  async #execute(payload: Record<string, unknown>, timeoutMs: number, signal: AbortSignal | undefined, compile = false): Promise<{ result: RunResult; reply?: RunnerReply }> {
    let session: RunnerSession;
    try {
      session = await this.#acquire(signal, compile);
    } catch (error) {
      if ((error as { code?: string }).code === 'SANDBOX_ABORTED') throw error;
      return { result: infraResult(error as Error, 0) };
    }
    if (signal?.aborted) {
      this.#release(session);
      throw errors.SANDBOX_ABORTED('docker', signal.reason);
    }
    const language = payload.language as string;
    if (!session.languages.includes(language)) {
      this.#release(session);
      throw errors.SANDBOX_LANGUAGE_UNSUPPORTED('docker', language, session.languages);
    }
    if (payload.tests !== null && !session.features.includes('tests')) {
      this.#release(session);
      throw errors.SANDBOX_REQUEST_INVALID('tests', '(tests)', `an image whose runner runs tests; ${this.#o.image} does not: rebuild it with 'npm run setup'`);
    }
    const started = performance.now();
    const waitMs = timeoutMs + this.#o.graceMs;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      this.#retire(session); // kills the program with its container
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const reply = await session.request(payload, waitMs);
      const result = toResult(reply, session.shortId);
      const compileTripped = result.compile !== undefined && RECYCLE_AFTER.has(result.compile.status);
      if (RECYCLE_AFTER.has(result.status) || compileTripped || reply.leftovers > 0 || session.runs >= this.#o.maxRunsPerContainer) this.#retire(session);
      else this.#release(session);
      return { result, reply };
    } catch (failure) {
      if (aborted) throw errors.SANDBOX_ABORTED('docker', signal!.reason);
      const verdict = await session.explain(failure as { kind: SessionFailure; detail: string }, waitMs);
      this.#retire(session);
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      if (verdict.status === 'sandbox_error') return { result: infraResult(verdict.error, durationMs) };
      return { result: { ...emptyResult(verdict.status, durationMs), signal: 'SIGKILL', error: { code: verdict.error.code, message: verdict.error.message } } };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Remove every container of this pool; queued runs get a sandbox_error. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#waiters.rejectAll(errors.SANDBOX_CLOSED('docker'));
    const all = [...this.#live];
    this.#live.clear();
    this.#idle.length = 0;
    const secondary = this.#secondary;
    this.#secondary = null;
    this.#secondaryReady = null;
    await Promise.all([...all.map((s) => s.destroy()), secondary?.then((p) => p.close(), () => undefined)]);
    await Promise.allSettled([...this.#inFlight]);
    await this.#sweep();
    untrackPool(this);
  }
}

function emptyResult(status: RunResult['status'], durationMs: number): RunResult {
  return { status, exitCode: null, signal: null, stdout: '', stderr: '', truncated: false, durationMs };
}

/** Checks a request against the container limits before anything runs (coded errors, see checkRequest). */
export function checkDockerRequest(req: RunRequest, o: ResolvedDockerOptions): void {
  checkRequest(req, {
    maxMemoryMb: o.memoryMb,
    memoryHint: 'the container memory; raise sandbox.docker.memoryMb for more',
    maxFilesTotalBytes: (o.tmpfsMb * 1024 * 1024) / 2,
  });
}

/** The sandbox_error result of an infrastructure fault. */
export function infraResult(error: Error, durationMs: number): RunResult {
  const code = (error as { code?: string }).code ?? 'SANDBOX_RUNNER_FAILED';
  return { ...emptyResult('sandbox_error', durationMs), error: { code, message: error.message } };
}

const STATUSES = new Set<string>(['ok', 'compile_error', 'runtime_error', 'timeout', 'memory_limit', 'output_limit', 'killed', 'sandbox_error']);

function toResult(reply: RunnerReply, container: string): RunResult {
  if (!STATUSES.has(reply.status)) return infraResult(errors.SANDBOX_RUNNER_FAILED(`unknown status ${JSON.stringify(reply.status).slice(0, 100)}`), reply.durationMs ?? 0);
  if (reply.status === 'sandbox_error') {
    const message = reply.error?.message ?? 'no reason given';
    // the runner reports SANDBOX_SCRATCH_TAMPERED or SANDBOX_RUNNER_FAILED; anything else counts as the latter
    const error = reply.error?.code === 'SANDBOX_SCRATCH_TAMPERED' ? errors.SANDBOX_SCRATCH_TAMPERED(container, message) : errors.SANDBOX_RUNNER_FAILED(message);
    return infraResult(error, reply.durationMs ?? 0);
  }
  const result: RunResult = {
    status: reply.status as RunResult['status'],
    exitCode: reply.exitCode ?? null,
    signal: reply.signal ?? null,
    stdout: reply.stdout ?? '',
    stderr: reply.stderr ?? '',
    truncated: reply.truncated === true,
    durationMs: reply.durationMs ?? 0,
  };
  if (reply.error) result.error = reply.error;
  if (reply.marker) result.marker = reply.marker;
  if (reply.tests) result.tests = { verdict: reply.tests.verdict ?? null, detail: String(reply.tests.detail ?? '') };
  if (reply.compile) result.compile = { ...reply.compile, cached: false };
  return result;
}

/** Pings a daemon; the request is aborted after `ms` (dockerode takes the signal; its types do not say so). */
export function pingDocker(docker: Docker, ms: number): Promise<unknown> {
  const ping = docker.ping.bind(docker) as unknown as (opts: { abortSignal: AbortSignal }) => Promise<unknown>;
  return ping({ abortSignal: AbortSignal.timeout(ms) });
}

/** `p`, or a rejection once `ms` passed. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function pick(r: RunResult): Omit<CompileResult, 'status' | 'cached'> {
  return { exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated, durationMs: r.durationMs };
}

/** `promise`, or SANDBOX_ABORTED as soon as `signal` aborts (the work behind `promise` goes on for others). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(errors.SANDBOX_ABORTED('docker', signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(errors.SANDBOX_ABORTED('docker', signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/**
 * Checks a pool's daemon before containers start there: it answers within `timeoutMs`
 * (`SANDBOX_DOCKER_UNAVAILABLE`), has the image (`SANDBOX_IMAGE_MISSING`) and, for the default image, one built
 * from this checkout's runner (`SANDBOX_IMAGE_STALE`). Errors name the host when it is not the default daemon.
 */
export async function checkDockerHost(o: ResolvedDockerOptions, timeoutMs = DOCKER_CALL_TIMEOUT_MS): Promise<void> {
  const host = o.host.name;
  try {
    await pingDocker(o.docker, timeoutMs);
  } catch (cause) {
    throw errors.SANDBOX_DOCKER_UNAVAILABLE(cause, host);
  }
  let labels: Record<string, string> | null | undefined;
  try {
    labels = (await within(timeoutMs, o.docker.getImage(o.image).inspect())).Config?.Labels; // image inspect takes no AbortSignal
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode === 404) throw errors.SANDBOX_IMAGE_MISSING(o.image, host);
    throw errors.SANDBOX_DOCKER_UNAVAILABLE(cause, host);
  }
  const kind = o.image === DEFAULT_DOCKER_IMAGE ? 'python' : o.image === DEFAULT_LANGUAGES_IMAGE ? 'languages' : null;
  const stale = kind ? staleImageReason(labels, expectedRunnerHash(kind)) : null;
  o.execTmp = labels?.[EXEC_TMP_LABEL] === '1';
  if (stale) throw errors.SANDBOX_IMAGE_STALE(o.image, stale, host);
}

/** Opens a checked pool: leftovers of crashed earlier processes removed, `poolSize` containers warm (at least one). */
export async function openDockerPool(o: ResolvedDockerOptions): Promise<DockerSandbox> {
  await removeStaleContainers(o.docker).catch(() => undefined);
  const pool = new DockerSandbox(o);
  trackPool(pool);
  await pool.fill();
  if (pool.containerIds.length === 0) {
    await pool.close();
    throw pool.startError ?? errors.SANDBOX_CONTAINER_FAILED(o.image, new Error('no container of the pool became ready'), o.host.name);
  }
  return pool;
}

/**
 * Start a docker pool: checks the daemon (`SANDBOX_DOCKER_UNAVAILABLE`) and the image
 * (`SANDBOX_IMAGE_MISSING`), then waits until `poolSize` containers are warm.
 */
export async function createDockerSandbox(options: DockerSandboxOptions = {}): Promise<DockerSandbox> {
  // a client passed in (another daemon than the default one) is named by its socket in messages and the exit cleanup
  const o = options.docker ? resolveDockerOptions(options, options.docker, hostOfClient(options.docker)) : resolveDockerOptions(options, new (await loadDockerode())());
  await checkDockerHost(o);
  return openDockerPool(o);
}
