// A sandbox fleet over two real Docker daemons on this machine: the main one (unix socket) and the tests' own
// (TestDaemon, reached over TLS, its unix socket, or ssh). Runs go to the least-loaded host; a host stopped or
// frozen mid-run is marked down, its runs come back sandbox_error and their retries succeed on the other host;
// it rejoins when it answers again. Start-up checks and cleanup are per host and name the host.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { createDockerFleet, DEFAULT_DOCKER_IMAGE, type DockerFleet, type DockerHostConfig, type RunRequest, type RunResult } from '@molrl/sandbox';
import { describeHost } from '../../src/docker/docker-host.ts';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';
import { TestDaemon, testDaemonMissing } from '../../../../test/helpers/test-daemon.ts';
import { startSshServer } from '../../../../test/helpers/test-ssh-server.ts';
import { makeCertificates } from '../../../../test/helpers/test-tls.ts';

const IMAGE = DEFAULT_DOCKER_IMAGE;
const mainDocker = new Docker();
const MAIN_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';
const base = { language: 'python', timeoutMs: 20_000, memoryMb: 128, outputLimitBytes: 4096 } as const;
const py = (code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ ...base, code, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = new URL('../../../../', import.meta.url).pathname;

/** One run retried while it comes back sandbox_error, as the reward engine does (at most `retries` times). */
async function runRetried(fleet: DockerFleet, req: RunRequest, retries = 2): Promise<{ result: RunResult; failures: RunResult[] }> {
  const failures: RunResult[] = [];
  for (;;) {
    const result = await fleet.run(req);
    if (result.status !== 'sandbox_error' || failures.length === retries) return { result, failures };
    failures.push(result);
  }
}

/** Waits (up to 30 s) until a program (a process of a non-root uid) runs in one of `ids` on `docker`. */
async function programRunsIn(docker: Docker, ids: () => string[]): Promise<void> {
  for (let i = 0; i < 600; i++) {
    for (const id of ids()) {
      const top = await docker.getContainer(id).top({ ps_args: '-o pid,uid' }).catch(() => null);
      if (top?.Processes?.some((p: string[]) => p[1] !== '0')) return;
    }
    await sleep(50);
  }
  throw new Error('no program started there');
}

/** Waits (up to 60 s) until host `i` of the fleet is up again. */
async function rejoined(fleet: DockerFleet, i: number): Promise<void> {
  for (let n = 0; n < 600 && !fleet.hosts[i]!.up; n++) await sleep(100);
  assert.equal(fleet.hosts[i]!.up, true, `host ${fleet.hosts[i]!.name} did not rejoin: ${fleet.hosts[i]!.downReason}`);
}

async function poolContainers(docker: Docker, poolId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`molrl.pool=${poolId}`] } });
}

