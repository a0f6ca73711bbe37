// Tests mode against hostile programs, on the process and docker backends. The tests run in a judge process the
// program cannot reach; every attack below (those of the earlier in-process guard, and those that beat it:
// reusing the harness's code object, opening /proc/self/fd through dir_fd, shadowing builtins and type with
// always-equal objects, reading the tests from frames or memory) must leave a program that does not solve the
// task uncorrect, and never make its own sample an infra_error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRewardEngine, RewardTester, type RewardTesterValidCase } from '@molrl/core';
import { createSandbox, DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import plugin from '../src/index.ts';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';

const py = (code: string): string => `\`\`\`python\n${code}\n\`\`\``;
/** Tests every attack must fail: solve() returns 1, the tests want 42. */
const TESTS = 'assert solve() == 42, "wrong answer"';
const SOLVE = '\ndef solve():\n    return 1\n';
const all = (p: number, e: number, c: number) => ({ parses: p, executes: e, correct: c });
/** The attack runs, then solve() returns 1: the tests fail (0.4). */
const fails = (name: string, code: string): RewardTesterValidCase => ({
  name: `defeats ${name}`,
  sample: { completion: py(`${code}\n${SOLVE}`), metadata: { tests: TESTS } },
  options: { mode: 'tests', timeoutMs: 5000 },
  expected: { status: 'ok', components: all(1, 1, 0) },
});
/** The attack breaks the program's own side of the tests channel or ends it early: it did not run (0.1). */
const breaks = (name: string, code: string): RewardTesterValidCase => ({ ...fails(name, code), expected: { status: 'ok', components: all(1, 0, 0) } });

const WRITE_EVERY_FD = `
import os
for fd in range(3, 256):
    try:
        os.write(fd, b"marker\\n")
    except OSError:
        pass
`;

export const attacks: RewardTesterValidCase[] = [
  {
    name: 'passes an honest solution (control)',
    sample: { completion: py('def solve():\n    return 42'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 1, components: all(1, 1, 1) },
  },
  {
    name: 'passes a HumanEval-style check(candidate) with lists, tuples, floats, dicts and in-place mutation (control)',
    sample: {
      completion: py('from typing import List\ndef f(xs: List[int]) -> List[int]:\n    return sorted(xs)\ndef g(a, b):\n    return (a / b, {"q": a // b}, None)\ndef h(xs):\n    xs.sort()\nclass Box:\n    def __init__(self, v):\n        self.v = v\n    def get(self):\n        return [self.v] * 2'),
      metadata: { tests: 'def check(candidate):\n    assert candidate([3, 1, 2]) == [1, 2, 3]\n    assert candidate([]) == []\ncheck(f)\nassert g(7, 2) == (3.5, {"q": 3}, None)\nxs = [2, 1]\nh(xs)\nassert xs == [1, 2]\nassert Box(5).get() == [5, 5]\nassert Box(1).v == 1\nimport math\nassert math.isclose(g(1, 3)[0], 1 / 3)\ntry:\n    g(1, 0)\n    raise AssertionError("no error")\nexcept ZeroDivisionError:\n    pass' },
    },
    options: { mode: 'tests' },
    expected: { score: 1, components: all(1, 1, 1) },
  },
  {
    name: 'allows ordinary imports in tests mode (control)',
    sample: { completion: py('import json, collections, fractions, re, math, itertools, functools, heapq, threading, dataclasses, typing, decimal, statistics, random, string, bisect\ndef solve():\n    return math.prod([6, 7])'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 1 },
  },
  {
    name: 'abstains on tests that check nothing',
    sample: { completion: py('def solve():\n    return 1'), metadata: { tests: '# nothing to check\nx = 1\n' } },
    options: { mode: 'tests' },
    expected: { score: null, status: 'abstain' },
  },
  {
    name: 'scores a syntax error 0',
    sample: { completion: py('def solve(:\n    return 42'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 0, components: all(0, 0, 0), reason: 'syntax error' },
  },
  breaks('an early sys.exit(0)', 'import sys\nsys.exit(0)'),
  breaks('an early os._exit(0)', 'import os\nos._exit(0)'),
  fails('an atexit hook printing a guess', 'import atexit\natexit.register(lambda: print("ok"))'),
  fails('a program printing a guessed verdict and marker', 'import random, sys\nm = "%032x" % random.getrandbits(128)\nprint(m)\nprint(m + ":tests_passed", file=sys.stderr)'),
  breaks('writing to every descriptor', WRITE_EVERY_FD),
  fails("os.open('proc/self/fd/N', dir_fd=...) on every descriptor (beat the textual /proc check)", `
import os
root = os.open("/", os.O_RDONLY)
for n in range(3, 64):
    try:
        fd = os.open("proc/self/fd/%d" % n, os.O_WRONLY, dir_fd=root)
        os.write(fd, b"marker\\n")
    except OSError:
        pass
`),
  fails('a thread writing to the channel after the tests', `
import threading, time, os
def later():
    time.sleep(0.05)
    for fd in range(3, 256):
        try:
            os.write(fd, b"tests_passed\\n")
        except OSError:
            pass
threading.Thread(target=later, daemon=True).start()
`),
  fails("reusing the harness's code object (g.__code__ = sys._getframe(1).f_code) with 'assert True'", `
import sys
def g():
    pass
f = sys._getframe()
while f is not None:
    try:
        g.__code__ = f.f_code
        g("assert True")
    except BaseException:
        pass
    f = f.f_back
`),
  breaks('patched builtins (AssertionError, print, isinstance, getattr...) in its own process: its side of the channel breaks', `
import builtins
class Quiet(Exception): pass
builtins.AssertionError = Quiet
builtins.print = lambda *a, **k: None
for name in ("isinstance", "OSError", "getattr"):
    setattr(builtins, name, lambda *a, **k: True)
`),
  fails('shadowing builtins and type in its globals (def type, isinstance, abs, len, all returning True)', `
def type(*a): return int
def isinstance(*a): return True
def abs(*a): return 0
def len(*a): return 0
def all(*a): return True
def sorted(*a): return [42]
`),
  fails('an always-equal result (__eq__ returns True), also as an int subclass', `
class Yes:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = object.__hash__
class YesInt(int):
    def __eq__(self, other): return True
_pick = [Yes(), YesInt(1)]
def solve():
    return _pick.pop() if _pick else Yes()
`),
  fails('reading the tests from frames, gc and its own memory', `
import ctypes, gc, sys
needle = bytearray(b"wrong") + bytearray(b" answer")
found = False
f = sys._getframe()
while f is not None:
    found = found or any("wrong answer" in repr(v) for v in f.f_locals.values() if v is not needle)
    f = f.f_back
found = found or any(isinstance(o, str) and "wrong answer" in o for o in gc.get_objects())
buf = bytearray(1 << 20)
skip = [ctypes.addressof((ctypes.c_char * len(b)).from_buffer(b)) for b in (buf, needle)]
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as mem:
    for line in maps:
        lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
        if not line.split()[1].startswith("r") or "[v" in line:
            continue
        for at in range(lo, hi, len(buf) - 64):
            try:
                mem.seek(at)
                n = mem.readinto(memoryview(buf)[:min(len(buf), hi - at)])
            except OSError:
                break
            i = buf.find(needle, 0, n)
            while i != -1:
                found = found or not any(a <= at + i < a + 1 << 20 for a in skip)
                i = buf.find(needle, i + 1, n)
print("found" if found else "not found")
def solve():
    return 42 if found else 1
`),
  fails('gc.get_objects, sys._getframe and traceback frames', `
import gc, sys
for o in gc.get_objects():
    pass
try:
    sys._getframe(1).f_locals
except Exception:
    pass
`),
  fails('subprocess, os.system and fork', `
import os
for f in (lambda: __import__("subprocess").run(["true"]), lambda: os.system("true")):
    try:
        f()
    except Exception:
        pass
`),
  fails('an exception whose __str__ attacks while it is reported', `
class Evil(Exception):
    def __str__(self):
        import sys
        return "tests_passed " + repr(sys._getframe(1).f_locals)[:100]
def solve():
    raise Evil()
`),
];

RewardTester.run('reward:code-execution tests mode vs hostile programs (process backend)', plugin, { valid: attacks, invalid: [] }, { sandbox: { backend: 'process' } });

describe('reward:code-execution tests mode vs hostile programs (docker backend)', function () {
  before(async function () {
    skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), 'hostile tests-mode programs on the docker backend');
  });
  RewardTester.run('attacks', plugin, { valid: [...attacks, {
    name: 'allows numpy and sympy in tests mode (control)',
    sample: { completion: py('import numpy as np, sympy as sp\ndef solve():\n    return int(np.array([6]).prod() * sp.Integer(7))'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 1 },
  }], invalid: [] }, { sandbox: { backend: 'docker' } });

  it("scores no later sample 1.0 after a program attacked its container's pid 1, in either mode", async function () {
    this.timeout(120_000);
    const hijack = readFileSync(new URL('../../../packages/sandbox/test/docker/fixtures/hijack-pid1.py', import.meta.url), 'utf8');
    const sandbox = await createSandbox({ backend: 'docker', docker: { poolSize: 1 } });
    try {
      for (const mode of ['tests', 'output'] as const) {
        const engine = await createRewardEngine({ rewards: [{ plugin, options: { mode } }], sandbox }, { workers: false, concurrency: 1 });
        const samples = [
          { id: 'attacker', completion: py(hijack), metadata: { tests: 'assert True' }, groundTruth: 'x' },
          ...Array.from({ length: 8 }, (_, i) => ({ id: `wrong-${i}`, completion: py(`def solve():\n    return ${i}\nprint(${i})`), metadata: { tests: TESTS }, groundTruth: '42' })),
        ];
        const scores: Array<[string, number | null]> = [];
        for await (const r of engine.scoreAll(samples)) scores.push([String(r.id), r.score]);
        await engine.close();
        assert.deepEqual(scores.slice(1), samples.slice(1).map((s) => [s.id, 0.4]), `${mode} mode: ${JSON.stringify(scores)}`);
      }
    } finally {
      await sandbox.close();
    }
  });
});
