// The parent's handle on one isolate-host process: start it, send it an evaluation, learn how it ended, kill it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostHello, HostReply, HostRequest } from './host-protocol.ts';

/** The host's entry: isolate-host.ts beside this file (isolate-host.js in dist). */
const ENTRY = fileURLToPath(new URL(`./isolate-host${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** How an evaluation ended as seen from here. */
export type HostOutcome =
  | { kind: 'reply'; reply: HostReply }
  /** The process ended during the evaluation: `killedHere` when this side killed it. */
  | { kind: 'exit'; killedHere: boolean; signal: NodeJS.Signals | null; code: number | null };

interface Pending {
  id: number;
  resolve(outcome: HostOutcome): void;
}

/** One isolate-host process; one evaluation at a time. */
export class IsolateProcess {
  readonly #child: ChildProcess;
  readonly ready: Promise<void>;
  #pending: Pending | null = null;
  #killedHere = false;
  #exited = false;
  #nextId = 1;
  /** Isolates the host reported having created (for diagnostics and tests). */
  generation = 0;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const onHello = (hello: HostHello) => {
        if (hello.ready) resolve();
        else reject(new Error(hello.error ?? 'the isolate host could not load isolated-vm'));
      };
      child.once('message', onHello);
      child.once('exit', (code, signal) => reject(new Error(`the isolate host exited before it was ready (code ${code}, signal ${signal})`)));
      child.once('error', reject);
    });
    this.ready.catch(() => undefined); // awaited by the owner; a late rejection is not "unhandled"
    child.on('message', (msg: HostReply | HostHello) => {
      const pending = this.#pending;
      if (!pending || !('id' in msg) || msg.id !== pending.id) return;
      this.#pending = null;
      this.generation = msg.generation;
      pending.resolve({ kind: 'reply', reply: msg });
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      const pending = this.#pending;
      this.#pending = null;
      pending?.resolve({ kind: 'exit', killedHere: this.#killedHere, signal, code });
    });
    // Once ready, an idle host never keeps the parent alive; one with an evaluation in flight does.
    this.ready.then(
      () => this.#hold(false),
      () => undefined,
    );
  }

  #hold(on: boolean): void {
    const channel = this.#child.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (on) {
      this.#child.ref();
      channel?.ref?.();
    } else {
      this.#child.unref();
      channel?.unref?.();
    }
  }

  /** Starts a host; `ready` resolves once isolated-vm is loaded in it. */
  static start(): IsolateProcess {
    const child = fork(ENTRY, [], {
      execArgv: ['--no-node-snapshot', '--disable-warning=ExperimentalWarning'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    return new IsolateProcess(child);
  }

  /** Whether the process has ended (or was killed). */
  get dead(): boolean {
    return this.#exited || this.#killedHere;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends one evaluation; resolves with its reply or with the process's end. */
  evaluate(req: Omit<HostRequest, 'id'>): Promise<HostOutcome> {
    if (this.dead) return Promise.resolve({ kind: 'exit', killedHere: this.#killedHere, signal: null, code: null });
    if (this.#pending) throw new Error('IsolateProcess.evaluate: one evaluation at a time');
    const id = this.#nextId++;
    this.#hold(true);
    return new Promise<HostOutcome>((resolve) => {
      this.#pending = {
        id,
        resolve: (outcome) => {
          this.#hold(false);
          resolve(outcome);
        },
      };
      this.#child.send({ ...req, id });
    });
  }

  /** Ends the process at once (SIGKILL: nothing in it is worth keeping, and a stuck thread cannot refuse). */
  kill(): void {
    if (this.#exited) return;
    this.#killedHere = true;
    this.#child.kill('SIGKILL');
  }
}
