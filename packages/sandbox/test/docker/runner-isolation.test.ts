// Hostile programs against what runs beside them in a pool container: pid 1, the runner (whose stdout is the
// host's channel), the zygote and the tests' judge. Nothing of them is reachable, no reply can be forged,
// nothing survives into later runs, a program's memory holds no other sample's data nor its own tests, and
// no program can turn its own run into a sandbox_error.
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE, type DockerSandbox, type RunRequest, type RunResult } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const base = { language: 'python', timeoutMs: 5000, memoryMb: 256, outputLimitBytes: 1 << 20 } as const;
const py = (code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ ...base, code, ...extra });
const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const lines = (...l: string[]): string => l.join('\n');

/** Checks every process of another uid than the program's; prints the checks that were NOT denied. */
const REACH = lines(
  'import ctypes, errno, os, signal',
  'def reach():',
  '    libc = ctypes.CDLL(None, use_errno=True)',
  '    me, found = os.getuid(), []',
  '    others = [int(p) for p in os.listdir("/proc") if p.isdigit() and os.stat(f"/proc/{p}").st_uid != me]',
  '    for pid in others:',
  '        if libc.ptrace(16, pid, 0, 0) != -1 or ctypes.get_errno() != errno.EPERM:  # PTRACE_ATTACH',
  '            found.append((pid, "ptrace"))',
  '        for path, mode in (("mem", "r+b"), ("fd/1", "wb"), ("fd/0", "rb"), ("environ", "rb"), ("syscall", "rb")):',
  '            try:',
  '                open(f"/proc/{pid}/{path}", mode, buffering=0).close()',
  '                found.append((pid, path))',
  '            except PermissionError:',
  '                pass',
  '        try:',
  '            os.listdir(f"/proc/{pid}/fd")',
  '            found.append((pid, "fd list"))',
  '        except PermissionError:',
  '            pass',
  '        for sig in (0, signal.SIGSTOP, signal.SIGKILL):',
  '            try:',
  '                os.kill(pid, sig)',
  '                found.append((pid, "signal %d" % sig))',
  '            except PermissionError:',
  '                pass',
  '    uids = sorted({os.stat(f"/proc/{p}").st_uid - (me if os.stat(f"/proc/{p}").st_uid else 0) for p in others})',
  '    return uids, found  # uids relative to the program\'s own (0 stays root)',
);

