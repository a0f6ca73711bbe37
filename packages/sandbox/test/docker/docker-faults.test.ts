// Infrastructure faults injected for real into a running pool: a container killed or paused mid-run, the image
// removed, /tmp filled from outside, the Docker daemon stopped and restarted (a daemon of the test's own). Each
// affected run is sandbox_error (never a program status, so never a score); the pool recovers by itself when
// the fault ends. And the other way round: a fork bomb starving the runner stays the program's own timeout.
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE, type DockerSandbox, type RunRequest, type RunResult } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';
import { TestDaemon, testDaemonMissing } from '../../../../test/helpers/test-daemon.ts';

const base = { language: 'python', timeoutMs: 30_000, memoryMb: 256, outputLimitBytes: 4096 } as const;
const py = (code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ ...base, code, ...extra });
const docker = new Docker();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a process of a program uid (not root) runs in one of the pool's containers (the run is in progress), up to 30 s; returns that container. */
async function programRunsIn(d: Docker, pool: DockerSandbox): Promise<string> {
  for (let i = 0; i < 600; i++) {
    for (const id of pool.containerIds) {
      const top = await d.getContainer(id).top({ ps_args: '-o pid,uid' }).catch(() => null);
      if (top?.Processes?.some((p: string[]) => p[1] !== '0')) return id;
    }
    await sleep(50);
  }
  throw new Error('no program started in the pool');
}

/** Runs `print(tag)` until it comes back ok (the pool recovered), up to `attempts` tries 500 ms apart. */
async function untilRecovered(pool: DockerSandbox, tag: string, attempts = 120): Promise<RunResult[]> {
  const failures: RunResult[] = [];
  for (let i = 0; i < attempts; i++) {
    const r = await pool.run(py(`print("${tag}")`, { timeoutMs: 5000 }));
    if (r.status === 'ok') {
      assert.equal(r.stdout, `${tag}\n`);
      return failures;
    }
    assert.equal(r.status, 'sandbox_error', `while the fault lasts a run is sandbox_error, never a program status: ${JSON.stringify(r)}`);
    failures.push(r);
    await sleep(500);
  }
  throw new Error(`the pool did not recover: ${JSON.stringify(failures.at(-1))}`);
}

async function execRoot(d: Docker, id: string, cmd: string): Promise<void> {
  const exec = await d.getContainer(id).exec({ Cmd: ['sh', '-c', cmd], User: '0', AttachStdout: false, AttachStderr: false });
  await exec.start({ Detach: false });
  // A command that kills the runner ends the container, and the pool removes it at once: the exec instance goes
  // with it (404), which means the command has run.
  const running = () => exec.inspect().then((i) => i.Running, (e: { statusCode?: number }) => (e.statusCode === 404 ? false : Promise.reject(e)));
  for (let i = 0; i < 200 && (await running()); i++) await sleep(50);
}

