// A sandbox fleet: one warm pool per Docker host, each run on the least-loaded host that answers. A host that
// stops answering is marked down: its in-flight runs come back sandbox_error (callers retry them, and the retry
// lands on another host), it is probed with backoff, and it rejoins once it answers with the image in place.
import { describeError, errors as commonErrors } from '@molrl/common';
import { errors } from '../errors.ts';
import { validateSandboxConfig } from '../sandbox-config-schema.ts';
import type { RunOptions, RunRequest, RunResult, Sandbox } from '../types.ts';
import { describeHost, dockerodeOptions } from './docker-host.ts';
import { FLEET_DEFAULTS, resolveDockerOptions, type DockerFleetOptions, type ResolvedDockerOptions } from './docker-options.ts';
import { checkDockerHost, checkDockerRequest, DockerSandbox, infraResult, openDockerPool, pingDocker } from './docker-sandbox.ts';
import { removeStaleContainers, trackPool } from './exit-cleanup.ts';
import { WaitQueue } from './wait-queue.ts';
import { loadDockerode } from './load-dockerode.ts';

/** What the fleet knows of one host now. */
export interface FleetHostStatus {
  /** The host as configured: `unix:///…`, `tcp://host:port`, `ssh://user@host:port`. */
  name: string;
  /** Whether runs go there. */
  up: boolean;
  /** Why it is down; null while up. */
  downReason: string | null;
  poolSize: number;
  /** Runs on it now. */
  busy: number;
  /** Runs sent to it so far. */
  runs: number;
  /** Label value `molrl.pool` of its containers. */
  poolId: string;
  /** Its containers now. */
  containerIds: string[];
}

/** One host: its pool, its load and its health. */
class HostSlot {
  busy = 0;
  runs = 0;
  up = true;
  downReason: string | null = null;
  probeTimer: NodeJS.Timeout | null = null;
  /** Whether leftovers of dead processes were removed there (at start, or when it first answered). */
  swept = false;

  readonly o: ResolvedDockerOptions;
  readonly pool: DockerSandbox;

  constructor(o: ResolvedDockerOptions, pool: DockerSandbox) {
    this.o = o;
    this.pool = pool;
  }

  get name(): string {
    return this.o.host.name ?? 'default';
  }
}

/** A Sandbox over several Docker hosts (the docker backend with `sandbox.docker.hosts`). */
export class DockerFleet implements Sandbox {
  readonly backend = 'docker' as const;
  readonly #slots: HostSlot[];
  readonly #waiters = new WaitQueue<HostSlot>();
  readonly #timeoutMs: number;
  readonly #probeMaxMs: number;
  #closed = false;

  constructor(slots: HostSlot[], timeoutMs: number, probeMaxMs: number) {
    this.#slots = slots;
    this.#timeoutMs = timeoutMs;
    this.#probeMaxMs = probeMaxMs;
    for (const slot of slots) if (!slot.up) this.#scheduleProbe(slot, FLEET_DEFAULTS.hostProbeMinMs);
  }

