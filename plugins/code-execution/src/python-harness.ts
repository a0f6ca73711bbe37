// The Python harness that runs a model's program in output mode: syntax check, run, and a verdict authenticated
// by the sandbox's one-time marker (see README.md). Tests mode needs no harness: the sandbox runs the tests in
// a judge process of its own (RunRequest.tests).

/** Verdicts the harness reports on stderr as `<marker>:<verdict>`. */
export type HarnessVerdict = 'syntax_error' | 'program_error' | 'ran';

/**
 * The harness. A stolen marker could only forge a verdict that the run's own status and stdout already decide,
 * so a small hook suffices: it delivers the verdict, from the harness frame only, through the marker channel.
 */
const HARNESS = String.raw`# molrl reward:code-execution harness (generated): compile, run as __main__, report the verdict.
import sys as _molrl_sys


def _molrl_install(MAIN):
    import os, sys
    W, R, EXIT, _getframe = os.write, os.read, os._exit, sys._getframe

    def hook(event, args):
        if event != 'molrl.finish' or _getframe(1).f_code is not MAIN:
            return
        verdict, detail = args
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


def _molrl_main(SRC):
    import sys, traceback
    install = globals().pop('_molrl_install')
    globals().pop('_molrl_main')
    _audit, _exec, _compile, _fmt, _fmt_only = sys.audit, exec, compile, traceback.format_exception, traceback.format_exception_only
    _Base, _SysExit, _isinstance, _str, _int, _type = BaseException, SystemExit, isinstance, str, int, type
    _stdout, _stderr = sys.stdout, sys.stderr

    def flush():
        for stream in (_stdout, _stderr):
            try:
                stream.flush()
            except _Base:
                pass

    install(sys._getframe().f_code)
    del install
    try:
        prog = _compile(SRC, '<solution>', 'exec', dont_inherit=True)
    except _Base as e:
        _audit('molrl.finish', 'syntax_error', ''.join(_fmt_only(_type(e), e)))
    glb = {'__name__': '__main__', '__builtins__': __builtins__}
    try:
        _exec(prog, glb)
    except _SysExit as e:
        flush()
        code = e.code
        if code is None or code == 0:
            _audit('molrl.finish', 'ran', '')
        _audit('molrl.finish', 'program_error', '' if _isinstance(code, _int) else _str(code) + '\n')
    except _Base as e:
        try:
            detail = ''.join(_fmt(_type(e), e, e.__traceback__.tb_next if e.__traceback__ else None))
        except _Base:
            detail = 'Error: (the exception could not be formatted)\n'
        flush()
        _audit('molrl.finish', 'program_error', detail)
    flush()
    _audit('molrl.finish', 'ran', '')


_molrl_main(__MOLRL_SOURCE__)
`;

/** The harness program for `code`, embedded as a JSON string literal (a valid Python string literal). */
export function buildHarness(code: string): string {
  return HARNESS.replace('__MOLRL_SOURCE__', () => JSON.stringify(code));
}
