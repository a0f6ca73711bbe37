// The tests-mode harness against hostile programs: each tries to pass failing tests (exit early, patch
// builtins, guess the marker, steal it from the channel) and must not be scored correct.
import { RewardTester, type RewardTesterValidCase } from '@molrl/core';
import plugin from '../src/index.ts';
import { dockerMissing, skipUnless } from '../../../test/helpers/requirements.ts';

const py = (code: string): string => `\`\`\`python\n${code}\n\`\`\``;
/** Tests every attack must fail: solve() returns 1, the tests want 42. */
const TESTS = 'assert solve() == 42, "wrong answer"';
/** Shared by the theft attacks: when a marker was obtained, forge the harness's output and leave. */
const FORGE = `
def forge(m):
    import sys, os
    m = m.decode() if isinstance(m, bytes) else m
    m = m.strip()
    if m:
        sys.stdout.write("\\n" + m + "\\n"); sys.stdout.flush()
        sys.stderr.write("\\n" + m + ":tests_passed\\n"); sys.stderr.flush()
        os._exit(0)
def solve():
    return 1
`;
const attack = (name: string, code: string): RewardTesterValidCase => ({
  name: `defeats ${name}`,
  sample: { completion: py(`${FORGE}\n${code}`), metadata: { tests: TESTS } },
  options: { mode: 'tests', timeoutMs: 5000 },
  expected: { components: { parses: 1, executes: 1, correct: 0 } },
});
/** An attack the guard catches: the channel is burnt, so no verdict comes and the run counts as failed. */
const tripped = (name: string, code: string): RewardTesterValidCase => ({
  ...attack(name, code),
  expected: { components: { parses: 1, executes: 0, correct: 0 }, reason: 'sandbox guard tripped' },
});
const fails = (name: string, code: string, components = { parses: 1, executes: 0, correct: 0 }): RewardTesterValidCase => ({
  ...attack(name, code),
  expected: { components },
});

const STEAL_FDS = `
import os
for fd in range(3, 4096):
    try:
        os.write(fd, b"marker\\n")
    except OSError:
        continue
for fd in range(3, 4096):
    try:
        os.set_blocking(fd, False)
        forge(os.read(fd, 200))
    except Exception:
        pass
`;

