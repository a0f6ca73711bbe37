// Tests of `molrl sandbox run`, run as a user would: a separate node process on the CLI sources (no build needed).
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, languagesImageMissing, skipUnless, skipUnlessLanguages } from '../../../../test/helpers/requirements.ts';
import { runCli, type CliRun } from '../../../../test/helpers/run-cli.ts';

/** Runs `molrl <args>` from the sources; `env` is merged into this process's environment. */
function molrl(args: string[], options: { input?: string; env?: Record<string, string>; onStart?: (child: ChildProcess) => void } = {}): Promise<CliRun> {
  return runCli(args, { input: options.input, onStart: options.onStart, env: { ...process.env, ...options.env } });
}

describe('molrl sandbox run', function () {
  this.timeout(60_000);
  let dir: string;
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'molrl-cli-sandbox-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents the backends, process-unsafe and the exit codes in --help', async function () {
    const r = await molrl(['sandbox', 'run', '--help']);
    assert.equal(r.code, 0);
    for (const text of ['--backend', 'isolated-vm', 'process-unsafe', '--timeout-ms', '--output-limit-bytes', '--json', 'Exit codes']) {
      assert.ok(r.stdout.includes(text), `--help lacks ${text}`);
    }
  });

  it('prints one RunResult JSON line per file, in file order, with file added', async function () {
    const a = file('a.js', 'console.log(stdin.trim() + "!")');
    const b = file('b.js', 'throw new Error("b fails")');
    const r = await molrl(['sandbox', 'run', a, b, '--backend', 'isolated-vm', '--stdin', 'hi', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 2);
    assert.deepEqual([lines[0].file, lines[0].status, lines[0].stdout], [a, 'ok', 'hi!\n']);
    assert.deepEqual([lines[1].file, lines[1].status], [b, 'runtime_error']);
    assert.match(lines[1].stderr, /b fails/);
    for (const key of ['exitCode', 'signal', 'stderr', 'truncated', 'durationMs']) assert.ok(key in lines[0], key);
  });

  it('prints a readable summary and infers python from .py on the process backend', async function () {
    const p = file('sum.py', 'import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))');
    const r = await molrl(['sandbox', 'run', p, '--backend', 'process', '--stdin', '3 4']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /== .*sum\.py: ok \(exit 0, \d+ ms\)\n7\n/);
    assert.match(r.stdout, /1 program: 1 ok\n$/);
    assert.match(r.stderr, /process-unsafe/);
  });

  it('reads the program from standard input with -', async function () {
    const r = await molrl(['sandbox', 'run', '-', '--backend', 'isolated-vm', '--language', 'javascript', '--json'], { input: 'console.log(6 * 7)' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ...JSON.parse(r.stdout), file: '-', status: 'ok', stdout: '42\n' });
  });

  it('exits 0 when programs fail, time out or hit limits', async function () {
    const loop = file('loop.js', 'for (;;) {}');
    const big = file('big.js', 'for (;;) console.log("x".repeat(100))');
    const r = await molrl(['sandbox', 'run', loop, big, '--backend', 'isolated-vm', '--timeout-ms', '200', '--output-limit-bytes', '1000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trim().split('\n').map((line) => JSON.parse(line).status),
      ['timeout', 'output_limit'],
    );
  });

  it('exits normally with its own code after a hostile rejection held an isolate', async function () {
    this.timeout(60_000);
    // isolated-vm reads the rejection's looping getters outside every timeout: the isolate's host process is
    // killed, and the command ends with exit 0 (the programs ran), not 137
    const hostile = file('hostile.js', '(async () => { await null; throw { get message() { for (;;) {} }, get stack() { for (;;) {} } } })()');
    const after = file('after.js', 'console.log("next")');
    const r = await molrl(['sandbox', 'run', hostile, after, '--backend', 'isolated-vm', '--timeout-ms', '200', '--json']);
    assert.deepEqual([r.code, r.signal], [0, null], r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((line) => [JSON.parse(line).status, JSON.parse(line).stdout]), [['timeout', ''], ['ok', 'next\n']]);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['a non-numeric --timeout-ms', ['--timeout-ms', 'abc'], /--timeout-ms: expected a positive integer \(got "abc"\)/],
    ['a zero --memory-mb', ['--memory-mb', '0'], /--memory-mb: expected a positive integer \(got "0"\)/],
    ['a fractional --output-limit-bytes', ['--output-limit-bytes', '1.5'], /--output-limit-bytes: expected a positive integer \(got "1.5"\)/],
    ['a --memory-mb below the minimum', ['--memory-mb', '4'], /--memory-mb: expected an integer from 8 to 65536 \(got "4"\)/],
    ['an unknown --backend', ['--backend', 'vm2'], /--backend: expected one of docker, isolated-vm, process \(got "vm2"\)/],
    ['an unknown --language', ['--language', 'ruby'], /--language: expected one of python, cpp, c, java, go, rust, nodejs, typescript, bash, javascript \(got "ruby"\)/],
    ['a zero --compile-timeout-ms', ['--compile-timeout-ms', '0'], /--compile-timeout-ms: expected a positive integer \(got "0"\)/],
  ];
  for (const [what, flags, message] of usage) {
    it(`exits 2 naming the flag and value for ${what}`, async function () {
      const p = file('ok.py', 'print(1)');
      const r = await molrl(['sandbox', 'run', p, '--backend', 'process', ...flags]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }

  it('exits 2 when the language cannot be inferred from the extension', async function () {
    const r = await molrl(['sandbox', 'run', file('prog.txt', 'print(1)'), '--backend', 'process']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--language: cannot infer the language of .*prog\.txt/);
  });

  it('exits 2 for python on the isolated-vm backend', async function () {
    const r = await molrl(['sandbox', 'run', file('p.py', 'print(1)'), '--backend', 'isolated-vm']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--language: the isolated-vm backend runs javascript only/);
  });

  it('exits 2 for a compiled language on the process backend, naming the backend that runs it', async function () {
    const r = await molrl(['sandbox', 'run', file('p.cpp', 'int main() {}'), '--backend', 'process']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--language: the process backend runs python and javascript only .*use --backend docker for cpp/);
  });

  it('exits 2 for a file that cannot be read', async function () {
    const r = await molrl(['sandbox', 'run', join(dir, 'missing.py'), '--backend', 'process', '--json']);
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stderr).error.code, 'FILE_UNREADABLE');
  });

  it('exits 3 with a coded error when the docker daemon cannot be reached', async function () {
    const r = await molrl(['sandbox', 'run', file('x.py', 'print(1)'), '--backend', 'docker', '--json'], {
      env: { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(JSON.parse(r.stderr).error.code, /^SANDBOX_/);
  });

  it('exits 130 on SIGINT and stops the running program', async function () {
    const slow = file('slow.py', 'import time\nprint("started", flush=True)\ntime.sleep(60)');
    const r = await molrl(['sandbox', 'run', slow, slow, '--backend', 'process', '--timeout-ms', '60000', '--json'], {
      // The process-unsafe warning on stderr means the sandbox exists; the first program is then running.
      onStart: (child) => child.stderr?.once('data', () => setTimeout(() => child.kill('SIGINT'), 500)),
    });
    assert.equal(r.code, 130);
    // The first program was stopped as killed (its line may or may not be printed before the exit); the second never ran.
    assert.ok(r.stdout.trim().split('\n').filter(Boolean).length <= 1);
  });

  describe('with the docker backend', function () {
    /** Containers made by the CLI process `pid` (the pool labels each container with its owner's pid). */
    const containersOf = (pid: number | undefined): string[] =>
      execFileSync('docker', ['ps', '-aq', '--filter', 'label=molrl=1', '--filter', `label=molrl.pid=${pid}`], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter(Boolean);

    before(async function () {
      skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'molrl sandbox run --backend docker');
    });

    it('runs python in the pool and leaves no container behind', async function () {
      let pid: number | undefined;
      const r = await molrl(['sandbox', 'run', file('d.py', 'import sys\nprint("in docker", sys.stdin.read())'), '--backend', 'docker', '--stdin', 'x', '--json'], {
        onStart: (child) => (pid = child.pid),
      });
      assert.equal(r.code, 0, r.stderr);
      const row = JSON.parse(r.stdout);
      assert.deepEqual([row.status, row.stdout], ['ok', 'in docker x\n']);
      assert.deepEqual(containersOf(pid), []);
    });

    it('removes its containers when interrupted with SIGINT', async function () {
      let pid: number | undefined;
      let seen = 0;
      const slow = file('slow-d.py', 'import time\ntime.sleep(60)');
      const r = await molrl(['sandbox', 'run', slow, '--backend', 'docker', '--timeout-ms', '60000', '--json'], {
        onStart: (child) => {
          pid = child.pid;
          // Interrupt once the pool's containers exist (the program is then running or about to).
          const poll = setInterval(() => {
            seen = containersOf(pid).length;
            if (seen > 0) {
              clearInterval(poll);
              child.kill('SIGINT');
            }
          }, 100);
          child.on('close', () => clearInterval(poll));
        },
      });
      assert.ok(seen > 0, 'the pool never started a container');
      assert.ok(r.code === 130 || r.signal === 'SIGINT', `exit ${r.code} signal ${r.signal}: ${r.stderr}`);
      assert.deepEqual(containersOf(pid), []);
    });
  });

  describe('with the multi-language image', function () {
    before(async function () {
      skipUnlessLanguages(this, await languagesImageMissing(), 'molrl sandbox run in every language');
    });

    it('infers C++ and Go from the extension, compiles them, and reports compile_error with the compiler\'s message', async function () {
      const cpp = file('sum.cpp', '#include <iostream>\nint main() { int a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }');
      const go = file('sum.go', 'package main\nimport "fmt"\nfunc main() { var a, b int; fmt.Scan(&a, &b); fmt.Println(a * b) }');
      const bad = file('bad.rs', 'fn main() { let x = ; }');
      const r = await molrl(['sandbox', 'run', cpp, go, bad, '--stdin', '6 7', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
      assert.deepEqual(rows.map((x) => [x.status, x.stdout]), [['ok', '13\n'], ['ok', '42\n'], ['compile_error', '']]);
      assert.equal(rows[0].compile.status, 'ok');
      assert.match(rows[2].stderr, /error: expected expression/);
    });
  });
});