describe('docker fleet over two daemons', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  const main = (poolSize: number): DockerHostConfig => ({ socketPath: MAIN_SOCKET, poolSize });
  const tls = (poolSize: number): DockerHostConfig => ({
    host: '127.0.0.1',
    port: daemon.tlsPort,
    ca: daemon.certificates.ca,
    cert: daemon.certificates.clientCert,
    key: daemon.certificates.clientKey,
    poolSize,
  });
  const socket = (poolSize: number): DockerHostConfig => ({ socketPath: daemon.socket, poolSize });

  before(async function () {
    this.timeout(300_000);
    skipUnless(this, (await dockerMissing(IMAGE)) ?? (await testDaemonMissing(IMAGE)), 'docker fleet tests (the main daemon and a second dockerd)');
    daemon = await TestDaemon.shared(IMAGE);
  });
  after(async function () {
    this.timeout(120_000);
    await daemon?.clean();
  });

  it('sends each run to the least-loaded host and queues the rest when every container is busy', async () => {
    const fleet = await createDockerFleet({ hosts: [main(1), tls(3)], image: IMAGE });
    try {
      const runs = [0, 1, 2, 3, 4].map((i) => fleet.run(py(`import time; time.sleep(1); print(${i})`)));
      // dispatch is synchronous: main gets one (tie, listed first), then tls three (1/3 < 1/1), the fifth waits
      assert.deepEqual(fleet.hosts.map((h) => [h.busy, h.runs]), [[1, 1], [3, 3]]);
      const results = await Promise.all(runs);
      assert.deepEqual(results.map((r) => [r.status, r.stdout]), [0, 1, 2, 3, 4].map((i) => ['ok', `${i}\n`]));
      assert.equal(fleet.hosts[0]!.runs + fleet.hosts[1]!.runs, 5);
    } finally {
      await fleet.close();
    }
  });

  it('uses both hosts under load (one over TLS), with containers labelled per host and removed by close()', async () => {
    const fleet = await createDockerFleet({ hosts: [main(2), tls(2)], image: IMAGE });
    const [a, b] = fleet.hosts;
    assert.deepEqual([a!.name, b!.name], [`unix://${MAIN_SOCKET}`, `tcp://127.0.0.1:${daemon.tlsPort}`]);
    try {
      for (const [docker, host] of [[mainDocker, a!], [daemon.docker, b!]] as const) {
        const labelled = await poolContainers(docker, host.poolId);
        assert.deepEqual(labelled.map((c) => c.Id).sort(), [...host.containerIds].sort());
        assert.ok(labelled.every((c) => c.Labels['molrl.docker-host'] === host.name && c.Labels['molrl.host'] === hostname()));
      }
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => fleet.run(py(`import time; time.sleep(0.2); print(${i} * 3)`))));
      assert.deepEqual(results.map((r) => [r.status, r.stdout]), results.map((_, i) => ['ok', `${i * 3}\n`]));
      const runs = fleet.hosts.map((h) => h.runs);
      assert.equal(runs[0]! + runs[1]!, 24);
      assert.ok(runs.every((n) => n >= 2), `each host got runs: ${runs}`);
    } finally {
      await fleet.close();
    }
    assert.deepEqual([...(await poolContainers(mainDocker, a!.poolId)), ...(await poolContainers(daemon.docker, b!.poolId))], []);
  });

  it('a host stopped mid-run: its runs are sandbox_error and their retries succeed elsewhere; it rejoins and serves again', async () => {
    const fleet = await createDockerFleet({ hosts: [main(2), socket(2)], image: IMAGE, graceMs: 500, hostProbeMaxMs: 1000 });
    const stopped = fleet.hosts[1]!;
    try {
      const runs = Array.from({ length: 6 }, (_, i) => runRetried(fleet, py(`import time; time.sleep(2); print(${i})`)));
      await programRunsIn(daemon.docker, () => fleet.hosts[1]!.containerIds);
      await daemon.down();
      const outcomes = await Promise.all(runs);
      assert.deepEqual(outcomes.map((o) => [o.result.status, o.result.stdout]), outcomes.map((_, i) => ['ok', `${i}\n`]), 'every run got its result');
      const failures = outcomes.flatMap((o) => o.failures);
      assert.ok(failures.length >= 1, 'the run in flight on the stopped host came back sandbox_error');
      for (const f of failures) {
        assert.match(f.error?.code ?? '', /^SANDBOX_/);
        assert.ok(f.error!.message.includes(stopped.name), f.error!.message);
      }
      assert.ok(outcomes.every((o) => o.failures.length <= 1), 'one retry was enough: it went to the host that answers');
      assert.equal(fleet.hosts[1]!.up, false);
      assert.match(fleet.hosts[1]!.downReason ?? '', /not reachable|no answer|ENOENT|ECONNREFUSED/);

      const before = fleet.hosts[1]!.runs;
      const whileDown = await Promise.all(Array.from({ length: 4 }, (_, i) => fleet.run(py(`print(${i})`))));
      assert.deepEqual(whileDown.map((r) => r.status), ['ok', 'ok', 'ok', 'ok']);
      assert.equal(fleet.hosts[1]!.runs, before, 'no run went to the host while it was down');

      await daemon.up();
      await rejoined(fleet, 1);
      const again = await Promise.all(Array.from({ length: 8 }, (_, i) => fleet.run(py(`import time; time.sleep(0.2); print(${i})`))));
      assert.deepEqual(again.map((r) => r.status), Array(8).fill("ok"), JSON.stringify(again.filter((r) => r.status !== "ok").map((r) => r.error)));
      assert.ok(fleet.hosts[1]!.runs >= before + 2, `the host that came back got runs again: ${fleet.hosts[1]!.runs - before}`);
      // the containers the stop killed were swept when the pool recovered: only its live ones remain
      const left = await poolContainers(daemon.docker, stopped.poolId);
      assert.deepEqual(left.map((c) => c.Id).sort(), [...fleet.hosts[1]!.containerIds].sort());
    } finally {
      await fleet.close();
    }
    assert.deepEqual(await poolContainers(daemon.docker, stopped.poolId), []);
  });

  // over the attach stream the frozen daemon holds the run's reply (sandbox_error, and the host is out at once);
  // over the runner's socket the reply comes past it (the run's own result), and the health check takes the host out
  for (const transport of ['attach', 'socket'] as const) {
    it(`a host whose dockerd freezes mid-run (${transport}): never a program status it did not earn; the host is marked down and rejoins`, async () => {
      const fleet = await createDockerFleet({ hosts: [main(1), socket(1)], image: IMAGE, graceMs: 300, hostTimeoutMs: 1000, hostProbeMaxMs: 1000, transport });
      try {
        const onMain = fleet.run(py('import time; time.sleep(1); print("main")', { timeoutMs: 2000 }));
        const onFrozen = fleet.run(py('import time; time.sleep(1); print("frozen")', { timeoutMs: 2000 }));
        await programRunsIn(daemon.docker, () => fleet.hosts[1]!.containerIds);
        daemon.freeze();
        assert.deepEqual([(await onMain).status, (await onMain).stdout], ['ok', 'main\n']);
        const r = await onFrozen;
        if (transport === 'attach') {
          assert.deepEqual([r.status, r.error?.code], ['sandbox_error', 'SANDBOX_DOCKER_UNAVAILABLE'], JSON.stringify(r));
        } else {
          assert.deepEqual([r.status, r.stdout], ['ok', 'frozen\n'], JSON.stringify(r));
          await fleet.checkHosts();
        }
        assert.deepEqual(fleet.hosts.map((h) => h.up), [true, false]);
        const meanwhile = await fleet.run(py('print("meanwhile")'));
        assert.deepEqual([meanwhile.status, meanwhile.stdout], ['ok', 'meanwhile\n']);
        daemon.thaw();
        await rejoined(fleet, 1);
      } finally {
        daemon.thaw();
        await fleet.close();
      }
    });
  }

  it('every host down: runs are sandbox_error SANDBOX_HOSTS_DOWN naming each host, until one answers again', async () => {
    const fleet = await createDockerFleet({ hosts: [socket(1)], image: IMAGE, graceMs: 300, hostProbeMaxMs: 1000 });
    try {
      await daemon.down();
      const first = await fleet.run(py('print(1)'));
      assert.equal(first.status, 'sandbox_error', JSON.stringify(first));
      const r = await fleet.run(py('print(2)'));
      assert.equal(r.status, 'sandbox_error');
      assert.equal(r.error?.code, 'SANDBOX_HOSTS_DOWN');
      assert.ok(r.error!.message.includes(`unix://${daemon.socket}`), r.error!.message);
      await daemon.up();
      await rejoined(fleet, 0);
      const back = await fleet.run(py('print(3)'));
      assert.deepEqual([back.status, back.stdout], ['ok', '3\n']);
    } finally {
      await fleet.close();
    }
  });

  it('a host down at start: the fleet starts without it (with a warning), then takes it in, its leftovers removed, when it answers', async () => {
    await daemon.up();
    const deadPid = spawnSync('true').pid!;
    const leftover = await daemon.docker.createContainer({ Image: IMAGE, Cmd: ['true'], Labels: { molrl: '1', 'molrl.pool': 'gone', 'molrl.pid': String(deadPid), 'molrl.host': hostname() } });
    await daemon.down();
    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
    let fleet: DockerFleet;
    try {
      fleet = await createDockerFleet({ hosts: [main(1), socket(1)], image: IMAGE, hostProbeMaxMs: 1000 });
    } finally {
      process.stderr.write = write;
    }
    try {
      assert.match(warnings.join(''), new RegExp(`^molrl: warning: the Docker daemon at unix://${daemon.socket} is not reachable .*the sandbox fleet starts without this host`, 'm'));
      assert.deepEqual(fleet.hosts.map((h) => h.up), [true, false]);
      assert.deepEqual((await Promise.all([fleet.run(py('print(1)')), fleet.run(py('print(2)'))])).map((r) => r.status), ['ok', 'ok']);
      assert.equal(fleet.hosts[1]!.runs, 0);
      await daemon.up();
      await rejoined(fleet, 1);
      await assert.rejects(leftover.inspect(), { statusCode: 404 });
      const runs = await Promise.all([0, 1, 2, 3].map((i) => fleet.run(py(`import time; time.sleep(0.3); print(${i})`))));
      assert.deepEqual(runs.map((r) => r.status), ['ok', 'ok', 'ok', 'ok']);
      assert.ok(fleet.hosts[1]!.runs >= 1, 'the host that came up took runs');
    } finally {
      await fleet.close();
    }
  });

  it('no host answering, our CA refused, the image missing or stale on a host: the start fails with an error naming the host', async () => {
    await daemon.up();
    const nowhere = '/nonexistent/docker.sock';
    await assert.rejects(createDockerFleet({ hosts: [{ socketPath: nowhere }], image: IMAGE }), (e: { code: string; message: string; details: { host: string } }) => {
      assert.equal(e.code, 'SANDBOX_DOCKER_UNAVAILABLE');
      assert.equal(e.details.host, `unix://${nowhere}`);
      assert.ok(e.message.includes(`unix://${nowhere}`), e.message);
      return true;
    });
    await assert.rejects(createDockerFleet({ hosts: [main(1), main(2)], image: IMAGE }), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'CONFIG_INVALID');
      assert.match(e.message, /hosts\[1\]: unix:\/\/.* is listed twice \(also hosts\[0\]\)/);
      return true;
    });

    const other = mkdtempSync(join(tmpdir(), 'molrl-other-ca-'));
    try {
      const wrongCa = { ...tls(1), ca: makeCertificates(other).ca } as DockerHostConfig;
      await assert.rejects(createDockerFleet({ hosts: [wrongCa], image: IMAGE }), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'SANDBOX_DOCKER_UNAVAILABLE');
        assert.match(e.message, new RegExp(`tcp://127\\.0\\.0\\.1:${daemon.tlsPort} is not reachable \\(.*(certificate|self.signed)`, 'i'));
        return true;
      });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }

    const tag = `molrl/sandbox-python:fleet-${randomBytes(4).toString('hex')}`; // on the main daemon only
    const [repo, version] = tag.split(':') as [string, string];
    await mainDocker.getImage(IMAGE).tag({ repo, tag: version });
    try {
      await assert.rejects(createDockerFleet({ hosts: [main(1), socket(1)], image: tag }), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'SANDBOX_IMAGE_MISSING');
        assert.ok(e.message.includes(`in the Docker daemon at unix://${daemon.socket}; copy it there: docker save ${tag} | docker -H unix://${daemon.socket} load`), e.message);
        return true;
      });
    } finally {
      await mainDocker.getImage(tag).remove().catch(() => undefined);
    }

    // the test daemon's copy of the default image replaced by one with another runner label, then put back
    const original = (await daemon.docker.getImage(IMAGE).inspect()).Id;
    const [imageRepo, imageTag] = [IMAGE.slice(0, IMAGE.lastIndexOf(':')), IMAGE.slice(IMAGE.lastIndexOf(':') + 1)];
    const scratch = await daemon.docker.createContainer({ Image: IMAGE, Cmd: ['true'] });
    try {
      await scratch.commit({ repo: imageRepo, tag: imageTag, changes: 'LABEL molrl.runner-sha256=0123456789abcdef' });
      await assert.rejects(createDockerFleet({ hosts: [main(1), socket(1)] }), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'SANDBOX_IMAGE_STALE');
        assert.ok(e.message.includes(`in the Docker daemon at unix://${daemon.socket} was built from another version of the runner`), e.message);
        return true;
      });
    } finally {
      await scratch.remove({ force: true });
      const stale = (await daemon.docker.getImage(IMAGE).inspect()).Id;
      await daemon.docker.getImage(original).tag({ repo: imageRepo, tag: imageTag });
      if (stale !== original) await daemon.docker.getImage(stale).remove();
    }
  });

  it('removes leftovers of dead processes on each host at start, and its containers on each host when the process exits', async () => {
    await daemon.up();
    const deadPid = spawnSync('true').pid!;
    const leftover = await daemon.docker.createContainer({ Image: IMAGE, Cmd: ['true'], Labels: { molrl: '1', 'molrl.pool': 'gone', 'molrl.pid': String(deadPid), 'molrl.host': hostname() } });
    const fleet = await createDockerFleet({ hosts: [main(1), tls(1)], image: IMAGE });
    await fleet.close();
    await assert.rejects(leftover.inspect(), { statusCode: 404 });

    // a process that opens a fleet and exits without close(): the exit cleanup runs `docker <host flags> rm -f` per host
    const hosts = JSON.stringify([main(1), tls(1)]);
    const script = `import { createDockerFleet } from '@molrl/sandbox';
const fleet = await createDockerFleet({ hosts: ${hosts}, image: ${JSON.stringify(IMAGE)} });
process.stdout.write(JSON.stringify(fleet.hosts.map((h) => h.poolId)) + '\\n');
process.exit(0);`;
    const child = spawn(process.execPath, ['--no-node-snapshot', '--conditions=molrl-src', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    const [onMain, onTls] = JSON.parse(out) as [string, string];
    assert.deepEqual([...(await poolContainers(mainDocker, onMain)), ...(await poolContainers(daemon.docker, onTls))], []);
    assert.deepEqual(describeHost(tls(1)).cliArgs.slice(0, 3), ['-H', `tcp://127.0.0.1:${daemon.tlsPort}`, '--tlsverify']);
  });

  it('reaches a host over ssh (docker system dial-stdio on the remote end)', async () => {
    await daemon.up();
    const dir = mkdtempSync(join(tmpdir(), 'molrl-ssh-'));
    const ssh = await startSshServer(daemon.host, dir);
    try {
      const fleet = await createDockerFleet({ hosts: [{ protocol: 'ssh', host: '127.0.0.1', port: ssh.port, username: ssh.username, privateKey: ssh.privateKey, poolSize: 1 }], image: IMAGE });
      try {
        const r = await fleet.run(py('print(6 * 7)'));
        assert.deepEqual([r.status, r.stdout], ['ok', '42\n']);
        const [host] = fleet.hosts;
        assert.equal(host!.name, `ssh://molrl@127.0.0.1:${ssh.port}`);
        const labelled = await poolContainers(daemon.docker, host!.poolId);
        assert.deepEqual(labelled.map((c) => c.Labels['molrl.docker-host']), [host!.name]);
        assert.ok(ssh.commands.length > 0 && ssh.commands.every((c) => c === 'docker system dial-stdio'), JSON.stringify(ssh.commands));
      } finally {
        await fleet.close();
      }
    } finally {
      await ssh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
