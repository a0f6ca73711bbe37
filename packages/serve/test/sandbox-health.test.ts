// Fault injection: the Docker daemon becomes unreachable under a running `molrl serve` (a real server process whose
// DOCKER_HOST is a socket proxy to the real daemon that the test cuts and restores; the main daemon is never touched),
// and the only host of a sandbox fleet (the tests' own dockerd) stops and comes back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import Docker from 'dockerode';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';
import { TestDaemon, testDaemonMissing } from '../../../test/helpers/test-daemon.ts';
import { codeConfig, post, until } from './fixtures/test-server.ts';

const CLI = fileURLToPath(new URL('../../cli/test/commands/fixtures/molrl-cli.ts', import.meta.url));

/** A unix socket forwarding to the Docker daemon, that can be cut (every connection dropped) and restored. */
class DockerProxy {
  readonly path: string;
  readonly target: string;
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  constructor(dir: string, target: string) {
    this.path = join(dir, 'docker.sock');
    this.target = target;
  }
  async open(): Promise<void> {
    rmSync(this.path, { force: true });
    this.#server = createServer((client) => {
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.#server.listen(this.path);
    await once(this.#server, 'listening');
  }
  async cut(): Promise<void> {
    const closed = new Promise((r) => this.#server!.close(r));
    for (const s of this.#sockets) s.destroy();
    await closed;
    rmSync(this.path, { force: true });
  }
}

/** `molrl serve --config <config>` in a child process, with its URL once it listens; `exit` is its exit code. */
async function serveProcess(config: string, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', '--disable-warning=ExperimentalWarning', CLI, 'serve', '--config', config, '--port', '0', '--json'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { child, stderr: '', url: '', exit: once(child, 'exit').then(([code]) => code as number | null) };
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    out.url = (JSON.parse(line) as { url: string }).url;
  } catch (error) {
    child.kill('SIGTERM');
    throw new Error(`molrl serve did not start: ${(error as Error).message}\n${out.stderr}`);
  }
  return out;
}

describe('sandbox health under a lost Docker daemon', function () {
  this.timeout(120_000);
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'dockerd fault injection');
    skipUnless(this, host.startsWith('unix://') ? null : `DOCKER_HOST=${host} is not a unix socket: nothing to proxy`, 'dockerd fault injection');
  });

  it('answers 503 on /healthz and SandboxError on /run_code while the daemon is unreachable, and recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'molrl-serve-health-'));
    const proxy = new DockerProxy(dir, host.slice('unix://'.length));
    await proxy.open();
    const config = join(dir, 'rewards.json');
    writeFileSync(config, JSON.stringify(codeConfig(1)));
    const server = await serveProcess(config, { ...process.env, DOCKER_HOST: `unix://${proxy.path}` });
    const { child, url } = server;
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);

      await proxy.cut();
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as { status: string; problems: string[] };
      assert.equal(body.status, 'unavailable');
      assert.match(body.problems.join('\n'), /Docker daemon is not reachable/);
      const run = await post(`${url}/run_code`, { code: 'print(1)', language: 'python' });
      assert.equal(run.status, 200);
      assert.equal(run.body.status, 'SandboxError');
      assert.equal(run.body.run_result.status, 'Error');

      await proxy.open();
      await until(async () => (await fetch(`${url}/healthz`)).status === 200, 'the pool to recover', 60_000);
      assert.equal((await post(`${url}/run_code`, { code: 'print(1)', language: 'python' })).body.status, 'Success');
    } finally {
      child.kill('SIGTERM');
      const code = await server.exit;
      await proxy.cut().catch(() => undefined);
      const docker = new Docker();
      const left = await docker.listContainers({ all: true, filters: { label: [`molrl.pid=${child.pid}`] } });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 130, server.stderr);
    }
  });
});

describe('sandbox health of a fleet (sandbox.docker.hosts)', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  before(async function () {
    this.timeout(300_000);
    skipUnless(this, await testDaemonMissing(DEFAULT_DOCKER_IMAGE), 'fleet health (a second dockerd)');
    daemon = await TestDaemon.shared(DEFAULT_DOCKER_IMAGE);
  });
  after(async () => daemon?.clean());

  it('molrl serve on a fleet: 503 once its only host is down (found by /healthz itself), 200 and Success once it is back', async () => {
    await daemon.up();
    const dir = mkdtempSync(join(tmpdir(), 'molrl-serve-fleet-'));
    const config = join(dir, 'rewards.json');
    const base = codeConfig(1) as { sandbox?: { docker?: object } };
    writeFileSync(config, JSON.stringify({ ...base, sandbox: { ...base.sandbox, backend: 'docker', docker: { ...base.sandbox?.docker, hosts: [{ socketPath: daemon.socket, poolSize: 1 }], hostTimeoutMs: 1000, hostProbeMaxMs: 1000 } } }));
    const server = await serveProcess(config);
    const { child, url } = server;
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.equal((await post(`${url}/run_code`, { code: 'print(1)', language: 'python' })).body.status, 'Success');

      await daemon.down();
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as { problems: string[] };
      assert.match(body.problems.join('\n'), new RegExp(`every Docker host of the sandbox fleet is down: unix://${daemon.socket}`));
      assert.equal((await post(`${url}/run_code`, { code: 'print(1)', language: 'python' })).body.status, 'SandboxError');

      await daemon.up();
      await until(async () => (await fetch(`${url}/healthz`)).status === 200, 'the host to rejoin', 60_000);
      assert.equal((await post(`${url}/run_code`, { code: 'print(2)', language: 'python' })).body.status, 'Success');
    } finally {
      child.kill('SIGTERM');
      const code = await server.exit;
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 130, server.stderr);
    }
  });
});