  /** Every host, in the configured order. */
  get hosts(): FleetHostStatus[] {
    return this.#slots.map((s) => ({
      name: s.name,
      up: s.up,
      downReason: s.downReason,
      poolSize: s.o.poolSize,
      busy: s.busy,
      runs: s.runs,
      poolId: s.pool.poolId,
      containerIds: s.pool.containerIds,
    }));
  }

  /**
   * Pings every host that is up (within hostTimeoutMs) and takes those that do not answer out, as a failed run
   * there would; returns every host's status (for health checks: the fleet serves while one host is up).
   */
  async checkHosts(): Promise<FleetHostStatus[]> {
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (!slot.up || this.#closed) return;
        try {
          await pingDocker(slot.o.docker, this.#timeoutMs);
        } catch (cause) {
          if (slot.up && !this.#closed) this.#markDown(slot, `no answer to a ping within ${this.#timeoutMs} ms (${describeError(cause)})`);
        }
      }),
    );
    return this.hosts;
  }

  /** Ids of the containers of every host. */
  get containerIds(): string[] {
    return this.#slots.flatMap((s) => s.pool.containerIds);
  }

  /** Every uid the programs of the fleet's containers ran as so far (their judges: the next uid). */
  get programUids(): number[] {
    return this.#slots.flatMap((s) => s.pool.programUids);
  }

  async run(req: RunRequest, opts: RunOptions = {}): Promise<RunResult> {
    if (this.#closed) throw errors.SANDBOX_CLOSED('docker');
    checkDockerRequest(req, this.#slots[0]!.o); // container options are the same on every host
    const signal = opts.signal;
    if (signal?.aborted) throw errors.SANDBOX_ABORTED('docker', signal.reason);
    let slot: HostSlot;
    try {
      slot = await this.#acquire(signal);
    } catch (error) {
      if ((error as { code?: string }).code === 'SANDBOX_ABORTED') throw error;
      return infraResult(error as Error, 0);
    }
    try {
      const result = await slot.pool.run(req, opts);
      if (result.status !== 'sandbox_error') return result;
      await this.#check(slot); // before the slot is free again: a host that is gone gets no more runs
      const error = result.error ?? { code: 'SANDBOX_RUNNER_FAILED', message: 'no reason given' };
      const message = error.message.includes(slot.name) ? error.message : `${error.message} (Docker host ${slot.name})`;
      return { ...result, error: { code: error.code, message } };
    } finally {
      slot.busy--;
      this.#dispatch();
    }
  }

  /** The least-loaded host that is up and has a free container (reserved for the caller), or null. */
  #pick(): HostSlot | null {
    // load: busy / poolSize; ties go to the host that got fewer runs for its size, then to the first listed
    const load = (x: HostSlot) => x.busy / x.o.poolSize;
    const used = (x: HostSlot) => x.runs / x.o.poolSize;
    let best: HostSlot | null = null;
    for (const s of this.#slots) {
      if (!s.up || s.busy >= s.o.poolSize) continue;
      if (best === null || load(s) < load(best) || (load(s) === load(best) && used(s) < used(best))) best = s;
    }
    if (best) {
      best.busy++;
      best.runs++;
    }
    return best;
  }

  #acquire(signal: AbortSignal | undefined): Promise<HostSlot> {
    const slot = this.#pick();
    if (slot) return Promise.resolve(slot);
    if (!this.#slots.some((s) => s.up)) return Promise.reject(this.#allDown());
    return this.#waiters.wait(signal);
  }

  /** Hands free hosts to waiting runs, first come first served. */
  #dispatch(): void {
    while (this.#waiters.length > 0) {
      const slot = this.#pick();
      if (!slot) break;
      this.#waiters.serve(slot);
    }
  }

  #allDown(): Error {
    return errors.SANDBOX_HOSTS_DOWN(this.#slots.map((s) => ({ name: s.name, reason: s.downReason ?? 'down' })));
  }

  /**
   * After a sandbox_error on `slot`: is the host still there? It is down when it does not answer a ping within
   * hostTimeoutMs, or when the container that replaces the failed one does not start (a daemon shutting down
   * may still answer for a moment; a daemon without the image answers but starts nothing).
   */
  async #check(slot: HostSlot): Promise<void> {
    if (!slot.up || this.#closed) return;
    let reason: string | null = null;
    try {
      await pingDocker(slot.o.docker, this.#timeoutMs);
      if (!(await slot.pool.warm())) reason = slot.pool.startError?.message ?? 'its pool holds no container';
    } catch (cause) {
      reason = `no answer to a ping within ${this.#timeoutMs} ms (${describeError(cause)})`;
    }
    if (reason !== null && slot.up && !this.#closed) this.#markDown(slot, reason);
  }

  #markDown(slot: HostSlot, reason: string): void {
    slot.up = false;
    slot.downReason = reason;
    this.#scheduleProbe(slot, FLEET_DEFAULTS.hostProbeMinMs);
    if (!this.#slots.some((s) => s.up)) {
      const error = this.#allDown();
      this.#waiters.rejectAll(error);
    }
  }

  #scheduleProbe(slot: HostSlot, delayMs: number): void {
    slot.probeTimer = setTimeout(() => void this.#probe(slot, delayMs), delayMs);
    slot.probeTimer.unref();
  }

  /** A host that is down rejoins once it answers, has a fresh image and a warm container; else probe again later. */
  async #probe(slot: HostSlot, lastDelayMs: number): Promise<void> {
    slot.probeTimer = null;
    if (this.#closed) return;
    let reason: string | null = null;
    try {
      await checkDockerHost(slot.o, this.#timeoutMs);
      if (!slot.swept) slot.swept = (await removeStaleContainers(slot.o.docker).catch(() => null)) !== null;
      if (!(await slot.pool.warm())) reason = slot.pool.startError?.message ?? 'no container of its pool is ready yet';
    } catch (error) {
      reason = (error as Error).message;
    }
    if (this.#closed) return;
    if (reason === null) {
      slot.up = true;
      slot.downReason = null;
      this.#dispatch();
      return;
    }
    slot.downReason = reason;
    this.#scheduleProbe(slot, Math.min(lastDelayMs * 2, this.#probeMaxMs));
  }

  /** Removes every container on every host; waiting runs get SANDBOX_CLOSED. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots) if (s.probeTimer) clearTimeout(s.probeTimer);
    this.#waiters.rejectAll(errors.SANDBOX_CLOSED('docker'));
    await Promise.all(this.#slots.map((s) => s.pool.close()));
  }
}

/**
 * Start a fleet (`sandbox.docker` with `hosts`, validated here too). A host that answers must hold the image,
 * fresh (else SANDBOX_IMAGE_MISSING / SANDBOX_IMAGE_STALE naming it); its leftovers of dead processes are
 * removed and its pool warms up. A host that does not answer starts down (a warning on stderr) and is probed
 * like any host that went down, so that a run, or its resume, goes on while one host is away; when no host
 * answers, the first one's SANDBOX_DOCKER_UNAVAILABLE is thrown.
 */
export async function createDockerFleet(options: DockerFleetOptions): Promise<DockerFleet> {
  const valid = validateSandboxConfig({ backend: 'docker', docker: options }).docker as DockerFleetOptions;
  const { hosts, hostTimeoutMs = FLEET_DEFAULTS.hostTimeoutMs, hostProbeMaxMs = FLEET_DEFAULTS.hostProbeMaxMs, ...shared } = valid;
  const Docker = await loadDockerode();
  const seen = new Map<string, number>();
  const resolved = hosts.map((h, i) => {
    const ref = describeHost(h);
    const twice = seen.get(ref.name!);
    if (twice !== undefined) throw commonErrors.CONFIG_INVALID(`sandbox.docker.hosts[${i}]: ${ref.name} is listed twice (also hosts[${twice}]); list each Docker host once and give it the poolSize it should have`, `sandbox.docker.hosts[${i}]`);
    seen.set(ref.name!, i);
    return resolveDockerOptions({ ...shared, poolSize: h.poolSize ?? shared.poolSize }, new Docker(dockerodeOptions(h, `sandbox.docker.hosts[${i}]`)), ref);
  });
  const checked = await Promise.allSettled(resolved.map((o) => checkDockerHost(o, hostTimeoutMs)));
  const away = (c: PromiseSettledResult<void>) => c.status === 'rejected' && (c.reason as { code?: string }).code === 'SANDBOX_DOCKER_UNAVAILABLE';
  const wrong = checked.find((c) => c.status === 'rejected' && !away(c)); // the image missing or stale: a setup mistake
  if (wrong) throw (wrong as PromiseRejectedResult).reason;
  if (checked.every(away)) throw (checked[0] as PromiseRejectedResult).reason;
  const opened = await Promise.allSettled(resolved.map((o, i) => (away(checked[i]!) ? Promise.resolve(null) : openDockerPool(o))));
  const notOpened = opened.find((p) => p.status === 'rejected');
  if (notOpened) {
    await Promise.all(opened.map((p) => (p.status === 'fulfilled' ? p.value?.close() : undefined)));
    throw notOpened.reason;
  }
  const slots = resolved.map((o, i) => {
    const pool = (opened[i] as PromiseFulfilledResult<DockerSandbox | null>).value;
    if (pool) return Object.assign(new HostSlot(o, pool), { swept: true });
    const reason = ((checked[i] as PromiseRejectedResult).reason as Error).message;
    process.stderr.write(`molrl: warning: ${reason}; the sandbox fleet starts without this host and takes it in once it answers\n`);
    const idle = new DockerSandbox(o);
    trackPool(idle);
    return Object.assign(new HostSlot(o, idle), { up: false, downReason: reason });
  });
  return new DockerFleet(slots, hostTimeoutMs, hostProbeMaxMs);
}
