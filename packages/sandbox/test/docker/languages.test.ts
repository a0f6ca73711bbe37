// Every language of the multi-language image through the docker pool: a test per status and the hostile list
// (fork bomb, output flood, infinite loop, memory balloon, escaping child, writing outside /tmp), compile errors,
// a hanging compile, a binary that writes 1 GB, and the compile cache. Needs `npm run setup -- --languages all`.
import assert from 'node:assert/strict';
import { createDockerSandbox, type DockerSandbox, type Language, type RunRequest } from '@molrl/sandbox';
import { languagesImageMissing, skipUnlessLanguages } from '../../../../test/helpers/requirements.ts';
import { HOSTILE, type LanguageCase } from './language-programs.ts';

const base = { timeoutMs: 5000, memoryMb: 256, outputLimitBytes: 4096, compileTimeoutMs: 60_000 } as const;
const req = (language: Language, code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ ...base, language, code, ...extra });

describe('DockerSandbox languages (multi-language image)', function () {
  let pool: DockerSandbox;

  before(async function () {
    skipUnlessLanguages(this, await languagesImageMissing(), 'multi-language sandbox tests');
    // the default (python) image plus the multi-language pool it starts on the first other language
    pool = await createDockerSandbox({ poolSize: 1 });
  });
  after(async () => pool?.close());

  /** After each hostile program, an ordinary one of the same language must still run correctly in the same pool. */
  async function assertHealthy(c: LanguageCase): Promise<void> {
    const r = await pool.run(req(c.language, c.ok, { stdin: '20 22\n' }));
    assert.deepEqual([r.status, r.stdout.trim()], ['ok', '42'], `${c.language} healthy after: ${JSON.stringify(r)}`);
  }

  for (const c of HOSTILE) {
    describe(c.language, () => {
      it('ok: reads stdin, writes stdout', async () => {
        const r = await pool.run(req(c.language, c.ok, { stdin: '20 22\n' }));
        assert.equal(r.status, 'ok', JSON.stringify(r));
        assert.equal(r.stdout.trim(), '42');
        assert.equal(r.exitCode, 0);
        if (c.compiled) assert.equal(r.compile?.status, 'ok');
      });

      it(c.compiled ? 'compile_error with the compiler\'s message' : 'runtime_error for a syntax error', async () => {
        const r = await pool.run(req(c.language, c.syntaxError));
        assert.equal(r.status, c.compiled ? 'compile_error' : 'runtime_error', JSON.stringify(r));
        assert.match(r.stderr, c.syntaxMessage);
        if (c.compiled) {
          assert.equal(r.compile?.status, 'runtime_error');
          assert.equal(r.stdout, '');
        }
      });

      it('runtime_error for a non-zero exit', async () => {
        const r = await pool.run(req(c.language, c.exit3));
        assert.deepEqual([r.status, r.exitCode], ['runtime_error', 3], JSON.stringify(r));
      });

      it('timeout for an infinite loop', async () => {
        const r = await pool.run(req(c.language, c.loop, { timeoutMs: 1500 }));
        assert.equal(r.status, 'timeout', JSON.stringify(r));
        await assertHealthy(c);
      });

      it('memory_limit for a memory balloon', async () => {
        const r = await pool.run(req(c.language, c.balloon, { memoryMb: 128, timeoutMs: 20_000 }));
        assert.equal(r.status, 'memory_limit', JSON.stringify({ ...r, stderr: r.stderr.slice(0, 500) }));
        await assertHealthy(c);
      });

      it('output_limit for an output flood', async () => {
        const r = await pool.run(req(c.language, c.flood, { outputLimitBytes: 5000 }));
        assert.deepEqual([r.status, r.truncated, r.stdout.length], ['output_limit', true, 5000], JSON.stringify(r).slice(0, 500));
        await assertHealthy(c);
      });

      it('killed for a program that dies by a signal', async () => {
        const r = await pool.run(req(c.language, c.signal));
        assert.equal(r.status, 'killed', JSON.stringify(r));
        assert.equal(r.signal, c.signalName);
        await assertHealthy(c);
      });

      it('contains a fork bomb', async () => {
        const r = await pool.run(req(c.language, c.forkBomb, { timeoutMs: 1500 }));
        assert.notEqual(r.status, 'sandbox_error', JSON.stringify(r));
        await assertHealthy(c);
      });

      it('kills a child that left the process group, and recycles the container', async () => {
        const before = pool.containerIds;
        const r = await pool.run(req(c.language, c.escape));
        assert.deepEqual([r.status, r.stdout.trim()], ['ok', 'left'], JSON.stringify(r));
        const ps = await pool.run(req('bash', 'for p in /proc/[0-9]*; do cat $p/comm 2>/dev/null; done'));
        assert.doesNotMatch(ps.stdout, /sleep/);
        assert.notDeepEqual(pool.containerIds, before, 'the runner reported the leftover and the pool recycled');
        await assertHealthy(c);
      });

      it('cannot write outside /tmp', async () => {
        const r = await pool.run(req(c.language, c.writeOutside));
        assert.equal(r.stdout.trim(), 'denied denied denied', JSON.stringify(r));
        const check = await pool.run(req('bash', 'ls / /etc | grep -c molrl-x; stat -c %U /opt/molrl/runner.py; true'));
        assert.equal(check.stdout, '0\nroot\n');
      });
    });
  }

  it('runs programs as the container\'s program uid, without capabilities, like Python programs', async () => {
    const r = await pool.run(req('c', '#include <stdio.h>\n#include <unistd.h>\n#include <sys/stat.h>\nint main() { struct stat s; stat("main", &s); printf("%d %d\\n", (int)getuid(), (int)s.st_uid); return 0; }'));
    const [uid, owner] = r.stdout.trim().split(' ').map(Number);
    assert.ok(pool.programUids.includes(uid!), `${uid} not in ${pool.programUids}`);
    assert.equal(owner, uid, 'the binary was written by the program\'s own process');
    const caps = await pool.run(req('bash', 'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'));
    assert.equal(caps.stdout, 'CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n');
    // Compilers run the same way (the runner's run(): the zygote forks them and drops them to the program uid);
    // had one run as root, its output files would be foreign to the runner's cleanup (SANDBOX_SCRATCH_TAMPERED).
  });

  describe('compiling', () => {
    it('compiles a program once for many runs (also concurrent ones) and reports cached compiles', async () => {
      const code = '#include <cstdio>\nint main(){ long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\\n", a * b); }';
      const before = pool.compiles;
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.run(req('cpp', code, { stdin: `${i} 7` }))));
      assert.deepEqual(
        results.map((r) => r.stdout),
        Array.from({ length: 6 }, (_, i) => `${i * 7}\n`),
      );
      assert.equal(pool.compiles - before, 1);
      assert.equal(results.filter((r) => r.compile?.cached === false).length, 1);
      const again = await pool.run(req('cpp', code, { stdin: '6 7' }));
      assert.deepEqual([again.stdout, again.compile?.cached, pool.compiles - before], ['42\n', true, 1]);
      const other = await pool.run(req('cpp', code + '\n', { stdin: '6 7' }));
      assert.deepEqual([other.stdout, other.compile?.cached, pool.compiles - before], ['42\n', false, 2]);
    });

    it('keys the cache by files too, and compiles headers given as files', async () => {
      const code = '#include "k.h"\n#include <cstdio>\nint main(){ printf("%d\\n", K); }';
      const a = await pool.run(req('cpp', code, { files: { 'k.h': '#define K 1' } }));
      const b = await pool.run(req('cpp', code, { files: { 'k.h': '#define K 2' } }));
      assert.deepEqual([a.stdout, b.stdout], ['1\n', '2\n']);
    });

    it('reports a compile that hangs as compile_error under compileTimeoutMs, and keeps serving', async () => {
      const lines = ['#define A0 x'];
      for (let i = 1; i <= 40; i++) lines.push(`#define A${i} A${i - 1} A${i - 1}`);
      lines.push('int A40;');
      const r = await pool.run(req('c', lines.join('\n'), { compileTimeoutMs: 1500 }));
      assert.equal(r.status, 'compile_error', JSON.stringify(r).slice(0, 500));
      assert.ok(['timeout', 'memory_limit'].includes(r.compile!.status), JSON.stringify(r.compile).slice(0, 500));
      assert.match(r.stderr, /\[molrl\] the compiler (exceeded compileTimeoutMs|ran out of memory|ended as)/);
      await assertHealthy(HOSTILE.find((c) => c.language === 'c')!);
    });

    it('stops a binary that writes 1 GB to stdout or to a file, and keeps serving', async () => {
      const toStdout = '#include <stdio.h>\n#include <string.h>\nint main(){ static char b[1<<20]; memset(b, 120, sizeof b); for (int i = 0; i < 1024; i++) fwrite(b, 1, sizeof b, stdout); }';
      const a = await pool.run(req('c', toStdout, { outputLimitBytes: 65536 }));
      assert.deepEqual([a.status, a.stdout.length], ['output_limit', 65536]);
      const toFile = '#include <stdio.h>\n#include <string.h>\nint main(){ static char b[1<<20]; memset(b, 120, sizeof b); FILE *f = fopen("/tmp/big", "w"); for (int i = 0; i < 1024; i++) if (fwrite(b, 1, sizeof b, f) != sizeof b) { perror("write"); return 1; } return 0; }';
      const b = await pool.run(req('c', toFile, { timeoutMs: 20_000 }));
      assert.ok(b.status === 'runtime_error' || (b.status === 'killed' && b.signal === 'SIGXFSZ'), JSON.stringify(b));
      await assertHealthy(HOSTILE.find((c) => c.language === 'c')!);
    });

    it('runs javascript as an alias of nodejs, and Java classes that are not named Main', async () => {
      const js = await pool.run(req('javascript', 'console.log(6 * 7)'));
      assert.deepEqual([js.status, js.stdout], ['ok', '42\n']);
      const java = await pool.run(req('java', 'class Helper { static int f() { return 42; } }\nclass Solution { public static void main(String[] a) { System.out.println(Helper.f()); } }'));
      assert.deepEqual([java.status, java.stdout], ['ok', '42\n'], JSON.stringify(java));
    });
  });
});