describe('docker pool under injected faults', function () {
  this.timeout(120_000);

  // the runner's failures, over each transport: its socket (the default on a local daemon) and the attach stream
  for (const transport of ['socket', 'attach'] as const) {
    describe(`on the main daemon, requests over the ${transport === 'socket' ? "runner's socket" : 'attach stream'}`, () => {
      let pool: DockerSandbox;
      before(async function () {
        skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker fault tests');
        pool = await createDockerSandbox({ poolSize: 1, graceMs: 300, transport });
        assert.deepEqual(pool.transports, [transport]);
      });
      after(async () => pool?.close());

      /** A 20 s sleep, `fault` applied to its container once the program runs: the run is sandbox_error `code`. */
      async function faultMidRun(fault: (id: string) => Promise<unknown>, code: RegExp, timeoutMs = 30_000): Promise<string> {
        const running = pool.run(py('import time; time.sleep(20)', { timeoutMs }));
        const id = await programRunsIn(docker, pool);
        await fault(id);
        const r = await running;
        assert.equal(r.status, 'sandbox_error', JSON.stringify(r));
        assert.match(r.error?.code ?? '', code);
        return id;
      }
      // the runner is the oldest python3 (the zygote, forked from it, shows the same command line; pid 1 is docker-init)
      const signalRunner = (sig: string) => (id: string) =>
        execRoot(docker, id, `for p in $(ls /proc | grep -E "^[0-9]+$" | sort -n); do if [ "$(head -c 7 /proc/$p/cmdline)" = python3 ]; then kill -${sig} $p; break; fi; done`);

      it('a container killed (docker kill) mid-run: sandbox_error, then the pool serves again', async () => {
        await faultMidRun((id) => docker.getContainer(id).kill(), /^SANDBOX_RUNNER_KILLED$/);
        await untilRecovered(pool, 'after-kill');
      });

      it('a container paused (docker pause) mid-run: sandbox_error, then the pool serves again', async () => {
        const id = await faultMidRun((c) => docker.getContainer(c).pause(), /^SANDBOX_CONTAINER_PAUSED$/, 5000);
        await untilRecovered(pool, 'after-pause');
        assert.ok(!(await docker.listContainers({ all: true })).some((c) => c.Id === id), 'the paused container was removed');
      });

      it('the runner stopped from outside (SIGSTOP) while its program sleeps: sandbox_error', async () => {
        await faultMidRun(signalRunner('STOP'), /^SANDBOX_RUNNER_UNRESPONSIVE$/, 1000);
        await untilRecovered(pool, 'after-stop');
      });

      it('the runner killed from inside (SIGKILL) while its program sleeps: sandbox_error, then the pool serves again', async () => {
        await faultMidRun(signalRunner('KILL'), /^SANDBOX_RUNNER_(KILLED|FAILED)$/);
        await untilRecovered(pool, 'after-runner-kill');
      });

      it("a fork bomb that starves the runner stays the program's own timeout", async () => {
        const r = await pool.run(py('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass', { timeoutMs: 500 }));
        assert.equal(r.status, 'timeout', JSON.stringify(r));
        await untilRecovered(pool, 'after-bomb');
      });
    });
  }

  describe('on the main daemon', () => {
    let pool: DockerSandbox;
    before(async function () {
      skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker fault tests');
      pool = await createDockerSandbox({ poolSize: 1, graceMs: 300 });
    });
    after(async () => pool?.close());

    it('/tmp filled from outside during a run: sandbox_error (not the ENOSPC the program saw), then a fresh container', async () => {
      const code = [
        'import os, time',
        'while not (os.path.exists("/tmp/fill") and os.path.getsize("/tmp/fill") > 0):',
        '    time.sleep(0.01)',
        'time.sleep(0.2)',
        'open("/tmp/mine", "wb").write(b"x" * (8 << 20))',
      ].join('\n');
      const running = pool.run(py(code, { timeoutMs: 20_000 }));
      const id = await programRunsIn(docker, pool);
      await execRoot(docker, id, 'head -c 100m /dev/zero > /tmp/fill');
      const r = await running;
      assert.equal(r.status, 'sandbox_error', JSON.stringify(r));
      assert.equal(r.error?.code, 'SANDBOX_SCRATCH_TAMPERED');
      assert.notDeepEqual(pool.containerIds, [id], 'the tampered container is recycled');
      await untilRecovered(pool, 'after-fill');
    });

    it('/tmp filled from outside between runs: the next run is sandbox_error before anything runs', async () => {
      await untilRecovered(pool, 'before-fill');
      const [id] = pool.containerIds;
      await execRoot(docker, id!, 'head -c 100m /dev/zero > /tmp/fill');
      const r = await pool.run(py('print("never")'));
      assert.deepEqual([r.status, r.stdout, r.error?.code], ['sandbox_error', '', 'SANDBOX_SCRATCH_TAMPERED'], JSON.stringify(r));
      await untilRecovered(pool, 'after-fill-between');
    });

    it('the image removed under a running pool: runs that need a new container are sandbox_error until it is back', async () => {
      const tag = `molrl/sandbox-python:fault-${randomBytes(4).toString('hex')}`;
      const [repo, version] = tag.split(':') as [string, string];
      await docker.getImage(DEFAULT_DOCKER_IMAGE).tag({ repo, tag: version });
      const own = await createDockerSandbox({ image: tag, poolSize: 1 });
      try {
        assert.equal((await own.run(py('print(1)'))).stdout, '1\n');
        await docker.getImage(tag).remove(); // untags: the other names of the image stay
        const recycled = await own.run(py('import time; time.sleep(5)', { timeoutMs: 200 })); // a timeout recycles its container
        assert.equal(recycled.status, 'timeout');
        const r = await own.run(py('print(2)'));
        assert.equal(r.status, 'sandbox_error', JSON.stringify(r));
        assert.equal(r.error?.code, 'SANDBOX_CONTAINER_FAILED');
        await docker.getImage(DEFAULT_DOCKER_IMAGE).tag({ repo, tag: version });
        await untilRecovered(own, 'image-back');
      } finally {
        await own.close();
        await docker.getImage(tag).remove().catch(() => undefined);
      }
    });
  });

  describe('on a Docker daemon that stops and restarts', () => {
    let daemon: TestDaemon;
    before(async function () {
      this.timeout(300_000);
      skipUnless(this, await testDaemonMissing(DEFAULT_DOCKER_IMAGE), 'daemon stop/restart fault tests (a second dockerd)');
      daemon = await TestDaemon.shared(DEFAULT_DOCKER_IMAGE);
    });
    after(async function () {
      this.timeout(120_000);
      await daemon?.clean();
    });

    it('runs in flight and while it is down are sandbox_error; the pool recovers when it is back, and leaves nothing', async () => {
      await daemon.up();
      const pool = await createDockerSandbox({ docker: daemon.docker, poolSize: 1 });
      try {
        assert.equal((await pool.run(py('print("up")'))).stdout, 'up\n');
        const running = pool.run(py('import time; time.sleep(20)'));
        await programRunsIn(daemon.docker, pool);
        await daemon.down();
        const inFlight = await running;
        assert.equal(inFlight.status, 'sandbox_error', JSON.stringify(inFlight));
        assert.match(inFlight.error?.code ?? '', /^SANDBOX_/);
        const whileDown = await pool.run(py('print("down")'));
        assert.equal(whileDown.status, 'sandbox_error', JSON.stringify(whileDown));
        await daemon.up();
        await untilRecovered(pool, 'back');
      } finally {
        await pool.close();
      }
      const left = await daemon.docker.listContainers({ all: true, filters: { label: [`molrl.pool=${pool.poolId}`] } });
      assert.deepEqual(left.map((c) => `${c.Id.slice(0, 12)} ${c.State}`), [], 'no container of the pool is left');
    });
  });
});