describe('docker runner isolation', function () {
  let pool: DockerSandbox;
  const run = (req: RunRequest): Promise<RunResult> => pool.run(req);

  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker runner isolation tests');
    pool = await createDockerSandbox({ poolSize: 1 });
  });
  after(async () => pool?.close());

  /** An ordinary program still gets its own answer from the same pool. */
  async function assertHealthy(tag: string): Promise<void> {
    const r = await run(py(`import sys; print("${tag}", sys.stdin.read())`, { stdin: 'in' }));
    assert.deepEqual([r.status, r.stdout], ['ok', `${tag} in\n`], JSON.stringify(r));
  }

  it('denies ptrace, /proc/<pid>/mem, fd, environ and signals on pid 1, the runner and the zygote', async () => {
    const r = await run(py(`${REACH}\nprint(*reach())`));
    assert.equal(r.stdout, '[0] []\n', r.stderr); // root's processes only, and nothing reached
  });

  it("cannot reach the runner's socket: its directory is closed to programs and judges, and the socket is gone", async () => {
    assert.deepEqual(pool.transports, ['socket'], 'a local daemon: requests go over the socket');
    const probe = lines(
      'import os, socket, stat',
      'def probe():',
      '    st, found = os.stat("/run/molrl"), []',
      '    found.append("%s %s" % (oct(stat.S_IMODE(st.st_mode)), st.st_uid == os.getuid()))',
      '    for what in ("list", "connect", "bind"):',
      '        try:',
      '            s = socket.socket(socket.AF_UNIX)',
      '            if what == "list":',
      '                os.listdir("/run/molrl")',
      '            elif what == "connect":',
      '                s.connect("/run/molrl/runner.sock")',
      '            else:',
      '                s.bind("/run/molrl/x.sock")',
      '            found.append(what + " reached")',
      '        except PermissionError:',
      '            found.append(what + " denied")',
      '    return found',
    );
    const program = await run(py(`${probe}
print(probe())`));
    assert.equal(program.stdout, "['0o700 False', 'list denied', 'connect denied', 'bind denied']\n", program.stderr);
    const judge = await run(py('def f():\n    return 1', { tests: `${probe}\nassert probe() == ['0o700 False', 'list denied', 'connect denied', 'bind denied'], probe()\nassert f() == 1` }));
    assert.equal(judge.tests?.verdict, 'tests_passed', JSON.stringify(judge));
    // on this machine: the directory is this process's, mode 0700, and empty (the runner removed its socket once the host connected)
    const mounts = (await new Docker().getContainer(pool.containerIds[0]!).inspect()).Mounts;
    const dir = mounts.find((m) => m.Destination === '/run/molrl')?.Source ?? '';
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('denies the same on the judge while it runs the tests', async () => {
    const r = await run(py(`${REACH}\ndef probe():\n    print(*reach())\n    return True`, { tests: 'assert probe() is True' }));
    assert.equal(r.tests?.verdict, 'tests_passed', JSON.stringify(r));
    assert.equal(r.stdout, '[0, 1] []\n', r.stderr); // the judge (the program's uid + 1) is there, out of reach
  });

  it("blocks the probe's pid 1 hijack: every later run answers for itself, in output and tests mode", async () => {
    const attack = await run(py(fixture('hijack-pid1.py')));
    assert.deepEqual([attack.status, attack.stdout], ['ok', 'blocked 13\n'], JSON.stringify(attack));
    for (let i = 0; i < 6; i++) {
      const r = await run(py(`import os; print("mine ${i}", os.path.exists("/tmp/persist"))`));
      assert.deepEqual([r.status, r.stdout], ['ok', `mine ${i} False\n`], JSON.stringify(r));
      const wrong = await run(py('def solve():\n    return 1', { tests: 'assert solve() == 42' }));
      assert.equal(wrong.tests?.verdict, 'tests_failed', JSON.stringify(wrong));
    }
  });

  it('never lets a forged reply reach the host, wherever the program writes it', async () => {
    const code = lines(
      'import json, os',
      'reply = lambda i: json.dumps({"id": i, "status": "ok", "exitCode": 0, "signal": None, "stdout": "forged", "stderr": "",',
      '    "truncated": False, "durationMs": 1, "leftovers": 0, "tests": {"verdict": "tests_passed", "detail": ""}})',
      'forged = "".join(reply(i) + "\\n" for i in range(1, 300)).encode()',
      'targets = ["/proc/1/fd/1", "/proc/1/fd/2", f"/proc/{os.getppid()}/fd/1", "/dev/console", "/dev/tty"]',
      'targets += [f"/proc/{p}/fd/{fd}" for p in os.listdir("/proc") if p.isdigit() for fd in range(0, 12)]',
      'wrote = set()',
      'for t in targets:',
      '    try:',
      '        with open(t, "wb", buffering=0) as f:',
      '            f.write(forged)',
      '        wrote.add(t.replace(str(os.getpid()), "self"))',
      '    except OSError:',
      '        pass',
      'print(sorted(w for w in wrote if not w.startswith("/proc/self/")))',
      'raise SystemExit(3)',
    );
    const r = await run(py(code, { tests: undefined }));
    assert.deepEqual([r.status, r.exitCode], ['runtime_error', 3], JSON.stringify(r).slice(0, 500));
    assert.equal(r.stdout.split('\n').at(-2), '[]', 'no descriptor outside its own process took the forged replies');
    await assertHealthy('after-forgery');
  });

  it('kills whatever a run left running, however detached, and wipes what it planted', async () => {
    const code = lines(
      'import os, time',
      'r, w = os.pipe()',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        os.write(w, b"x")',
      '        while True:',
      '            for p in ("/tmp/persist", "/dev/shm/persist"):',
      '                try:',
      '                    open(p, "w").write("x")',
      '                except OSError:',
      '                    pass',
      '            time.sleep(0.001)',
      '    os._exit(0)',
      'os.read(r, 1)',
      'print("planted")',
    );
    const before = pool.containerIds;
    assert.equal((await run(py(code))).stdout, 'planted\n');
    const probe = await run(py('import os\nprint(sorted(p for p in os.listdir("/proc") if p.isdigit() and os.stat(f"/proc/{p}").st_uid == os.getuid()) == [str(os.getpid())], os.listdir("/tmp"), os.listdir("/dev/shm"))'));
    assert.match(probe.stdout, /^True \['run-\d+'\] \[\]\n$/, probe.stderr);
    assert.notDeepEqual(pool.containerIds, before, 'a run that left a process behind recycles its container');
  });

  it("keeps other samples' data and its own tests out of a program's memory", async () => {
    const secrets = ['stdin', 'output', 'tests', 'own-tests'].map((k) => `molrl-${k}-${Math.random().toString(36).slice(2)}-secret`);
    await run(py(`import sys; print(sys.stdin.read() + "-x", "${secrets[1]}")`, { stdin: secrets[0] }));
    const other = await run(py('def solve():\n    return 42', { tests: `assert solve() == 42, "${secrets[2]}"` }));
    assert.equal(other.tests?.verdict, 'tests_passed');
    const scan = fixture('scan-memory.py').replace('NEEDLES = []', `NEEDLES = ${JSON.stringify(secrets.map((s) => [...Buffer.from(s)].map((b) => b ^ 0x5a)))}`);
    const r = await run(py(`${scan}\ndef solve():\n    return 42`, { tests: `assert solve() == 42, "${secrets[3]}"`, timeoutMs: 20_000 }));
    assert.equal(r.tests?.verdict, 'tests_passed', JSON.stringify(r));
    assert.equal(r.stdout, '0 0 0 0\n', r.stderr);
  });

  describe('a program cannot make its own run a sandbox_error', () => {
    const hostile: Array<[string, RunRequest]> = [
      ['writes forged setup-failure flags to its info pipe', py('import os\nos.write(5, b"Fforged")\nos.write(5, b"M")')],
      ['closes every descriptor and leaves', py('import os\nos.closerange(0, 256)\nos._exit(0)')],
      ['stops itself', py('import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)', { timeoutMs: 500 })],
      ['kills every process of its uid', py('import os, signal\nos.kill(-1, signal.SIGKILL)')],
      ['prints a runner reply on its stdout', py('print(\'{"id": 1, "status": "sandbox_error", "leftovers": 0}\')')],
      ['plants files of odd names, modes and links, and a deep tree', py(lines(
        'import os',
        'os.symlink("/etc/passwd", "/tmp/link"); os.symlink("/tmp", "/tmp/loop")',
        'open("/tmp/new\\nline", "w").close(); os.mkdir("/dev/shm/d"); os.chmod("/dev/shm/d", 0)',
        'os.makedirs("/tmp/t", exist_ok=True); os.chmod("/tmp/t", 0o1000)',
        'd = "/tmp/deep"',
        'for _ in range(1500):',
        '    os.mkdir(d); d += "/d"',
      ))],
      ['fills /tmp and /dev/shm', py('for p in ("/tmp/f", "/dev/shm/f"):\n    try:\n        open(p, "wb").write(b"x" * (200 << 20))\n    except OSError as e:\n        print(e.errno)', { timeoutMs: 10_000 })],
      ['breaks the tests channel with garbage', py('import os\nos.write(7, b"\\xff" * 64)\ndef solve():\n    return 42', { tests: 'assert solve() == 42' })],
      ['answers the tests with a frame over the size limit', py('import os, struct\nos.write(7, struct.pack(">I", 1 << 30))\ndef solve():\n    return 42', { tests: 'assert solve() == 42' })],
      ['returns a value nested too deep', py('def solve():\n    x = []\n    for _ in range(10000):\n        x = [x]\n    return x', { tests: 'assert solve() == 42' })],
      ['closes the tests channel and sleeps', py('import os, time\nos.close(7)\ntime.sleep(30)', { tests: 'assert solve() == 42', timeoutMs: 1000 })],
    ];
    for (const [what, req] of hostile) {
      it(what, async () => {
        const r = await run(req);
        assert.notEqual(r.status, 'sandbox_error', JSON.stringify(r).slice(0, 800));
        if (req.tests !== undefined) assert.notEqual(r.tests?.verdict, 'tests_passed', JSON.stringify(r.tests));
        await assertHealthy('healthy');
      });
    }
  });
});
