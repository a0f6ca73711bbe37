// The Python harness that runs a model's program in the sandbox: syntax check, run, optional tests, and a
// verdict authenticated by the sandbox's one-time marker (see README.md, "Security of mode: 'tests'").

import { GUARD_SOURCE } from './python-guard.ts';

/** Verdicts the harness reports on stderr as `<marker>:<verdict>`. */
export type HarnessVerdict = 'syntax_error' | 'program_error' | 'ran' | 'tests_error' | 'tests_failed' | 'tests_passed';

/** The harness source; `__MOLRL_INSTALL__` becomes the guard (tests) or the small verdict hook (output), `__MOLRL_ARGS__` the JSON arguments. */
const HARNESS = String.raw`# molrl reward:code-execution harness (generated). Secrets (the marker channel and the real fd functions)
# live only in the audit hook's closure; the frame that runs the program holds nothing worth stealing.
import sys as _molrl_sys


__MOLRL_INSTALL__

def _molrl_main(SRC, TESTS, MODE):
    import sys, traceback
    install = globals().pop('_molrl_install')
    globals().pop('_molrl_main')
    _audit, _exec, _compile, _fmt, _fmt_only = sys.audit, exec, compile, traceback.format_exception, traceback.format_exception_only
    _Base, _SysExit, _isinstance, _str, _int, _type = BaseException, SystemExit, isinstance, str, int, type
    _stdout, _stderr = sys.stdout, sys.stderr
    MAIN = sys._getframe().f_code

    def flush():
        for stream in (_stdout, _stderr):
            try:
                stream.flush()
            except _Base:
                pass

    def describe(e):
        try:
            return ''.join(_fmt(_type(e), e, e.__traceback__.tb_next if e.__traceback__ else None))
        except _Base:
            return 'Error: (the exception could not be formatted)\n'

    # 1. Syntax: compile before anything of the program runs. The verdict always goes through the hook, and
    #    only this frame (MAIN) may deliver it.
    early = None
    try:
        prog = _compile(SRC, '<solution>', 'exec', dont_inherit=True)
    except _Base as e:
        early = ('syntax_error', ''.join(_fmt_only(_type(e), e)))
    if early is None and MODE == 'tests':
        try:
            tests = _compile(TESTS, '<tests>', 'exec', dont_inherit=True)
            import ast
            if not [n for n in ast.walk(ast.parse(TESTS)) if _isinstance(n, (ast.Assert, ast.Call, ast.Raise))]:
                early = ('tests_error', '[molrl] the tests contain no assert, call or raise: nothing is checked\n')
        except _Base as e:
            early = ('tests_error', '[molrl] the tests do not compile:\n' + ''.join(_fmt_only(_type(e), e)))
    install(MODE, MAIN)
    del install
    if early is not None:
        _audit('molrl.finish', early[0], early[1], False)
    # 2. The program as __main__, then the tests in the same namespace.
    glb = {'__name__': '__main__', '__builtins__': __builtins__}
    try:
        _exec(prog, glb)
    except _SysExit as e:
        flush()
        if MODE == 'tests':
            _audit('molrl.finish', 'program_error', '[molrl] the program exited (SystemExit) before its tests ran\n', False)
        code = e.code
        if code is None or code == 0:
            _audit('molrl.finish', 'ran', '', False)
        _audit('molrl.finish', 'program_error', '' if _isinstance(code, _int) else _str(code) + '\n', False)
    except _Base as e:
        detail = describe(e)
        flush()
        _audit('molrl.finish', 'program_error', detail, False)
    if MODE != 'tests':
        flush()
        _audit('molrl.finish', 'ran', '', False)
    try:
        _exec(tests, glb)
    except _Base as e:
        detail = describe(e)
        flush()
        _audit('molrl.finish', 'tests_failed', detail, False)
    flush()
    _audit('molrl.finish', 'tests_passed', '', True)
    _audit('molrl.finish', 'tests_failed', '[molrl] the verdict could not be delivered\n', False)


_molrl_main(*__MOLRL_ARGS__)
`;

/**
 * Output mode needs no guard (a stolen marker could only forge a verdict that the run's own status and
 * stdout already decide): a small hook that only delivers the verdict, from MAIN, through the channel.
 */
const OUTPUT_INSTALL = String.raw`def _molrl_install(MODE, MAIN):
    import os, sys
    W, R, EXIT, _getframe = os.write, os.read, os._exit, sys._getframe

    def hook(event, args):
        if event != 'molrl.finish' or _getframe(1).f_code is not MAIN:
            return
        verdict, detail, passed = args
        marker = b''
        try:
            W(3, b'marker\n')
            while not marker.endswith(b'\n') and len(marker) < 256:
                chunk = R(4, 256)
                if not chunk:
                    break
                marker += chunk
        except OSError:
            marker = b''
        marker = marker.strip()
        try:
            if detail:
                W(2, detail.encode('utf-8', 'replace'))
            if marker:
                W(2, b'\n' + marker + b':' + verdict.encode() + b'\n')
        except OSError:
            pass
        EXIT(0 if verdict == 'ran' else 1)

    sys.addaudithook(hook)
`;

/** The harness program for `code` (and `tests` in mode 'tests'); arguments are embedded as JSON string literals. */
export function buildHarness(code: string, tests: string, mode: 'output' | 'tests'): string {
  // JSON string literals are valid Python string literals (\uXXXX escapes included).
  return HARNESS.replace('__MOLRL_INSTALL__', () => (mode === 'tests' ? GUARD_SOURCE : OUTPUT_INSTALL)).replace('__MOLRL_ARGS__', () => JSON.stringify([code, tests, mode]));
}