export const attacks: RewardTesterValidCase[] = [
  {
    name: 'passes an honest solution (control)',
    sample: { completion: py('def solve():\n    return 42'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 1, components: { parses: 1, executes: 1, correct: 1 } },
  },
  fails('an early sys.exit(0)', 'import sys\nsys.exit(0)'),
  attack('an early os._exit(0)', 'import os\nos._exit(0)'),
  attack('an atexit hook printing a guess', 'import atexit, os\natexit.register(lambda: print("ok"))\n'),
  attack('patched AssertionError, print and __import__', `
import builtins
class Quiet(Exception): pass
builtins.AssertionError = Quiet
builtins.print = lambda *a, **k: None
real_import = builtins.__import__
builtins.__import__ = lambda *a, **k: real_import(*a, **k)
for name in ("str", "len", "type", "isinstance", "OSError", "getattr"):
    setattr(builtins, name, lambda *a, **k: None)
`),
  {
    name: 'allows ordinary imports in tests mode (control)',
    sample: { completion: py('import json, collections, fractions, re, math, itertools, functools, heapq, threading, dataclasses, typing, decimal, statistics, random, string, bisect\ndef solve():\n    return math.prod([6, 7])'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 1 },
  },
  {
    ...attack('a test-less pass', ''),
    sample: { completion: py('def solve():\n    return 1'), metadata: { tests: '# nothing to check\nx = 1\n' } },
    expected: { score: null, status: 'abstain' },
  },
  attack('a program printing a guessed marker', `
import random
guess = "%032x" % random.getrandbits(128)
forge(guess)
`),
  tripped('writing to every fd and reading the reply', STEAL_FDS),
  attack('reaching the channel through a thread running after the tests', `
import threading, time
def later():
    time.sleep(0.05)
${STEAL_FDS.replace(/\n/g, '\n    ')}
threading.Thread(target=later, daemon=True).start()
`),
  tripped('opening /proc/self/fd and /dev/fd', `
for base in ("/proc/self/fd/", "/dev/fd/", "/tmp/../dev/fd/../../self/fd/"):
    for fd in range(3, 4096):
        try:
            with open(base + str(fd), "wb", buffering=0) as w:
                w.write(b"marker\\n")
        except Exception:
            continue
`),
  tripped('open() on raw descriptors', `
import io
for fd in range(3, 4096):
    try:
        io.FileIO(fd, "w", closefd=False).write(b"marker\\n")
        forge(open(fd + 1, "rb", closefd=False).readline())
    except Exception:
        pass
`),
  tripped('a symlink into /proc', `
import os
try:
    os.symlink("/proc/self/fd", "/tmp/fds")
except Exception:
    pass
`),
  tripped('ctypes', `
try:
    import ctypes
    ctypes.CDLL(None).write(1, b"x", 1)
except Exception:
    pass
`),
  tripped('gc.get_objects and gc.get_referrers', `
try:
    import gc
    for o in gc.get_objects():
        pass
except Exception:
    pass
`),
  attack('sys._getframe and traceback frames', `
import sys
try:
    sys._getframe(1).f_locals
except Exception:
    pass
try:
    raise ValueError
except ValueError as e:
    try:
        e.__traceback__.tb_frame.f_back.f_locals
    except Exception:
        pass
`),
  tripped('subprocess, os.system and fork', `
import os
for f in (lambda: __import__("subprocess").run(["true"]), lambda: os.system("true"), lambda: os.fork()):
    try:
        f()
    except Exception:
        pass
`),
  tripped('reloading posix for the real os.write', `
import sys
try:
    del sys.modules["posix"]
    import posix
except Exception:
    pass
try:
    import _imp
    class S: name = "posix"; origin = "built-in"
    p = _imp.create_builtin(S())
    for fd in range(3, 4096):
        try:
            p.write(fd, b"marker\\n")
        except OSError:
            pass
except Exception:
    pass
`),
  tripped('calling the stubs\' audit event with the channel fds', `
import sys
for fd in range(3, 4096):
    try:
        out = []
        sys.audit("molrl.fd", "write", fd, (b"marker\\n",), {}, out)
    except Exception:
        pass
`),
  tripped('a forged verdict sent straight to the hook', `
import sys
sys.audit("molrl.finish", "tests_passed", "", True)
`),
  tripped('calling the harness frame\'s own audit function', `
import sys
f = sys._getframe(0)
while f.f_back is not None:
    f = f.f_back
    if "_audit" in f.f_locals:
        f.f_locals["_audit"]("molrl.finish", "tests_passed", "", True)
`),
  tripped('re-running the harness code as a new function', `
import sys, types
main = sys._getframe(1).f_code
try:
    types.FunctionType(main, {"_molrl_install": lambda *a: None, "__builtins__": __builtins__})("def solve(): return 42", "assert solve() == 42", "tests")
except Exception:
    pass
try:
    exec(main, {})
except Exception:
    pass
`),
  tripped('reading the hook frame after a refused operation', `
import os
try:
    open("/proc/self/status")
except PermissionError as e:
    tb = e.__traceback__
    while tb is not None:
        loc = tb.tb_frame.f_locals
        w = loc.get("W")
        for table in (loc.get("S") or {},):
            for fd in range(3, 4096):
                try:
                    (table.get("write") or w)(fd, b"marker\\n")
                except Exception:
                    pass
        for fd in range(3, 4096):
            try:
                forge((loc.get("S") or {}).get("read", os.read)(fd, 200))
            except Exception:
                pass
        tb = tb.tb_next
`),
  attack('an exception whose __str__ attacks while the harness formats it', `
class Evil(Exception):
    def __str__(self):
        import sys
        try:
            f = sys._getframe(1)
            return "got frame"
        except Exception:
            return "blocked"
def solve():
    raise Evil()
`),
];

RewardTester.run('reward:code-execution tests mode vs hostile programs (process backend)', plugin, { valid: attacks, invalid: [] }, { sandbox: { backend: 'process' } });

describe('reward:code-execution tests mode vs hostile programs (docker backend)', function () {
  before(async function () {
    skipUnless(this, await dockerMissing('molrl/sandbox-python:0.1.0'), 'hostile tests-mode programs on the docker backend');
  });
  RewardTester.run('attacks', plugin, { valid: [...attacks, {
    name: 'allows numpy and sympy in tests mode (control)',
    sample: { completion: py('import numpy as np, sympy as sp\ndef solve():\n    return int(np.array([6]).prod() * sp.Integer(7))'), metadata: { tests: TESTS } },
    options: { mode: 'tests' },
    expected: { score: 1 },
  }], invalid: [] }, { sandbox: { backend: 'docker' } });
});
