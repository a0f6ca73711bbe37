// The zygote's pre-imported modules (sandbox.docker.preload) change nothing a program can see but sys.modules:
// its globals are those of a fresh `python3 main.py`, a module one program changes is fresh in the next (in
// output and in tests mode), the random generators differ per program, and a module the image lacks is a coded
// configuration error.
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { createDockerSandbox, DEFAULT_DOCKER_IMAGE, type DockerSandbox, type RunRequest, type RunResult } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';

const DEFAULT_LIST = ['typing', 'collections', 'itertools', 'functools', 'math', 're', 'heapq', 'bisect', 'string', 'json', 'random'];
const base = { language: 'python', timeoutMs: 10_000, memoryMb: 256, outputLimitBytes: 1 << 16 } as const;
const py = (code: string, extra: Partial<RunRequest> = {}): RunRequest => ({ ...base, code, ...extra });
const lines = (...l: string[]): string => l.join('\n');

function ok(r: RunResult): string {
  assert.equal(r.status, 'ok', JSON.stringify(r));
  return r.stdout;
}

/** What the program changes in the preloaded modules; MUTATE_IO also in json and builtins, which the program's
 * side of tests mode itself uses (a program that breaks them breaks only its own answers). */
const MUTATE = lines(
  'import collections, functools, heapq, math, random, re, string, sys, typing',
  'math.pi = 3',
  'random.seed(1234)',
  'random.seed = None',
  'typing.List = int',
  'typing._type_check = None',
  'collections.Counter.most_common = None',
  'functools.reduce = None',
  'heapq.heappush = None',
  're._cache[("x", "y", 0)] = "forged"',
  'string.ascii_letters = "forged"',
  'sys.modules["bisect"] = None',
);
const MUTATE_IO = lines(
  MUTATE,
  'import builtins, json',
  'json.dumps = lambda *a, **k: "forged"',
  'json.decoder.JSONDecoder.decode = lambda self, s, _w=None: "forged"',
  'builtins.len = lambda x: -1',
  'print(math.pi, json.dumps([1]), json.loads("[1]"), typing.List is int, len("abc"))',
);

/** Checks every change of MUTATE is absent; prints one word per module that is as a fresh interpreter has it. */
const CHECK = lines(
  'import bisect, builtins, collections, functools, heapq, json, math, random, re, string, typing',
  'print(" ".join(name for name, fresh in [',
  '    ("math", math.pi == 3.141592653589793),',
  '    ("random", callable(random.seed) and random.random() != random.Random(1234).random()),',
  '    ("json", json.dumps([1]) == "[1]" and json.loads("[1]") == [1]),',
  '    ("typing", typing.List is not int and callable(typing._type_check) and typing.Optional[int] == typing.Union[int, None]),',
  '    ("collections", collections.Counter("aab").most_common(1) == [("a", 2)]),',
  '    ("functools", functools.reduce(lambda a, b: a + b, [1, 2, 3]) == 6),',
  '    ("heapq", callable(heapq.heappush)),',
  '    ("re", ("x", "y", 0) not in re._cache),',
  '    ("string", string.ascii_letters.startswith("abc")),',
  '    ("builtins", len("abc") == 3),',
  '    ("bisect", bisect.bisect([1, 2], 1) == 1),',
  '] if fresh))',
);
const ALL_FRESH = 'math random json typing collections functools heapq re string builtins bisect\n';

