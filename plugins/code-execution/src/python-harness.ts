// The Python harness that runs a model's program in the sandbox: syntax check, run, optional tests, and a
// verdict authenticated by the sandbox's one-time marker (see README.md, "Security of mode: 'tests'").

/** Verdicts the harness reports on stderr as `<marker>:<verdict>`. */
export type HarnessVerdict = 'syntax_error' | 'program_error' | 'ran' | 'tests_error' | 'tests_failed' | 'tests_passed';

/** The harness source; `__MOLRL_ARGS__` is replaced by the JSON arguments. */
const HARNESS = String.raw`# molrl reward:code-execution harness (generated; the program and tests are the string arguments below).
def _molrl_main(SRC, TESTS, MODE):
    import os, sys, traceback, random, fcntl, resource, errno
    _write, _read, _exit, _close, _audit = os.write, os.read, os._exit, os.close, sys.audit
    _stdout, _stderr, _Base, _Exc, _SysExit = sys.stdout, sys.stderr, BaseException, Exception, SystemExit
    _str, _type_name, _compile, _exec, _isinstance = str, type.__dict__['__qualname__'].__get__, compile, exec, isinstance
    _posix = sys.modules.get('posix')
    _typ, _getattr, _len, _OSError, _RuntimeError, _PermissionError, _ImportError, _int = type, getattr, len, OSError, RuntimeError, PermissionError, ImportError, int
    state = {'armed': False, 'walk': False}
    ch = ()

    def move(fd):
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        top = min(soft if soft > 0 else 1024, 4096) - 1
        for _ in range(16):
            try:
                return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.SystemRandom().randrange(64, top))
            except _OSError:
                pass
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)

    if True:
        try:
            ch = (move(3), move(4))
            _close(3)
            _close(4)
        except _OSError:
            ch = ()

    def finish(verdict, passed=False, detail=''):
        state['armed'] = True
        for stream in (_stdout, _stderr):
            try:
                stream.flush()
            except _Base:
                pass
        marker = ''
        if ch:
            try:
                _write(ch[0], b'marker\n')
                buf = b''
                while not buf.endswith(b'\n') and _len(buf) < 256:
                    chunk = _read(ch[1], 256)
                    if not chunk:
                        break
                    buf += chunk
                marker = buf.decode('ascii', 'replace').strip()
            except _OSError:
                marker = ''
        try:
            if detail:
                _write(2, detail.encode('utf-8', 'replace'))
            if MODE == 'tests' and not marker:
                _write(2, b'\n[molrl] the marker channel was unavailable or already used\n')
                _exit(86)
            if passed:
                _write(1, ('\n' + marker + '\n').encode())
            if marker:
                _write(2, ('\n' + marker + ':' + verdict + '\n').encode())
        except _OSError:
            pass
        _exit(0 if verdict in ('ran', 'tests_passed') else 1)

    # 1. Syntax: compile before anything of the program runs.
    try:
        prog = _compile(SRC, '<solution>', 'exec', dont_inherit=True)
    except _Base as e:
        finish('syntax_error', detail=''.join(traceback.format_exception_only(_typ(e), e)))
    tests = None
    if MODE == 'tests':
        try:
            tests = _compile(TESTS, '<tests>', 'exec', dont_inherit=True)
        except _Base as e:
            finish('tests_error', detail='[molrl] the tests do not compile:\n' + ''.join(traceback.format_exception_only(_typ(e), e)))

    def describe(e):
        # Formats an exception without running the program's code while unguarded: frames are walked with
        # the audit hook's 'walk' permission only over built-in objects; str(e) runs guarded.
        lines = ['Traceback (most recent call last):\n']
        state['walk'] = True
        try:
            tb = e.__traceback__
            tb = tb.tb_next if tb is not None else None
            while tb is not None:
                code = tb.tb_frame.f_code
                name, fn, ln = code.co_name, code.co_filename, tb.tb_lineno
                text = (SRC if fn == '<solution>' else TESTS if fn == '<tests>' else '').split('\n')
                lines.append('  File "%s", line %d, in %s\n' % (fn, ln, name))
                if 0 < ln <= _len(text) and text[ln - 1].strip():
                    lines.append('    ' + text[ln - 1].strip() + '\n')
                tb = tb.tb_next
        except _Base:
            pass
        state['walk'] = False
        try:
            msg = _str(e)
        except _Base:
            msg = '<unprintable>'
        try:
            name = _type_name(_typ(e))
        except _Base:
            name = 'Exception'
        lines.append(name + (': ' + msg if msg else '') + '\n')
        return ''.join(lines)

    if MODE == 'tests':
        # 2. Guard the marker channel: an audit hook refuses what would reach the harness's state or fds.
        blocked = ('ctypes.', 'gc.', 'sys._getframe', 'sys._current_frames', 'sys.setprofile', 'sys.settrace',
                   'sys.monitoring', 'sys.addaudithook', 'os.fork', 'os.exec', 'os.posix_spawn', 'os.spawn',
                   'os.system', 'subprocess.', 'pty.', 'code.__new__', 'function.__new__', 'marshal.', 'mmap.',
                   'socket.', 'cpython.', 'object.__setattr__', 'object.__delattr__', 'fcntl.', 'sys._getframemodulename')
        FD_OPS = ('read', 'write', 'readv', 'writev', 'pread', 'pwrite', 'preadv', 'pwritev', 'sendfile', 'dup',
                  'dup2', 'lseek', 'splice', 'copy_file_range', 'set_blocking', 'set_inheritable', 'close',
                  'ftruncate', 'fsync', 'fstat', 'isatty', 'ttyname', 'device_encoding', 'get_blocking', 'get_inheritable')
        bad_imports = ('ctypes', '_ctypes', 'posix', 'os', 'nt', '_posixsubprocess', '_imp', 'gc', 'marshal', 'mmap', 'resource', 'fcntl', '_io', 'io')
        fds = set(ch)

        def hook(event, args):
            if not state['armed']:
                return
            if event == 'object.__getattr__' and not state['walk']:
                raise _RuntimeError('molrl sandbox: %s is blocked while tests run' % event)
            if event == 'open':
                path = args[0]
                if _isinstance(path, _int):
                    if path in fds or path > 2:
                        raise _PermissionError('molrl sandbox: opening file descriptors is blocked')
                elif _isinstance(path, (str, bytes)):
                    p = path.decode('utf-8', 'replace') if _isinstance(path, bytes) else path
                    if p.startswith(('/proc', '/dev/fd')) or '/proc/' in p:
                        raise _PermissionError('molrl sandbox: /proc and /dev/fd are blocked')
                return
            if event == 'import' and args[0] in bad_imports:
                raise _ImportError('molrl sandbox: importing %s is blocked' % args[0])
            if event == 'molrl.fd':
                op, fd, rest, out = args
                if fd in fds or (op == 'dup2' and rest[0] in fds):
                    raise _OSError(errno.EBADF, 'Bad file descriptor')
                out.append(real[op](fd, *rest))
                return
            if event.startswith(blocked):
                raise _RuntimeError('molrl sandbox: %s is blocked while tests run' % event)

        real = {}
        for op in FD_OPS:
            if _posix is not None and hasattr(_posix, op):
                real[op] = getattr(_posix, op)
        sys.addaudithook(hook)
        # fd-taking os functions route through the hook, which alone holds the real ones and refuses the channel.
        for op in real:
            if True:
                def make(op):
                    def call(fd, *rest):
                        out = []
                        _audit('molrl.fd', op, fd, rest, out)
                        return out[0]
                    call.__name__ = op
                    return call
                w = make(op)
                setattr(_posix, op, w)
                if getattr(os, op, None) is not None:
                    setattr(os, op, w)
        del w, make

    # 3. Run the program as __main__, then the tests in the same namespace.
    glb = {'__name__': '__main__', '__builtins__': __builtins__}
    state['armed'] = MODE == 'tests'
    try:
        _exec(prog, glb)
    except _SysExit as e:
        if MODE == 'tests':
            finish('program_error', detail='[molrl] the program exited (SystemExit) before its tests ran\n')
        code = e.code
        if code is None or code == 0:
            finish('ran')
        finish('program_error', detail='' if _isinstance(code, int) else _str(code) + '\n')
    except _Base as e:
        finish('program_error', detail=describe(e))
    if MODE != 'tests':
        finish('ran')
    try:
        _exec(tests, glb)
    except _Base as e:
        finish('tests_failed', detail=describe(e))
    finish('tests_passed', passed=True)


_molrl_main(*__MOLRL_ARGS__)
`;

/** The harness program for `code` (and `tests` in mode 'tests'); arguments are embedded as JSON string literals. */
export function buildHarness(code: string, tests: string, mode: 'output' | 'tests'): string {
  // JSON string literals are valid Python string literals (\uXXXX escapes included).
  return HARNESS.replace('__MOLRL_ARGS__', JSON.stringify([code, tests, mode]));
}
