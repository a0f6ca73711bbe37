// A Docker daemon of the tests' own, to stop and restart at will (fault injection), never the machine's main
// daemon: its own data root, exec root, pidfile and socket under /var/tmp/molrl-td-<checkout hash>/, no bridge,
// no iptables, and a TLS listener on a loopback port (certificates made fresh at start). The data root outlives
// a test run, so the sandbox image is loaded into it (docker save | docker load from the main daemon) only when
// it is missing or differs. Test files share one (TestDaemon.shared): it starts once per mocha process.
import Docker from 'dockerode';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeCertificates, type TestCertificates } from './test-tls.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Short (unix socket paths are limited to 108 bytes) and per checkout (helpers' checkouts run side by side). */
const HOME = `/var/tmp/molrl-td-${createHash('sha256').update(ROOT).digest('hex').slice(0, 10)}`;

/** Why a test daemon cannot run here (not root, no dockerd, no main daemon or image to copy), or null. */
export async function testDaemonMissing(image: string): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  try {
    await run('dockerd', ['--version']);
  } catch {
    return 'dockerd is not installed';
  }
  try {
    await new Docker().getImage(image).inspect();
  } catch (error) {
    return `the main Docker daemon or its image ${image} is missing (${(error as Error).message.split('\n')[0]}); run 'npm run setup'`;
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on loopback now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let shared: Promise<TestDaemon> | null = null;

/** The daemon; `docker` and `host` reach it. */
export class TestDaemon {
  readonly socket = `${HOME}/docker.sock`;
  /** For DOCKER_HOST. */
  readonly host = `unix://${this.socket}`;
  readonly docker = new Docker({ socketPath: this.socket });
  /** The TLS listener: `tcp://127.0.0.1:<tlsPort>`, `--tlsverify` with `certificates` (client side: clientCert/clientKey). */
  readonly tlsPort: number;
  readonly certificates: TestCertificates;
  #child: ChildProcess | null = null;

  private constructor(tlsPort: number) {
    this.tlsPort = tlsPort;
    this.certificates = makeCertificates(`${HOME}/tls`);
  }

  /** Starts the daemon (after ending one a crashed earlier run left) and loads `image` into it. */
  static async start(image: string): Promise<TestDaemon> {
    const d = new TestDaemon(await freePort());
    await d.#endStale();
    await d.up();
    await d.#load(image);
    return d;
  }

  /**
   * The daemon of this test process, started on first use and stopped when the process exits. A test file
   * leaves it up and calls clean() when done.
   */
  static shared(image: string): Promise<TestDaemon> {
    shared ??= TestDaemon.start(image).then((d) => {
      process.once('exit', () => {
        d.thaw();
        d.#child?.kill('SIGTERM'); // it stops its containers itself; a next run ends it if it is still there
      });
      return d;
    });
    return shared;
  }

  get #pidfile(): string {
    return `${HOME}/docker.pid`;
  }

  async #endStale(): Promise<void> {
    if (!existsSync(this.#pidfile)) return;
    const pid = Number(readFileSync(this.#pidfile, 'utf8'));
    const cmdline = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    })();
    if (Number.isInteger(pid) && pid > 0 && cmdline.includes(HOME)) {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 300 && alive(pid); i++) await sleep(100);
    }
    // a dockerd killed outright (SIGKILL, a lost machine) leaves its pidfile behind, and a new one refuses to start
    if (!(Number.isInteger(pid) && pid > 0 && alive(pid) && cmdline.includes(HOME))) rmSync(this.#pidfile, { force: true });
  }

  /** Starts dockerd and waits until it answers (up to 60 s). */
  async up(): Promise<void> {
    if (this.#child && this.#child.exitCode === null) return;
    mkdirSync(HOME, { recursive: true });
    writeFileSync(`${HOME}/daemon.json`, '{}\n');
    const args = [
      `--config-file=${HOME}/daemon.json`, `--data-root=${HOME}/data`, `--exec-root=${HOME}/exec`, `--pidfile=${this.#pidfile}`,
      `-H`, this.host, '--bridge=none', '--iptables=false', '--ip-masq=false', '--log-level=error',
      '-H', `tcp://127.0.0.1:${this.tlsPort}`, '--tlsverify', `--tlscacert=${this.certificates.ca}`,
      `--tlscert=${this.certificates.serverCert}`, `--tlskey=${this.certificates.serverKey}`,
    ];
    const log = `${HOME}/dockerd.log`;
    const fd = openSync(log, 'a');
    this.#child = spawn('dockerd', args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.#child.on('error', () => undefined);
    for (let i = 0; i < 600; i++) {
      try {
        await this.docker.ping();
        return;
      } catch {
        if (this.#child.exitCode !== null) break;
        await sleep(100);
      }
    }
    throw new Error(`the test dockerd did not come up (exit ${this.#child.exitCode}); see ${log} or run: dockerd ${args.join(' ')}`);
  }

  /** Freezes dockerd (SIGSTOP): it stops answering while its containers keep running. */
  freeze(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Lets a frozen dockerd go on (SIGCONT). */
  thaw(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Stops dockerd (SIGTERM: it stops its containers first) and waits for it to exit. */
  async down(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT'); // a frozen daemon handles SIGTERM only once it runs again
    child.kill('SIGTERM');
    await exited;
  }

  async #load(image: string): Promise<void> {
    const main = new Docker();
    const want = (await main.getImage(image).inspect()).Id;
    const have = await this.docker
      .getImage(image)
      .inspect()
      .then((i) => i.Id)
      .catch(() => null);
    if (have === want) return;
    await new Promise<void>((resolve, reject) => {
      const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] });
      const load = spawn('docker', ['-H', this.host, 'load', '-q'], { stdio: ['pipe', 'ignore', 'inherit'] });
      save.stdout!.pipe(load.stdin!);
      save.on('error', reject);
      load.on('error', reject);
      load.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker load into the test daemon exited ${code}`))));
    });
  }

  /** Removes every container of the daemon (running again if it was frozen or stopped). */
  async clean(): Promise<void> {
    this.thaw();
    await this.up();
    const all = await this.docker.listContainers({ all: true });
    await Promise.all(all.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }

  /** Removes every container of the daemon and stops it. */
  async close(): Promise<void> {
    try {
      const all = await this.docker.listContainers({ all: true });
      await Promise.all(all.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    } catch {
      // already down
    }
    await this.down();
  }
}
