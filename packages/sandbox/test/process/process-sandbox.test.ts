// Tests of the process (process-unsafe) backend with real programs, including hostile ones (escapes, resource exhaustion).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createProcessSandbox, type ProcessSandbox } from '../../src/process/process-sandbox.ts';
import type { RunRequest, RunResult } from '../../src/types.ts';
import { skipUnless } from '../../../../test/helpers/requirements.ts';

const base = { language: 'python', timeoutMs: 2000, memoryMb: 256, outputLimitBytes: 4096 } as const;

/** A background child that sleeps, tagged so that leftovers() can find it. */
const SLEEPER = 'subprocess.Popen(["/usr/bin/python3", "-c", "import time; time.sleep(60)", "molrl-test-leftover"])';

/** Processes this backend left running: its python command line (`-E -s -B main.py`, also in forks), or a SLEEPER. */
function leftovers(): string {
  try {
    const args = ['-a', '-f', '--', '-E -s -B main\\.py|molrl-test-leftover'];
    return execFileSync('pgrep', args, { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('molrl-test-leftover') || line.includes(' -E -s -B main.py'))
      .join('\n')
      .trim();
  } catch (error) {
    if ((error as { status?: number }).status === 1) return ''; // pgrep: nothing matches
    throw error;
  }
}

describe('ProcessSandbox', function () {
  let sandbox: ProcessSandbox;
  const run = (code: string, extra: Partial<RunRequest> = {}): Promise<RunResult> => sandbox.run({ ...base, code, ...extra });

  before(async function () {
    sandbox = await createProcessSandbox({ quiet: true });
  });
  after(async function () {
    await sandbox.close();
  });
  // After every hostile program: nothing of it is left, and the next ordinary program runs correctly.
  afterEach(async function () {
    const r = await run('print(6 * 7)');
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.equal(r.stdout, '42\n');
    assert.equal(leftovers(), '');
  });

  it('runs python and reports ok, exit code 0 and stdout', async function () {
    const r = await run('import sys\nprint(sum(range(100)))\nprint("warn", file=sys.stderr)');
    assert.equal(r.status, 'ok');
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
    assert.equal(r.stdout, '4950\n');
    assert.equal(r.stderr, 'warn\n');
    assert.equal(r.truncated, false);
  });

  it('feeds stdin and writes extra files into the working directory', async function () {
    const r = await run('import sys\nprint(sys.stdin.read().upper(), open("sub/data.txt").read())', {
      stdin: 'abc',
      files: { 'sub/data.txt': 'hello' },
    });
    assert.equal(r.stdout, 'ABC hello\n');
  });

  it('runs javascript with node', async function () {
    const r = await run('console.log([1, 2, 3].map((x) => x * 2).join(","))', { language: 'javascript' });
    assert.equal(r.status, 'ok', r.stderr);
    assert.equal(r.stdout, '2,4,6\n');
  });

  it('reports an exception as runtime_error with the traceback in stderr', async function () {
    const r = await run('raise ValueError("bad value")');
    assert.equal(r.status, 'runtime_error');
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /ValueError: bad value/);
  });

  it('never lets a program pass itself off as sandbox_error', async function () {
    const r = await run('import sys\nsys.stderr.write("bwrap: Creating new namespace failed\\n")\nsys.exit(1)');
    assert.equal(r.status, 'runtime_error');
  });

  it('reports a non-zero exit as runtime_error with its code', async function () {
    const r = await run('import sys; sys.exit(3)');
    assert.equal(r.status, 'runtime_error');
    assert.equal(r.exitCode, 3);
  });

  it('kills an infinite loop at the timeout', async function () {
    const r = await run('while True: pass', { timeoutMs: 500 });
    assert.equal(r.status, 'timeout');
    assert.equal(r.signal, 'SIGKILL');
  });

  it('kills a sleep that ignores SIGTERM at the timeout', async function () {
    const r = await run('import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)', { timeoutMs: 500 });
    assert.equal(r.status, 'timeout');
  });

  it('reports a memory bomb as memory_limit', async function () {
    const r = await run('x = bytearray(1024 * 1024 * 1024)', { memoryMb: 128 });
    assert.equal(r.status, 'memory_limit');
    assert.match(r.stderr, /MemoryError/);
  });

  it('reports an mmap of 2 GB beyond the limit as memory_limit', async function () {
    const r = await run('import mmap\nm = mmap.mmap(-1, 2 * 1024**3)', { memoryMb: 128 });
    assert.equal(r.status, 'memory_limit', r.stderr);
  });

  it('reports a javascript heap bomb as memory_limit', async function () {
    const r = await run('const a = []; for (;;) a.push(new Array(1e6).fill(1.5))', { language: 'javascript', memoryMb: 64, timeoutMs: 10_000 });
    assert.equal(r.status, 'memory_limit', r.stderr.slice(0, 300));
  });

  it('cuts huge output at the limit as output_limit', async function () {
    const r = await run('while True: print("x" * 1000)', { outputLimitBytes: 10_000 });
    assert.equal(r.status, 'output_limit');
    assert.equal(r.truncated, true);
    assert.equal(Buffer.byteLength(r.stdout), 10_000);
  });

  it('keeps invalid UTF-8 and NUL bytes as data', async function () {
    const r = await run('import sys; sys.stdout.buffer.write(b"a\\x00b\\xffc")');
    assert.equal(r.status, 'ok');
    assert.equal(r.stdout, 'a\u0000b\uFFFDc');
  });

  it('contains a fork bomb and leaves no process behind', async function () {
    this.timeout(20_000);
    const r = await run('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass', { timeoutMs: 1000 });
    assert.notEqual(r.status, 'ok');
    assert.notEqual(r.status, 'sandbox_error');
  });

  it('kills background children the program leaves behind', async function () {
    const r = await run(`import subprocess\n${SLEEPER}\nprint("started")`);
    assert.equal(r.status, 'ok');
    assert.equal(r.stdout, 'started\n');
  });

  it('serves the marker once over fd 3 / fd 4 and reports the request', async function () {
    const r = await run('import os\nos.write(3, b"marker\\n")\nprint(os.read(4, 100).decode().strip())\nprint(repr(os.read(4, 100)))', { marker: true });
    assert.equal(r.status, 'ok', r.stderr);
    assert.ok(r.marker && /^[0-9a-f]{32}$/.test(r.marker.value));
    assert.equal(r.marker.requested, true);
    assert.equal(r.stdout, `${r.marker.value}\nb''\n`);
  });

  it('opens no marker channel without marker: true', async function () {
    const r = await run('import os\ntry:\n    os.write(3, b"marker\\n")\n    print("open")\nexcept OSError:\n    print("closed")');
    assert.equal(r.stdout, 'closed\n');
    assert.equal(r.marker, undefined);
  });

  it('passes an empty, clean environment', async function () {
    const r = await run('import os; print(sorted(k for k in os.environ if k not in ("PATH", "LANG", "HOME", "PWD", "LC_CTYPE")))');
    assert.equal(r.stdout, '[]\n');
  });

  it('removes the temporary working directory after the run', async function () {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('molrl-process-')).length;
    await run('open("left.txt", "w").write("x")');
    const after = readdirSync(tmpdir()).filter((name) => name.startsWith('molrl-process-')).length;
    assert.equal(after, before);
  });

  it('stops a run when its AbortSignal fires, as killed', async function () {
    const controller = new AbortController();
    const pending = sandbox.run({ ...base, code: 'import time; time.sleep(30)', timeoutMs: 20_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    assert.equal((await pending).status, 'killed');
  });

  it('rejects a file path outside the working directory with SANDBOX_FILE_PATH_INVALID', async function () {
    await assert.rejects(run('print(1)', { files: { '../escape.txt': 'x' } }), { code: 'SANDBOX_FILE_PATH_INVALID' });
    await assert.rejects(run('print(1)', { files: { '/etc/x': 'x' } }), { code: 'SANDBOX_FILE_PATH_INVALID' });
  });

  describe('with bubblewrap', function () {
    before(function () {
      skipUnless(this, sandbox.bwrap ? null : "bubblewrap is missing or does not work on this host (npm run setup installs it; user namespaces must be allowed)", 'bubblewrap isolation tests');
    });

    it('has no network', async function () {
      const r = await run('import socket\ntry:\n    socket.create_connection(("1.1.1.1", 53), timeout=1)\n    print("connected")\nexcept OSError as e:\n    print("no network", e.errno)');
      assert.match(r.stdout, /^no network/);
    });

    it('sees only a loopback network interface', async function () {
      const r = await run('import socket; print(sorted(name for _, name in socket.if_nameindex()))');
      assert.equal(r.stdout, "['lo']\n");
    });

    it('cannot write to the root filesystem or /usr', async function () {
      const r = await run('for p in ("/x", "/usr/x"):\n    try:\n        open(p, "w")\n        print("wrote", p)\n    except OSError:\n        print("denied", p)');
      assert.equal(r.stdout, 'denied /x\ndenied /usr/x\n');
    });

    it('cannot see the Docker socket or host processes', async function () {
      const r = await run('import os\nprint(os.path.exists("/var/run/docker.sock"), len([p for p in os.listdir("/proc") if p.isdigit()]) < 5)');
      assert.equal(r.stdout, 'False True\n');
    });

    it('survives killing PID 1 of its namespace', async function () {
      const r = await run('import os, signal\ntry:\n    os.kill(1, signal.SIGKILL)\nexcept OSError as e:\n    print("denied", e.errno)');
      assert.notEqual(r.status, 'sandbox_error');
    });

    it('starts each run with an empty /tmp', async function () {
      await run('open("/tmp/state", "w").write("left")');
      const r = await run('import os; print(os.listdir("/tmp"))');
      assert.equal(r.stdout, '[]\n');
    });

    it('limits the size of a file written to /tmp', async function () {
      const r = await run('f = open("/tmp/big", "wb")\nfor _ in range(64):\n    f.write(b"x" * 1024 * 1024)', { timeoutMs: 5000 });
      assert.equal(r.status, 'runtime_error');
    });
  });
});

describe('ProcessSandbox tests (judge process)', function () {
  let sandbox: ProcessSandbox;
  const run = (code: string, tests: string, extra: Partial<RunRequest> = {}): Promise<RunResult> => sandbox.run({ ...base, code, tests, ...extra });
  before(async function () {
    sandbox = await createProcessSandbox({ quiet: true });
  });
  after(async () => sandbox.close());

  it('decides every verdict in the judge, with the program\'s own status beside it', async function () {
    const cases: Array<[string, string, string, string | null]> = [
      ['def f(a, b):\n    return a + b', 'assert f(1, 2) == 3', 'ok', 'tests_passed'],
      ['def f(a, b):\n    return a - b', 'assert f(1, 2) == 3', 'ok', 'tests_failed'],
      ['def f(a, b:\n    return a', 'assert f(1, 2) == 3', 'runtime_error', 'syntax_error'],
      ['raise ValueError("boom")', 'assert f(1, 2) == 3', 'runtime_error', 'program_error'],
      ['def f():\n    return 1', 'x = (', 'ok', 'tests_error'],
      // what counts as a check: an assert, a call or a raise anywhere in the compiled tests (nested code included)
      ['def f():\n    return 1', 'x = 1\ny = {"a": (1, 2)}\nz = [i for i in (1, 2)]', 'ok', 'tests_error'],
      ['def f():\n    return 1', 'if f() != 2:\n    raise AssertionError("f")', 'ok', 'tests_failed'],
      ['def f():\n    return 1', 'class T:\n    x = [f() for _ in (1,)]\n    assert x == [2]', 'ok', 'tests_failed'],
      ['def f():\n    return 1', 'def check(c):\n    assert c() == 1\ncheck(f)', 'ok', 'tests_passed'],
      ['import time\ndef f():\n    time.sleep(30)', 'f()', 'timeout', null],
    ];
    for (const [code, tests, status, verdict] of cases) {
      const r = await run(code, tests, { timeoutMs: 3000 });
      assert.deepEqual([r.status, r.tests?.verdict ?? null], [status, verdict], JSON.stringify(r));
    }
  });

  it('runs the judge where the program cannot see it, under another uid when molrl is root', async function () {
    const code = 'import os\nme = os.getuid()\nseen = sorted({os.stat("/proc/" + p).st_uid for p in os.listdir("/proc") if p.isdigit()})\ndef probe():\n    return me, seen';
    const ok = await run(code, 'import os\nme, seen = probe()\nassert me + 1 not in seen, seen\nif me != 0:\n    assert os.getuid() == me + 1, (me, os.getuid())');
    assert.equal(ok.tests?.verdict, 'tests_passed', JSON.stringify(ok));
  });
});

describe('ProcessSandbox without bubblewrap', function () {
  let sandbox: ProcessSandbox;
  const run = (code: string, extra: Partial<RunRequest> = {}): Promise<RunResult> => sandbox.run({ ...base, code, ...extra });

  before(async function () {
    sandbox = await createProcessSandbox({ bwrap: 'never', quiet: true });
  });
  afterEach(async function () {
    const r = await run('print(6 * 7)');
    assert.equal(r.stdout, '42\n');
    assert.equal(leftovers(), '');
  });

  it('kills the process group at the timeout', async function () {
    const r = await run(`import subprocess, time\n${SLEEPER}\ntime.sleep(60)`, { timeoutMs: 500 });
    assert.equal(r.status, 'timeout');
  });

  it('kills background children left in the group after a normal exit', async function () {
    const r = await run(`import subprocess\n${SLEEPER}\nprint("started")`);
    assert.equal(r.status, 'ok');
  });

  it('serves the marker channel', async function () {
    const r = await run('import os\nos.write(3, b"marker\\n")\nprint(os.read(4, 100).decode().strip())', { marker: true });
    assert.equal(r.stdout, `${r.marker?.value}\n`);
  });

  it('applies the memory limit', async function () {
    const r = await run('x = bytearray(1024 * 1024 * 1024)', { memoryMb: 128 });
    assert.equal(r.status, 'memory_limit');
  });
});

describe('createProcessSandbox', function () {
  it('rejects bwrap: always where bubblewrap is missing, else returns a bwrap sandbox', async function () {
    const auto = await createProcessSandbox({ quiet: true });
    if (auto.bwrap) assert.equal((await createProcessSandbox({ bwrap: 'always', quiet: true })).bwrap, true);
    else await assert.rejects(createProcessSandbox({ bwrap: 'always', quiet: true }), { code: 'SANDBOX_BWRAP_UNAVAILABLE' });
  });

  it('runs without bubblewrap when told so', async function () {
    const sandbox = await createProcessSandbox({ bwrap: 'never', quiet: true });
    assert.equal(sandbox.bwrap, false);
    const r = await sandbox.run({ ...base, code: 'print("plain")' });
    assert.equal(r.stdout, 'plain\n');
  });

  it('rejects a relative interpreter path', async function () {
    await assert.rejects(createProcessSandbox({ python: 'python3', quiet: true }), { code: 'SANDBOX_PROCESS_SPAWN_FAILED' });
  });

  it('rejects an interpreter that does not run with SANDBOX_PROCESS_SPAWN_FAILED', async function () {
    await assert.rejects(createProcessSandbox({ python: '/nonexistent/python3', bwrap: 'never', quiet: true }), { code: 'SANDBOX_PROCESS_SPAWN_FAILED' });
    await assert.rejects(createProcessSandbox({ node: '/nonexistent/node', quiet: true }), { code: 'SANDBOX_PROCESS_SPAWN_FAILED' });
  });

  it('kills runs in flight on close and refuses later runs with SANDBOX_CLOSED', async function () {
    const sandbox = await createProcessSandbox({ quiet: true });
    // closed at once and after a while: whatever phase the run is in (before or after its spawn), it ends killed
    for (const delay of [0, 300]) {
      const other = await createProcessSandbox({ quiet: true });
      const running = other.run({ ...base, code: 'import time; time.sleep(30)', timeoutMs: 20_000 });
      if (delay) await new Promise((r) => setTimeout(r, delay));
      void other.close();
      assert.equal((await running).status, 'killed', `closed after ${delay} ms`);
    }
    await sandbox.close();
    await assert.rejects(sandbox.run({ ...base, code: 'print(1)' }), { code: 'SANDBOX_CLOSED' });
  });
});
