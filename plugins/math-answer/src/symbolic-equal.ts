// Symbolic equivalence with sympy, run INSIDE the sandbox (never on the host): one execution per comparison.
import { infraError } from '@molrl/core/plugin';
import type { Sandbox } from '@molrl/sandbox';

/**
 * The checker; both expressions arrive on stdin as JSON, so nothing of the completion is in the code.
 * parse_expr evaluates Python, so answers with quotes, dunders, brackets etc. are refused before the run,
 * and the expressions' own prints go to a buffer: the verdict is the last line, written by the checker.
 */
const CHECKER = String.raw`import json, os, sys, io
_write, _exit = os.write, os._exit
a, b = json.loads(sys.stdin.read())
def verdict(word):
    _write(1, ("\n@@" + word + "\n").encode())
    _exit(0)
sys.stdout = sys.stderr = io.StringIO()  # whatever the expressions print never reaches the verdict line
try:
    from sympy import simplify, N
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations, implicit_multiplication_application, convert_xor
    T = standard_transformations + (implicit_multiplication_application, convert_xor)
    try:
        x, y = parse_expr(a, transformations=T), parse_expr(b, transformations=T)
    except BaseException:
        verdict("UNPARSABLE")
    try:
        same = bool(simplify(x - y) == 0)
    except BaseException:
        same = False
    if not same:
        try:
            same = bool(abs(complex(N(x - y, 30))) < 1e-12)
        except BaseException:
            same = False
    verdict("EQUAL" if same else "DIFFERENT")
except BaseException:
    verdict("ERROR")
`;

/** Characters and words an answer may not contain before it reaches sympy's parse_expr (which evaluates). */
const UNSAFE = /__|['"\\;=@[\]{}:!#$\`]|\blambda\b/;

/** Outcome of one symbolic check. */
export type SymbolicOutcome = 'equal' | 'different' | 'unparsable' | 'timeout' | 'error';

/** Whether two sympy expressions are equivalent, decided by sympy in `sandbox` within `timeoutMs`. */
export async function symbolicEqual(sandbox: Sandbox, a: string, b: string, limits: { timeoutMs: number; memoryMb: number }, signal?: AbortSignal): Promise<SymbolicOutcome> {
  if (UNSAFE.test(a) || UNSAFE.test(b)) return 'unparsable';
  const result = await sandbox.run(
    { language: 'python', code: CHECKER, stdin: JSON.stringify([a, b]), timeoutMs: limits.timeoutMs, memoryMb: limits.memoryMb, outputLimitBytes: 4096 },
    { signal },
  );
  if (result.status === 'sandbox_error') throw infraError(result);
  if (result.status === 'timeout') return 'timeout';
  const lines = result.stdout.trim().split('\n');
  const word = lines[lines.length - 1].startsWith('@@') ? lines[lines.length - 1].slice(2).trim() : '';
  if (result.status === 'ok' && word === 'EQUAL') return 'equal';
  if (result.status === 'ok' && word === 'DIFFERENT') return 'different';
  if (result.status === 'ok' && word === 'UNPARSABLE') return 'unparsable';
  return 'error';
}
