// Real programs through the docker pool: every status, the hostile list, the marker channel, queueing, close.
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE, type DockerSandbox, type RunRequest } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const base = { language: 'python', timeoutMs: 3000, memoryMb: 256, outputLimitBytes: 4096 } as const;
const py = (code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ ...base, code, ...extra });
const docker = new Docker();

async function poolContainers(pool: DockerSandbox): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`molrl.pool=${pool.poolId}`] } });
  return list.map((c) => c.Id);
}

describe('DockerSandbox', function () {
  let pool: DockerSandbox;

  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker pool tests');
    pool = await createDockerSandbox({ poolSize: 1 });
  });
  after(async () => pool?.close());

  /** After each hostile program, an ordinary one must still run correctly in the same pool. */
  async function assertHealthy(): Promise<void> {
    const r = await pool.run(py('import sys; print(sum(range(100)), sys.stdin.read())', { stdin: 'in' }));
    assert.deepEqual([r.status, r.stdout, r.exitCode], ['ok', '4950 in\n', 0], JSON.stringify(r));
  }

  describe('statuses', () => {
    it('returns ok with stdout, stdin and files', async () => {
      const r = await pool.run(py('import sys; print(open("d/x.txt").read(), sys.stdin.read())', { stdin: 'abc', files: { 'd/x.txt': 'hi' } }));
      assert.equal(r.status, 'ok');
      assert.equal(r.stdout, 'hi abc\n');
      assert.equal(r.exitCode, 0);
      assert.equal(r.signal, null);
    });

    it('returns runtime_error for an uncaught exception and for a nonzero exit', async () => {
      const a = await pool.run(py('raise ValueError("boom")'));
      assert.equal(a.status, 'runtime_error');
      assert.equal(a.exitCode, 1);
      assert.match(a.stderr, /ValueError: boom/);
      assert.doesNotMatch(a.stderr, /runner\.py/);
      const b = await pool.run(py('import sys; sys.exit(3)'));
      assert.deepEqual([b.status, b.exitCode], ['runtime_error', 3]);
    });

    it('returns timeout for an infinite loop', async () => {
      const r = await pool.run(py('while True: pass', { timeoutMs: 500 }));
      assert.deepEqual([r.status, r.signal], ['timeout', 'SIGKILL']);
      await assertHealthy();
    });

    it('returns timeout for a sleep that ignores SIGTERM', async () => {
      const r = await pool.run(py('import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(30)', { timeoutMs: 500 }));
      assert.equal(r.status, 'timeout');
      await assertHealthy();
    });

    it('returns memory_limit for a memory bomb', async () => {
      const r = await pool.run(py('x = bytearray(10**9)', { memoryMb: 128 }));
      assert.equal(r.status, 'memory_limit');
      await assertHealthy();
    });

    it('returns memory_limit for an mmap of 2 GB beyond the limit (ENOMEM, not a MemoryError)', async () => {
      const r = await pool.run(py('import mmap\nm = mmap.mmap(-1, 2 * 1024**3)', { memoryMb: 128 }));
      assert.equal(r.status, 'memory_limit', JSON.stringify(r));
      await assertHealthy();
    });

    it('returns memory_limit when processes together exceed the container memory', async () => {
      const small = await createDockerSandbox({ poolSize: 1, memoryMb: 256 });
      try {
        // Four children hold 120 MB each until killed: together they pass the container's 256 MB whatever the
        // scheduling, and the parent returns as soon as the OOM killer took one.
        const code = 'import os, time\nfor _ in range(4):\n    if os.fork() == 0:\n        b = bytearray(120 * 2**20); time.sleep(60); os._exit(0)\nos.wait()';
        const r = await small.run(py(code, { memoryMb: 200, timeoutMs: 8000 }));
        assert.equal(r.status, 'memory_limit', JSON.stringify(r));
      } finally {
        await small.close();
      }
    });

    it('returns output_limit and truncates huge output', async () => {
      const r = await pool.run(py('while True: print("x" * 1000)', { outputLimitBytes: 5000 }));
      assert.equal(r.status, 'output_limit');
      assert.equal(r.truncated, true);
      assert.equal(r.stdout.length, 5000);
      await assertHealthy();
    });

    it('returns large output up to the limit intact', async () => {
      const r = await pool.run(py('import sys\nsys.stdout.write("a\\u00e9\\n" * 3_000_000)\nsys.stderr.write("e" * 10)', { outputLimitBytes: 12_000_000 }));
      assert.deepEqual([r.status, r.truncated, r.stdout.length, r.stderr], ['ok', false, 9_000_000, 'eeeeeeeeee']);
      assert.equal(r.stdout.slice(0, 6), 'a\u00e9\na\u00e9\n');
    });

    it('returns killed for a program that dies by a signal', async () => {
      const r = await pool.run(py('import os, signal; os.kill(os.getpid(), signal.SIGSEGV)'));
      assert.deepEqual([r.status, r.signal, r.exitCode], ['killed', 'SIGSEGV', null]);
      await assertHealthy();
    });

    it('returns sandbox_error when the container is removed during the run', async () => {
      const running = pool.run(py('import time; time.sleep(20)', { timeoutMs: 30_000 }));
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all(pool.containerIds.map((id) => docker.getContainer(id).remove({ force: true })));
      const r = await running;
      assert.equal(r.status, 'sandbox_error');
      assert.ok(r.error && /^SANDBOX_/.test(r.error.code), JSON.stringify(r));
      await assertHealthy();
    });
  });

  describe('hostile programs', () => {
    it('contains a fork bomb', async () => {
      const r = await pool.run(py('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass', { timeoutMs: 1000 }));
      assert.notEqual(r.status, 'sandbox_error', JSON.stringify(r));
      await assertHealthy();
    });

    it('keeps output with invalid UTF-8 and NUL bytes as replacement and NUL characters', async () => {
      const r = await pool.run(py('import sys; sys.stdout.buffer.write(b"a\\xff\\x00b\\xc3"); print("\\ud800", file=sys.stderr)'));
      assert.equal(r.stdout, 'a\uFFFD\u0000b\uFFFD');
      assert.equal(r.stderr, '\\ud800\n'); // stderr uses backslashreplace, as in a plain python3
      assert.equal(r.status, 'ok');
      const nul = await pool.run(py('print(1)\0'));
      assert.equal(nul.status, 'runtime_error');
      await assertHealthy();
    });

    it('survives os.kill(1, 9) and ignores signals to the init process', async () => {
      const r = await pool.run(py('import os, signal\nfor s in (9, 15, 2): os.kill(1, s)\nprint("alive")'));
      assert.notEqual(r.status, 'sandbox_error', JSON.stringify(r));
      await assertHealthy();
    });

    it('cannot kill or stop pid 1, the runner or the zygote (other uids), and the pool keeps serving', async () => {
      const code = [
        'import os, signal',
        'others = [int(p) for p in os.listdir("/proc") if p.isdigit() and os.stat(f"/proc/{p}").st_uid != os.getuid()]',
        'denied = 0',
        'for pid in sorted(set(others + [1, os.getppid()])):',
        '    for sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM, signal.SIGSEGV):',
        '        try:',
        '            os.kill(pid, sig)',
        '        except PermissionError:',
        '            denied += 1',
        'print(len(set(others + [1, os.getppid()])) >= 3, denied == 4 * len(set(others + [1, os.getppid()])))',
      ].join('\n');
      const r = await pool.run(py(code));
      assert.deepEqual([r.status, r.stdout], ['ok', 'True True\n'], JSON.stringify(r));
      await assertHealthy();
    });

    it('kills background children that left the process group and recycles the container', async () => {
      // Each escapee has left the group before the program exits: Popen returns after the child's setsid and
      // exec, and the forked child reports its setsid through a pipe the parent waits on.
      const escapees = [
        'import subprocess\nsubprocess.Popen(["sleep", "300"], start_new_session=True)\nprint("left")',
        'import os, time\nr, w = os.pipe()\nif os.fork() == 0:\n    os.setsid(); os.write(w, b"x"); time.sleep(300)\nos.read(r, 1)\nprint("left")',
      ];
      const ps = 'import os\nprint(sorted(open(f"/proc/{p}/comm").read().strip() for p in os.listdir("/proc") if p.isdigit() and os.stat(f"/proc/{p}").st_uid == os.getuid()))';
      for (const code of escapees) {
        const before = pool.containerIds;
        const r = await pool.run(py(code));
        assert.deepEqual([r.status, r.stdout], ['ok', 'left\n'], JSON.stringify(r));
        assert.equal((await pool.run(py(ps))).stdout, "['python3']\n", 'only the probe itself runs as the program uid');
        assert.notDeepEqual(pool.containerIds, before, 'the runner reported the leftover and the pool recycled');
      }
      await assertHealthy();
    });

    it('cannot write into the runner\'s protocol stream or read its memory', async () => {
      const code = [
        'import os',
        'for pid in (1, os.getppid()):',
        '    for p in ("fd/1", "fd/0", "mem", "environ"):',
        '        try:',
        '            open(f"/proc/{pid}/{p}", "rb").close(); print(p, "open")',
        '        except OSError as e:',
        '            print(p, e.errno)',
      ].join('\n');
      const r = await pool.run(py(code));
      assert.equal(r.stdout, 'fd/1 13\nfd/0 13\nmem 13\nenviron 13\n'.repeat(2));
    });

    it('cannot find the previous run\'s request or result in the runner\'s frames or live objects', async () => {
      const secret = `s${Date.now().toString(36)}x`;
      await pool.run(py(`print("${secret}" * 2)`, { stdin: secret }));
      const probe = [
        'import gc, sys',
        `needle = "".join(${JSON.stringify(secret.split(''))})`,
        'f, frames = sys._getframe().f_back, 0',
        'while f:',
        '    frames += needle in repr(f.f_locals)',
        '    f = f.f_back',
        'print(frames, sum(1 for o in gc.get_objects() if isinstance(o, (dict, list, tuple)) and needle in repr(o)[:100000]))',
      ].join('\n');
      const r = await pool.run(py(probe));
      assert.equal(r.stdout, '0 1\n', r.stderr); // 1: the probe's own globals
    });

    it('cannot reach the Docker socket or the network', async () => {
      const r = await pool.run(
        py(
          'import os, socket\nprint(os.path.exists("/var/run/docker.sock"), os.path.exists("/run/docker.sock"))\nprint(sorted(os.listdir("/sys/class/net")))\n' +
            'try:\n    socket.create_connection(("1.1.1.1", 53), timeout=1); print("connected")\nexcept OSError as e:\n    print("blocked", e.errno)',
        ),
      );
      assert.equal(r.stdout, "False False\n['lo']\nblocked 101\n");
    });

    it('cannot write to the root filesystem, and runs as an unprivileged uid of its container', async () => {
      const r = await pool.run(py('import os\nprint(os.getuid() >= 2**30, os.getuid() % 2, os.getgid() == os.getuid())\nfor p in ("/x", "/opt/molrl/runner.py", "/etc/passwd"):\n    try:\n        open(p, "w")\n        print("wrote", p)\n    except OSError as e:\n        print(e.errno)'));
      assert.equal(r.stdout, 'True 0 True\n30\n30\n30\n');
    });

    it('fills /tmp to ENOSPC and leaves nothing in /tmp or /dev/shm for the next run', async () => {
      const fill = 'import os, socket\nprint(socket.gethostname())\nopen("/dev/shm/left", "w").write("x")\nos.mkdir("/tmp/dir"); os.chmod("/tmp/dir", 0)\ntry:\n    with open("/tmp/big", "wb") as f:\n        while True: f.write(b"x" * 2**20)\nexcept OSError as e:\n    print(e.errno)';
      const r = await pool.run(py(fill, { timeoutMs: 10_000 }));
      assert.match(r.stdout, /^\w+\n(28|27)\n$/); // ENOSPC (tmpfs size) or EFBIG (RLIMIT_FSIZE)
      const host = r.stdout.split('\n')[0];
      const next = await pool.run(py('import os, socket; print(socket.gethostname()); print(os.listdir("/tmp"), os.listdir("/dev/shm"), os.getcwd())'));
      assert.equal(next.stdout.split('\n')[0], host, 'the same container serves the next run');
      assert.match(next.stdout.split('\n')[1]!, /^\['run-\d+'\] \[\] \/tmp\/run-\d+$/);
      await assertHealthy();
    });
  });

  describe('recycling', () => {
    it('recycles a container after maxRunsPerContainer runs and after a SysV IPC object is left behind', async () => {
      const small = await createDockerSandbox({ poolSize: 1, maxRunsPerContainer: 2 });
      try {
        const host = 'import socket; print(socket.gethostname())';
        const hosts: string[] = [];
        for (let i = 0; i < 3; i++) hosts.push((await small.run(py(host))).stdout);
        assert.equal(hosts[0], hosts[1]);
        assert.notEqual(hosts[1], hosts[2]);
      } finally {
        await small.close();
      }
      const host = 'import socket; print(socket.gethostname())';
      assert.equal((await pool.run(py(host))).stdout, (await pool.run(py(host))).stdout, 'an ordinary run keeps the container');
      const ipc = await pool.run(py('import ctypes, socket\nprint(socket.gethostname())\nprint(ctypes.CDLL(None).shmget(0, 4096, 0o1600) >= 0)'));
      assert.equal(ipc.stdout.split('\n')[1], 'True');
      assert.notEqual((await pool.run(py(host))).stdout, ipc.stdout.split('\n')[0] + '\n');
    });

    it('runs concurrent requests in different containers and passes large stdin', async () => {
      const two = await createDockerSandbox({ poolSize: 2 });
      try {
        const code = 'import socket, sys, time\nd = sys.stdin.read()\ntime.sleep(0.3)\nprint(socket.gethostname(), len(d))';
        const big = 'x'.repeat(1 << 20);
        const [a, b] = await Promise.all([two.run(py(code, { stdin: big })), two.run(py(code, { stdin: big }))]);
        const [ha, na] = a.stdout.trim().split(' ');
        const [hb, nb] = b.stdout.trim().split(' ');
        assert.deepEqual([na, nb], [String(1 << 20), String(1 << 20)]);
        assert.notEqual(ha, hb);
      } finally {
        await two.close();
      }
    });
  });

  describe('marker channel', () => {
    it('hands out the marker once and reports that it was requested', async () => {
      const code = 'import os\nos.write(3, b"marker\\n"); a = os.read(4, 100)\nos.write(3, b"marker\\n"); b = os.read(4, 100)\nprint(a.decode().strip()); print(repr(b))';
      const r = await pool.run(py(code, { marker: true }));
      assert.ok(r.marker, JSON.stringify(r));
      assert.match(r.marker.value, /^[0-9a-f]{32}$/);
      assert.equal(r.marker.requested, true);
      assert.equal(r.stdout, `${r.marker.value}\nb'\\n'\n`);
      assert.ok(!code.includes(r.marker.value));
    });

    it('reports requested false when the program never asks, and no marker without the option', async () => {
      const r = await pool.run(py('print(1)', { marker: true }));
      assert.equal(r.marker?.requested, false);
      const plain = await pool.run(py('import os\ntry:\n    os.write(3, b"marker\\n"); print(os.read(4, 100))\nexcept OSError as e:\n    print("no channel")'));
      assert.equal(plain.marker, undefined);
      assert.equal(plain.status, 'ok');
      assert.doesNotMatch(plain.stdout, /[0-9a-f]{32}/);
    });
  });

  describe('usage', () => {
    it('throws coded errors for an unknown language and bad requests', async () => {
      await assert.rejects(pool.run({ ...base, language: 'cobol' as 'python', code: '1' }), { code: 'SANDBOX_LANGUAGE_UNSUPPORTED' });
      await assert.rejects(pool.run(py('1', { timeoutMs: 0 })), { code: 'SANDBOX_REQUEST_INVALID', path: 'timeoutMs' });
      await assert.rejects(pool.run(py('1', { memoryMb: 999_999 })), { code: 'SANDBOX_REQUEST_INVALID', path: 'memoryMb' });
      await assert.rejects(pool.run(py('1', { files: { '../x': '' } })), { code: 'SANDBOX_FILE_PATH_INVALID' });
      await assertHealthy();
    });

    it('queues runs FIFO and cancels queued and running runs with an AbortSignal', async () => {
      const first = pool.run(py('import time; time.sleep(0.3); print("first")'));
      const queued = new AbortController();
      const second = pool.run(py('print("second")'), { signal: queued.signal });
      const third = pool.run(py('print("third")'));
      queued.abort();
      await assert.rejects(second, { code: 'SANDBOX_ABORTED' });
      assert.equal((await first).stdout, 'first\n');
      assert.equal((await third).stdout, 'third\n');
      const running = new AbortController();
      const long = pool.run(py('import time; time.sleep(30)', { timeoutMs: 60_000 }), { signal: running.signal });
      setTimeout(() => running.abort(), 200);
      await assert.rejects(long, { code: 'SANDBOX_ABORTED' });
      await assertHealthy();
    });
  });

  describe('close', () => {
    it('removes a container still starting when it closes (after a recycle)', async () => {
      const one = await createDockerSandbox({ poolSize: 1 });
      const r = await one.run(py('while True: pass', { timeoutMs: 200 })); // a timeout recycles: a new container starts
      assert.equal(r.status, 'timeout');
      await one.close();
      assert.deepEqual(await poolContainers(one), []);
    });

    it('removes every container it made, and later runs throw SANDBOX_CLOSED', async () => {
      const two = await createDockerSandbox({ poolSize: 2 });
      assert.equal((await poolContainers(two)).length, 2);
      const results = await Promise.all([1, 2, 3, 4].map((i) => two.run(py(`print(${i})`))));
      assert.deepEqual(results.map((r) => r.stdout), ['1\n', '2\n', '3\n', '4\n']);
      await two.close();
      assert.deepEqual(await poolContainers(two), []);
      await assert.rejects(two.run(py('1')), { code: 'SANDBOX_CLOSED' });
    });
  });
});

describe('createDockerSandbox', () => {
  it('throws SANDBOX_DOCKER_UNAVAILABLE when the daemon is unreachable', async () => {
    await assert.rejects(createDockerSandbox({ docker: new Docker({ socketPath: '/nonexistent/docker.sock' }) }), { code: 'SANDBOX_DOCKER_UNAVAILABLE' });
  });

  it('throws SANDBOX_IMAGE_MISSING for an absent image', async function () {
    skipUnless(this, await dockerMissing(), 'docker image check');
    await assert.rejects(createDockerSandbox({ image: 'molrl/no-such-image:0' }), { code: 'SANDBOX_IMAGE_MISSING' });
  });
});
