// sandbox-images/python/languages.py through runner.py on the host (no Docker): the compile op and its artifact, a
// run with an artifact, compile_error with the compiler's message, a compile past compileTimeoutMs, Node.js. Uses
// the host's gcc and node (npm run setup installs build-essential), so CI covers the protocol without the image.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { skipUnless } from '../../../../test/helpers/requirements.ts';

const RUNNER = new URL('../../../../sandbox-images/python/runner.py', import.meta.url).pathname;

function missing(): string | null {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return "gcc is missing on this host; run 'npm run setup' (it installs build-essential)";
  }
}

describe('languages.py (runner on the host)', function () {
  let child: ChildProcessWithoutNullStreams;
  let lines: AsyncIterator<string>;
  let id = 0;

  async function send(req: Record<string, unknown>): Promise<Record<string, any>> {
    child.stdin.write(JSON.stringify({ id: ++id, stdin: '', files: {}, timeoutMs: 5000, memoryMb: 256, outputLimitBytes: 4096, ...req }) + '\n');
    const reply = JSON.parse((await lines.next()).value as string);
    assert.equal(reply.id, id);
    return reply;
  }

  before(async function () {
    skipUnless(this, missing(), 'languages.py host tests');
    child = spawn('/usr/bin/python3', [RUNNER], { env: { PATH: '/usr/bin:/bin:/usr/local/bin' } });
    lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = JSON.parse((await lines.next()).value as string);
    assert.ok(ready.languages.includes('c'), JSON.stringify(ready));
  });
  after(() => child?.stdin.end());

  const SUM = '#include <stdio.h>\nint main() { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\\n", a + b); return 0; }';

  it('compiles once (op compile returns the binary), then runs it from the artifact', async () => {
    const compiled = await send({ language: 'c', code: SUM, op: 'compile' });
    assert.equal(compiled.status, 'ok');
    assert.deepEqual(Object.keys(compiled.artifact), ['main']);
    assert.equal(Buffer.from(compiled.artifact.main, 'base64').subarray(1, 4).toString(), 'ELF');
    assert.equal(compiled.compile.status, 'ok');
    const run = await send({ language: 'c', code: SUM, stdin: '20 22', artifact: compiled.artifact });
    assert.deepEqual([run.status, run.stdout, run.compile], ['ok', '42\n', undefined]);
  });

  it('compiles and runs in one request without an artifact', async () => {
    const r = await send({ language: 'c', code: SUM, stdin: '1 2' });
    assert.deepEqual([r.status, r.stdout, r.compile.status], ['ok', '3\n', 'ok']);
  });

  it('reports compile_error with the compiler\'s message, also for op compile', async () => {
    for (const op of [undefined, 'compile']) {
      const r = await send({ language: 'c', code: 'int main() { return x; }', op });
      assert.equal(r.status, 'compile_error');
      assert.match(r.stderr, /error: .x. undeclared/);
      assert.deepEqual([r.compile.status, r.compile.exitCode, r.artifact], ['runtime_error', 1, undefined]);
    }
  });

  it('stops a compile at compileTimeoutMs as compile_error, and keeps serving', async () => {
    const blowup = ['#define A0 x', ...Array.from({ length: 40 }, (_, i) => `#define A${i + 1} A${i} A${i}`), 'int A40;'].join('\n');
    const r = await send({ language: 'c', code: blowup, compileTimeoutMs: 1000 });
    assert.equal(r.status, 'compile_error');
    assert.ok(['timeout', 'memory_limit'].includes(r.compile.status), JSON.stringify(r.compile));
    assert.match(r.stderr, /\[molrl\] the compiler (exceeded compileTimeoutMs|ran out of memory)/);
    assert.equal((await send({ language: 'c', code: SUM, stdin: '2 2' })).stdout, '4\n');
  });

  it('reports memory_limit for C under RLIMIT_AS, and runs nodejs (and its javascript alias) without it', async () => {
    const balloon = await send({ language: 'c', code: '#include <stdlib.h>\n#include <string.h>\nint main() { for (;;) { char *p = malloc(1 << 20); memset(p, 1, 1 << 20); } }', memoryMb: 64 });
    assert.equal(balloon.status, 'memory_limit', JSON.stringify(balloon));
    for (const language of ['nodejs', 'javascript']) {
      const r = await send({ language, code: "console.log(require('fs').readFileSync(0, 'utf8').length)", stdin: 'abc' });
      assert.deepEqual([r.status, r.stdout], ['ok', '3\n']);
    }
  });

  it('refuses an artifact name that leaves the working directory', async () => {
    const r = await send({ language: 'c', code: SUM, artifact: { '../main': 'AA==' } });
    assert.deepEqual([r.status, r.error.code], ['sandbox_error', 'SANDBOX_RUNNER_FAILED']);
  });
});
