// Tests of the isolated-vm backend with real programs, including hostile ones (escapes, resource exhaustion, hanging getters).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createIsolatedVmSandbox, type IsolatedVmSandbox } from '../../src/isolated-vm/isolated-vm-sandbox.ts';
import type { RunRequest, RunResult } from '../../src/types.ts';

const base = { language: 'javascript', timeoutMs: 1000, memoryMb: 64, outputLimitBytes: 4096 } as const;

/** Whether process `pid` exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** CPU ms the processes `pids` use over the next `ms` (utime + stime from /proc, in 10 ms ticks). */
async function cpuMsOver(ms: number, pids: number[]): Promise<number> {
  const ticks = () =>
    pids.reduce((sum, pid) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')')[1]!.trim().split(' ');
      return sum + Number(fields[11]) + Number(fields[12]);
    }, 0);
  const before = ticks();
  await new Promise((r) => setTimeout(r, ms));
  return (ticks() - before) * 10;
}

describe('IsolatedVmSandbox', function () {
  let sandbox: IsolatedVmSandbox;
  const run = (code: string, extra: Partial<RunRequest> = {}): Promise<RunResult> => sandbox.run({ ...base, code, ...extra });

  before(async function () {
    sandbox = await createIsolatedVmSandbox({ isolates: 2 });
  });
  after(async function () {
    await sandbox.close();
  });
  // After every hostile program the next ordinary one must still run correctly.
  afterEach(async function () {
    const r = await run('console.log(6 * 7)');
    assert.equal(r.status, 'ok', JSON.stringify(r));
    assert.equal(r.stdout, '42\n');
  });

  it('captures console.log and console.error as stdout and stderr', async function () {
    const r = await run('console.log("a", 1, {b: [2]}); console.error("oops"); console.warn("w")');
    assert.equal(r.status, 'ok');
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, 'a 1 {"b":[2]}\n');
    assert.equal(r.stderr, 'oops\nw\n');
    assert.equal(r.truncated, false);
    assert.equal(r.signal, null);
    assert.ok(r.durationMs >= 0);
  });

  it('gives the program its stdin as a string', async function () {
    const r = await run('const [a, b] = stdin.trim().split(" ").map(Number); console.log(a + b)', { stdin: '2 3\n' });
    assert.equal(r.stdout, '5\n');
  });

  it('includes output written by promise continuations that finish after the script', async function () {
    const r = await run('(async () => { for (let i = 0; i < 3; i++) await null; console.log("late") })(); console.log("early")');
    assert.equal(r.status, 'ok');
    assert.equal(r.stdout, 'early\nlate\n');
  });

  it('reports an uncaught exception as runtime_error with the message and location in stderr', async function () {
    const r = await run('console.log("before");\nthrow new TypeError("boom")');
    assert.equal(r.status, 'runtime_error');
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, 'before\n');
    assert.match(r.stderr, /^TypeError: boom\n +at .*main\.js:2:7/);
    assert.doesNotMatch(r.stderr, /molrl:wrapper/);
  });

  it('reports a syntax error as runtime_error', async function () {
    const r = await run('let = = 1');
    assert.equal(r.status, 'runtime_error');
    assert.match(r.stderr, /SyntaxError/);
  });

  it('reports an unhandled promise rejection as runtime_error', async function () {
    const r = await run('(async () => { await null; throw new Error("later") })()');
    assert.equal(r.status, 'runtime_error');
    assert.match(r.stderr, /later/);
  });

  it('does not take a rejection that quotes a limit message for the limit', async function () {
    for (const message of ['Script execution timed out.', 'Isolate was disposed during execution due to memory limit']) {
      const r = await run(`Promise.reject(new Error(${JSON.stringify(message)}))`);
      assert.equal(r.status, 'runtime_error', message);
    }
  });

  it('ends a synchronous infinite loop as timeout', async function () {
    const r = await run('for (;;) {}', { timeoutMs: 200 });
    assert.equal(r.status, 'timeout');
    assert.equal(r.exitCode, null);
  });

  it('ends an async loop of promise continuations as timeout', async function () {
    const r = await run('(async () => { for (;;) await null })()', { timeoutMs: 200 });
    assert.equal(r.status, 'timeout');
  });

  it('ends a .then chain that loops forever as timeout', async function () {
    const r = await run('Promise.resolve().then(() => { while (true) {} })', { timeoutMs: 200 });
    assert.equal(r.status, 'timeout');
  });

  it('ends a memory bomb as memory_limit and recreates the isolate for the next run', async function () {
    const before = sandbox.isolatesCreated;
    const r = await run('const a = []; for (;;) a.push(new Array(1e5).fill(1.5))', { memoryMb: 32, timeoutMs: 5000 });
    assert.equal(r.status, 'memory_limit');
    const next = await run('console.log("alive")', { memoryMb: 32 });
    assert.equal(next.stdout, 'alive\n');
    assert.ok(sandbox.isolatesCreated > before);
  });

  it('cuts a print loop at the output limit', async function () {
    const r = await run('for (;;) console.log("xxxxxxxxxx")', { outputLimitBytes: 100 });
    assert.equal(r.status, 'output_limit');
    assert.equal(r.truncated, true);
    assert.ok(Buffer.byteLength(r.stdout) <= 100);
    assert.ok(r.stdout.startsWith('xxxxxxxxxx\n'));
  });

  it('caps multi-byte output at the byte limit without splitting a character', async function () {
    const r = await run('console.log("é".repeat(100))', { outputLimitBytes: 51 });
    assert.equal(r.status, 'output_limit');
    assert.equal(r.stdout, 'é'.repeat(25));
  });

  it('passes invalid UTF-16 and NUL characters through as data', async function () {
    const r = await run('console.log("a\\u0000b\\ud800c")');
    assert.equal(r.status, 'ok');
    assert.equal(r.stdout.slice(0, 3), 'a\u0000b');
  });

  it('hands out the marker once and reports that it was requested', async function () {
    const r = await run('console.log(molrlMarker()); console.log(JSON.stringify(molrlMarker()))', { marker: true });
    assert.equal(r.status, 'ok');
    assert.ok(r.marker && /^[0-9a-f]{32}$/.test(r.marker.value));
    assert.equal(r.marker.requested, true);
    assert.equal(r.stdout, `${r.marker.value}\n""\n`);
  });

  it('reports a marker that was never requested, and defines no marker function without marker: true', async function () {
    const asked = await run('console.log(1)', { marker: true });
    assert.deepEqual(asked.marker?.requested, false);
    const plain = await run('console.log(typeof molrlMarker)');
    assert.equal(plain.stdout, 'undefined\n');
    assert.equal(plain.marker, undefined);
  });

  describe('escapes', function () {
    it('finds no process, require or host globals through constructor chains', async function () {
      const r = await run(`
        const probes = [
          () => this.constructor.constructor('return typeof process')(),
          () => console.log.constructor('return typeof process')(),
          () => Promise.resolve().constructor.constructor('return typeof require')(),
          () => Object.getPrototypeOf(function* () {}).constructor('return typeof globalThis.process')().next().value,
          () => typeof console.log.call.constructor('return this')().process,
        ];
        console.log(probes.map((p) => { try { return String(p()); } catch (e) { return 'threw'; } }).join(','));
        console.log(Object.getOwnPropertyNames(globalThis).filter((k) => /ivm|^(Reference|ExternalCopy|Callback|process|require|module|Buffer)$/i.test(k)).join(','));
      `);
      assert.equal(r.status, 'ok', r.stderr);
      assert.equal(r.stdout, 'undefined,undefined,undefined,undefined,undefined\n\n');
    });

    it('keeps prototype pollution inside the evaluation', async function () {
      const polluted = await run('Object.prototype.polluted = "yes"; Array.prototype.push = () => 0; String.prototype.slice = () => "x"; console.log("done")');
      assert.equal(polluted.stdout, 'done\n');
      const clean = await run('console.log(String(({}).polluted), [1].slice(0).length)');
      assert.equal(clean.stdout, 'undefined 1\n');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('keeps globals from one evaluation out of the next one', async function () {
      await run('globalThis.leak = 1; var leakedVar = 2; console = { log() {} }');
      const r = await run('console.log(typeof leak, typeof leakedVar)');
      assert.equal(r.stdout, 'undefined undefined\n');
    });

    it('cannot reach or replace the output it reports', async function () {
      const r = await run('console.log("mine"); Object.defineProperty(Object.prototype, "stdout", { set() { throw 1 }, get() { return "fake" } })');
      assert.equal(r.status, 'ok', r.stderr);
      assert.equal(r.stdout, 'mine\n');
    });

    it('describes thrown non-errors and null as runtime_error', async function () {
      for (const [code, text] of [['throw null', 'Uncaught null'], ['throw { a: 1 }', 'Uncaught [object Object]'], ['throw "s"', 'Uncaught s']]) {
        const r = await run(code!);
        assert.equal(r.status, 'runtime_error', code);
        assert.equal(r.stderr, `${text}\n`);
      }
    });

    // isolated-vm reads an escaping error's message/stack outside the timeout: these must end inside it.
    const hostileThrows = [
      'throw { get message() { for (;;) {} }, get stack() { for (;;) {} }, toString() { for (;;) {} } }',
      'const e = new Error("x"); Object.defineProperty(e, "stack", { get() { for (;;) {} } }); throw e',
      'throw new Proxy(new Error("x"), { get() { for (;;) {} } })',
      'Error.prepareStackTrace = () => { for (;;) {} }; throw new Error("x")',
      'console.log(new Proxy({}, { get() { for (;;) {} } }))',
    ];
    for (const code of hostileThrows) {
      it(`ends a hostile throw or print within the timeout: ${code.slice(0, 60)}`, async function () {
        const r = await run(code, { timeoutMs: 200 });
        assert.ok(['timeout', 'runtime_error'].includes(r.status), JSON.stringify(r));
      });
    }
  });

  it('ends a rejection whose getters loop as timeout, kills the host it held, and leaves no CPU busy', async function () {
    // isolated-vm copies an unhandled rejection's message/stack outside every timeout, so these getters would spin
    // a thread for good: the sandbox kills the isolate's host process instead.
    const own = await createIsolatedVmSandbox({ isolates: 1 });
    try {
      const [held] = own.hostPids;
      const hostile = await own.run({ ...base, timeoutMs: 200, code: '(async () => { await null; throw { get message() { for (;;) {} }, get stack() { for (;;) {} } } })()' });
      assert.equal(hostile.status, 'timeout', JSON.stringify(hostile));
      assert.equal(own.abandonedIsolates, 1);
      assert.throws(() => process.kill(held!, 0), { code: 'ESRCH' }); // the host is gone (and reaped)
      const next = await own.run({ ...base, code: 'console.log("next")' });
      assert.deepEqual([next.status, next.stdout], ['ok', 'next\n']);
      // Idle now: this process and the live hosts use (almost) no CPU over a second. A thread left spinning would use
      // its whole share of a core (hundreds of ms even on a loaded machine); idle processes use a few ms.
      const used = await cpuMsOver(1000, [process.pid, ...own.hostPids]);
      assert.ok(used < 100, `${used} ms of CPU in 1 s after the hostile run`);
    } finally {
      await own.close();
    }
  });

  it('lets the process end by itself after a hostile rejection', async function () {
    const script = `
      import { createIsolatedVmSandbox } from ${JSON.stringify(new URL('../../src/isolated-vm/isolated-vm-sandbox.ts', import.meta.url).href)};
      const sandbox = await createIsolatedVmSandbox({ isolates: 1 });
      const base = { language: 'javascript', timeoutMs: 200, memoryMb: 32, outputLimitBytes: 100 };
      const hostile = await sandbox.run({ ...base, code: '(async () => { await null; throw { get message() { for (;;) {} }, get stack() { for (;;) {} } } })()' });
      const next = await sandbox.run({ ...base, code: 'console.log("next")' });
      console.log(JSON.stringify([hostile.status, next.status, next.stdout, sandbox.abandonedIsolates]));`;
    const { spawnSync } = await import('node:child_process');
    // no close(), no exit(): the idle hosts must not keep it alive, and nothing may spin in it
    const child = spawnSync(process.execPath, ['--conditions=molrl-src', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.deepEqual([child.status, child.signal], [0, null], child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), ['timeout', 'ok', 'next\n', 1]);
  });

  it('leaves no isolate host behind when its parent is killed during a hostile run', async function () {
    const script = `
      import { createIsolatedVmSandbox } from ${JSON.stringify(new URL('../../src/isolated-vm/isolated-vm-sandbox.ts', import.meta.url).href)};
      const sandbox = await createIsolatedVmSandbox({ isolates: 2 });
      console.log(JSON.stringify(sandbox.hostPids));
      const base = { language: 'javascript', timeoutMs: 60000, memoryMb: 32, outputLimitBytes: 100 };
      void sandbox.run({ ...base, code: 'for (;;) {}' });
      void sandbox.run({ ...base, timeoutMs: 100, code: '(async () => { await null; throw { get message() { for (;;) {} }, get stack() { for (;;) {} } } })()' });`;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--conditions=molrl-src', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids: number[] = await new Promise((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()))));
    await new Promise((r) => setTimeout(r, 500)); // both programs running
    child.kill('SIGKILL');
    for (let waited = 0; pids.some(alive); waited += 50) {
      if (waited >= 20_000) {
        const left = pids.filter(alive);
        for (const pid of left) process.kill(pid, 'SIGKILL'); // not to leave them spinning after a failure
        assert.fail(`isolate hosts ${left.join(', ')} outlived their parent`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('stops a run when its AbortSignal fires, as killed', async function () {
    const controller = new AbortController();
    const pending = sandbox.run({ ...base, code: 'for (;;) {}', timeoutMs: 10_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const r = await pending;
    assert.equal(r.status, 'killed');
  });

  it('runs evaluations in parallel on separate isolates', async function () {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(`console.log(${i} * 2)`)));
    assert.deepEqual(
      results.map((r) => r.stdout),
      Array.from({ length: 20 }, (_, i) => `${i * 2}\n`),
    );
  });

  it('rejects python with SANDBOX_LANGUAGE_UNSUPPORTED', async function () {
    await assert.rejects(sandbox.run({ ...base, language: 'python', code: 'print(1)' }), { code: 'SANDBOX_LANGUAGE_UNSUPPORTED' });
  });

  it('rejects tests (python only) and requests over the size limits before anything runs', async function () {
    await assert.rejects(sandbox.run({ ...base, code: '1', tests: 'assert True' }), { code: 'SANDBOX_REQUEST_INVALID', path: 'tests' });
    await assert.rejects(sandbox.run({ ...base, code: 'x'.repeat(5 << 20) }), { code: 'SANDBOX_REQUEST_TOO_LARGE', path: 'code' });
    await assert.rejects(sandbox.run({ ...base, code: '1', stdin: 'x'.repeat(17 << 20) }), { code: 'SANDBOX_REQUEST_TOO_LARGE', path: 'stdin' });
  });
});

describe('IsolatedVmSandbox.close', function () {
  it('ends runs in flight as killed and refuses queued ones with SANDBOX_CLOSED', async function () {
    const sandbox = await createIsolatedVmSandbox({ isolates: 1 });
    const running = sandbox.run({ ...base, code: 'for (;;) {}', timeoutMs: 10_000 });
    const queued = sandbox.run({ ...base, code: 'console.log(1)' });
    setTimeout(() => void sandbox.close(), 100);
    assert.equal((await running).status, 'killed');
    await assert.rejects(queued, { code: 'SANDBOX_CLOSED' });
  });
});

describe('createIsolatedVmSandbox', function () {
  it('returns a sandbox that refuses runs after close with SANDBOX_CLOSED', async function () {
    const sandbox = await createIsolatedVmSandbox({ isolates: 1 });
    assert.equal(sandbox.backend, 'isolated-vm');
    await sandbox.close();
    await assert.rejects(sandbox.run({ ...base, code: '1' }), { code: 'SANDBOX_CLOSED' });
  });
});