describe('docker runner preload', function () {
  let pool: DockerSandbox;

  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'docker runner preload tests');
    pool = await createDockerSandbox({ poolSize: 1 }); // one container: every run below follows the previous one in it
  });
  after(async () => pool?.close());

  it('has the default modules imported before the program starts, numpy not', async () => {
    const out = ok(await pool.run(py(`import sys\nprint(all(m in sys.modules for m in ${JSON.stringify(DEFAULT_LIST)}), "numpy" in sys.modules)`)));
    assert.equal(out, 'True False\n');
  });

  it("starts the program's globals as a fresh `python3 main.py` starts them", async () => {
    // The first line snapshots the globals before anything else is defined; a fresh interpreter runs the same line.
    const snapshot = 'snapshot = sorted((k, type(v).__name__, v if type(v) in (str, type(None)) else None) for k, v in dict(globals()).items() if k != "__file__")';
    const code = lines(
      snapshot,
      'import subprocess, sys',
      `open("fresh.py", "w").write(${JSON.stringify(`${snapshot}\nprint(repr(snapshot))\n`)})`,
      'fresh = eval(subprocess.run([sys.executable, "fresh.py"], capture_output=True, text=True, check=True).stdout)',
      'print(snapshot == fresh, [k for k, *_ in snapshot])',
      'if snapshot != fresh: print(snapshot, fresh)',
    );
    const out = ok(await pool.run(py(code)));
    assert.equal(out, "True ['__annotations__', '__builtins__', '__cached__', '__doc__', '__loader__', '__name__', '__package__', '__spec__']\n");
  });

  it('gives the next program fresh modules after one changed them (output mode)', async () => {
    assert.equal(ok(await pool.run(py(MUTATE_IO))), '3 forged forged True -1\n');
    assert.equal(ok(await pool.run(py(CHECK))), ALL_FRESH);
  });

  it("gives the next program and the next tests fresh modules after one changed them (tests mode)", async () => {
    const mutated = await pool.run(py(`${MUTATE}\ndef f():\n    import math\n    return math.pi`, { tests: 'import math\nassert f() == 3\nassert math.pi == 3.141592653589793' }));
    assert.equal(mutated.tests?.verdict, 'tests_passed', JSON.stringify(mutated));
    const tests = lines(
      'import json, math, typing',
      'assert snapshot() == ALL_FRESH, snapshot()',
      'assert math.pi == 3.141592653589793 and json.dumps([1]) == "[1]" and typing.List is not int',
    );
    const fresh = await pool.run(py(`import io, contextlib\ndef snapshot():\n    out = io.StringIO()\n    with contextlib.redirect_stdout(out):\n        exec(${JSON.stringify(CHECK)}, {})\n    return out.getvalue()`, { tests: `ALL_FRESH = ${JSON.stringify(ALL_FRESH)}\n${tests}` }));
    assert.equal(fresh.tests?.verdict, 'tests_passed', JSON.stringify(fresh));
  });

  it('seeds random differently for every program', async () => {
    const code = 'import random\nprint(random.getrandbits(64))';
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(ok(await pool.run(py(code))));
    assert.equal(seen.size, 4, [...seen].join(''));
  });

  describe('with a list of its own', function () {
    it('imports numpy when asked, and seeds its generator differently for every program', async function () {
      const numpyPool = await createDockerSandbox({ poolSize: 1, preload: [...DEFAULT_LIST, 'numpy'] });
      try {
        const code = 'import sys\nloaded = "numpy" in sys.modules\nimport numpy\nprint(loaded, numpy.random.randint(0, 2**62))';
        const outs = [];
        for (let i = 0; i < 3; i++) outs.push(ok(await numpyPool.run(py(code))));
        assert.ok(outs.every((o) => o.startsWith('True ')), outs.join(''));
        assert.equal(new Set(outs).size, 3, outs.join(''));
      } finally {
        await numpyPool.close();
      }
    });

    it('imports nothing of the default list with preload: []', async function () {
      const bare = await createDockerSandbox({ poolSize: 1, preload: [] });
      try {
        assert.equal(ok(await bare.run(py('import sys\nprint([m for m in ("typing", "heapq", "string") if m in sys.modules])'))), '[]\n');
        assert.equal(ok(await bare.run(py('from typing import List\nimport heapq\nprint(heapq.nlargest(1, [3, 1]))'))), '[3]\n');
      } finally {
        await bare.close();
      }
    });

    it('refuses a module the image cannot import with SANDBOX_PRELOAD_FAILED and leaves no container', async function () {
      await assert.rejects(createDockerSandbox({ poolSize: 1, preload: ['json', 'molrl_no_such_module'] }), (error: { code?: string; details?: { failed?: Record<string, string> } }) => {
        assert.equal(error.code, 'SANDBOX_PRELOAD_FAILED');
        assert.deepEqual(Object.keys(error.details?.failed ?? {}), ['molrl_no_such_module']);
        assert.match(error.details!.failed!.molrl_no_such_module!, /ModuleNotFoundError/);
        return true;
      });
      const left = await new Docker().listContainers({ all: true, filters: { label: ['molrl=1', `molrl.pid=${process.pid}`] } });
      assert.deepEqual(left.map((c) => c.Id).filter((id) => !pool.containerIds.includes(id)), []);
    });
  });
});
