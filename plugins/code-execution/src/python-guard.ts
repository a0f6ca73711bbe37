// The Python source of the harness's guard (mode 'tests'): an audit hook that alone holds the marker channel and
// the real fd functions, stubs that route os fd calls through it, and the fail-closed "burn" (README.md, Security).

/** Python source defining `_molrl_install(MODE, MAIN)`; MAIN is the code object allowed to deliver the verdict. */
export const GUARD_SOURCE = String.raw`def _molrl_install(MODE, MAIN):
    import os, sys, random, fcntl, resource, errno, gc, types, _imp, _signal, signal, _posixsubprocess
    _typ, _int, _str, _bytes, _len, _list, _tuple = type, int, str, bytes, len, list, tuple
    _Base, _OSError, _PermissionError, _ImportError, _TypeError, _dict = BaseException, OSError, PermissionError, ImportError, TypeError, dict
    _getcwd, _gc_disable, _gc_enable, _gc_isenabled, _getframe = os.getcwd, gc.disable, gc.enable, gc.isenabled, sys._getframe
    FrameType, Namespace = types.FrameType, types.SimpleNamespace
    _posix = sys.modules['posix']
    SAFE = (int, bytes, bytearray, str, bool, type(None), float, memoryview)

    def is_safe(x):
        # exact built-in types only (identity, never ==), so no code of the program runs inside the hook
        t = _typ(x)
        for k in SAFE:
            if t is k:
                return True
        if t is _list or t is _tuple:
            for y in x:
                if not is_safe_leaf(y):
                    return False
            return True
        return False

    def is_safe_leaf(y):
        t = _typ(y)
        for k in SAFE:
            if t is k:
                return True
        return False

    def is_harness(code, which):
        for c in which:
            if c is code:
                return True
        return False

    def move(fd):
        # the channel moves to unpredictable descriptor numbers (close-on-exec); 3 and 4 are closed
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        top = min(soft if soft > 0 else 1024, 4096) - 1
        for _ in range(16):
            try:
                return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.SystemRandom().randrange(64, top))
            except OSError:
                pass
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)

    try:
        ch = [move(3), move(4)]
        os.close(3)
        os.close(4)
    except OSError:
        ch = []
    state = {'armed': False, 'burnt': ''}
    FD_OPS = ('read', 'write', 'readv', 'writev', 'pread', 'pwrite', 'preadv', 'pwritev', 'sendfile', 'dup', 'dup2',
              'lseek', 'splice', 'copy_file_range', 'set_blocking', 'set_inheritable', 'close', 'closerange', 'ftruncate',
              'fsync', 'fstat', 'isatty', 'ttyname', 'device_encoding', 'get_blocking', 'get_inheritable', 'fchdir',
              'fchmod', 'fchown', 'fdatasync', 'fpathconf', 'fstatvfs', 'lockf', 'posix_fadvise', 'posix_fallocate',
              'tcgetpgrp', 'tcsetpgrp', 'login_tty', 'eventfd_read', 'eventfd_write')
    S = {op: getattr(_posix, op) for op in FD_OPS if hasattr(_posix, op)}
    S['create_builtin'] = _imp.create_builtin
    W, EXIT = _posix.write, os._exit
    blocked = ('ctypes.', 'gc.', 'sys._current_frames', 'sys.setprofile', 'sys.settrace', 'sys.monitoring',
               'sys.addaudithook', 'os.fork', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.system', 'subprocess.',
               'pty.', 'function.__new__', 'mmap.', 'socket.', 'cpython.', 'fcntl.', 'os.symlink',
               'os.link', 'os.chdir', 'os.chroot', 'os.mknod', 'os.mkfifo', 'os.kill', 'os.killpg', 'signal.pthread_kill')
    bad_imports = ('ctypes', '_ctypes', 'posix', 'os', '_imp', 'mmap', 'resource', 'fcntl', '_io', 'io', 'faulthandler',
                   'gc', '_signal', 'signal')
    bad_builtins = bad_imports + ('_posixsubprocess',)
    dev_ok = ('null', 'zero', 'urandom', 'random', 'full')
    codes = []

    def burn(why):
        # closes the marker channel for good and remembers the first reason: no verdict can pass after this
        state['burnt'] = state['burnt'] or why
        for c in ch:
            try:
                S['close'](c)
            except _Base:
                pass
        ch.clear()

    def hook(event, args):
        if not state['armed']:
            return
        if _typ(event) is not _str:
            return
        was = _gc_isenabled()
        _gc_disable()  # no finalizer of the program may run while this frame is on the stack
        try:
            if event == 'molrl.fd':
                # a stub of an fd function: never raises from here; errors travel back in out without a traceback
                if _len(args) != 5 or _typ(args[4]) is not _list or _typ(args[1]) is not _int or _typ(args[2]) is not _tuple:
                    return
                op, fd, rest, kw, out = args
                ok = _typ(op) is _str and op in S and _typ(kw) is _dict
                if ok:
                    for k in kw:
                        if _typ(k) is not _str:
                            ok = False
                    for x in rest + _tuple(kw.values()):
                        if not is_safe(x):
                            ok = False
                if ok and (fd in ch or [x for x in rest if _typ(x) is _int and x in ch]):
                    burn('a channel descriptor was used')
                if not ok:
                    out.append((False, _TypeError('molrl sandbox: unsupported argument types for os.%s while tests run' % op)))
                    return
                try:
                    out.append((True, S[op](fd, *rest, **kw)))
                except _Base as e:
                    e.__traceback__ = None
                    out.append((False, e))
                return
            if event == 'molrl.create_builtin':
                if _len(args) != 2 or _typ(args[0]) is not _str or _typ(args[1]) is not _list:
                    return
                name, out = args
                if name in bad_builtins:
                    out.append((False, _ImportError('molrl sandbox: loading %s is blocked while tests run' % name)))
                    return
                try:
                    out.append((True, S['create_builtin'](Namespace(name=name, origin='built-in'))))
                except _Base as e:
                    e.__traceback__ = None
                    out.append((False, e))
                return
            if event == 'molrl.finish':
                f = _getframe(1)
                if f.f_code is not MAIN or _len(args) != 3 or _typ(args[0]) is not _str or _typ(args[1]) is not _str:
                    burn('a forged finish')
                    return
                verdict, detail, passed = args
                state['armed'] = False
                marker = b''
                if ch and not state['burnt']:
                    try:
                        W(ch[0], b'marker\n')
                        while not marker.endswith(b'\n') and _len(marker) < 256:
                            chunk = S['read'](ch[1], 256)
                            if not chunk:
                                break
                            marker += chunk
                    except _Base:
                        marker = b''
                marker = marker.strip()
                try:
                    if detail:
                        W(2, detail.encode('utf-8', 'replace'))
                    if state['burnt']:
                        W(2, ('\n[molrl] the sandbox guard tripped (%s): no verdict\n' % state['burnt']).encode())
                    elif MODE == 'tests' and not marker:
                        W(2, b'\n[molrl] the marker channel was unavailable or already used\n')
                    if marker and not state['burnt']:
                        if passed:
                            W(1, b'\n' + marker + b'\n')
                        W(2, b'\n' + marker + b':' + verdict.encode() + b'\n')
                except _Base:
                    pass
                EXIT(0 if verdict in ('ran', 'tests_passed') and (marker or MODE != 'tests') else 1)
            if MODE != 'tests':
                return
            if event == 'exec' or event == 'compile':
                if event == 'exec' and args and is_harness(args[0], codes):
                    raise _PermissionError('molrl sandbox: running the harness again is blocked')
                return
            if event == 'object.__getattr__':
                return
            if event == 'sys._getframe':
                if args and _typ(args[0]) is FrameType and is_harness(args[0].f_code, codes[1:]):
                    raise _PermissionError('molrl sandbox: the harness frames are out of reach')
                return
            if event == 'open':
                path = args[0] if args else None
                if _typ(path) is _int:
                    if path > 2:
                        raise _PermissionError('molrl sandbox: opening file descriptors is blocked while tests run')
                    return
                if _typ(path) is _bytes:
                    path = path.decode('utf-8', 'surrogateescape')
                if _typ(path) is not _str:
                    raise _PermissionError('molrl sandbox: open() takes a str or bytes path while tests run')
                if not path.startswith('/'):
                    path = _getcwd() + '/' + path
                parts = []
                for seg in path.split('/'):
                    if seg == '' or seg == '.':
                        continue
                    if seg == '..':
                        if parts:
                            parts.pop()
                        continue
                    parts.append(seg)
                    if parts[0] == 'proc' or (parts[0] == 'dev' and _len(parts) > 1 and (_len(parts) > 2 or parts[1] not in dev_ok)):
                        raise _PermissionError('molrl sandbox: /proc and /dev are blocked while tests run')
                return
            if event == 'import':
                if args and _typ(args[0]) is _str and args[0] in bad_imports:
                    raise _ImportError('molrl sandbox: importing %s is blocked while tests run' % args[0])
                return
            if event.startswith(blocked):
                raise _PermissionError('molrl sandbox: %s is blocked while tests run' % event)
        except _Base:
            # fail closed: whatever escapes this frame first burns the channel, so the frame's secrets are worthless
            burn('blocked: ' + event)
            S.clear()
            raise
        finally:
            if was:
                _gc_enable()

    codes.extend([MAIN, hook.__code__, burn.__code__])
    sys.addaudithook(hook)
    if MODE == 'tests':
        audit = sys.audit

        def stub(op):
            def call(fd, *rest, **kw):
                out = []
                audit('molrl.fd', op, fd, rest, kw, out)
                if not out:
                    raise OSError(errno.EBADF, 'Bad file descriptor')
                if out[0][0]:
                    return out[0][1]
                raise out[0][1]
            call.__name__ = op
            return call

        for op in list(S):
            if op != 'create_builtin':
                setattr(_posix, op, stub(op))
                if getattr(os, op, None) is not None:
                    setattr(os, op, getattr(_posix, op))

        def create_builtin(spec):
            name = spec.name
            if type(name) is not str:
                raise ImportError('molrl sandbox: bad module spec')
            out = []
            audit('molrl.create_builtin', name, out)
            if out and out[0][0]:
                return out[0][1]
            raise out[0][1] if out else ImportError(name)

        def no_signals(*args, **kw):
            raise PermissionError('molrl sandbox: signal handlers and new processes are blocked while tests run')

        _imp.create_builtin = create_builtin
        _posixsubprocess.fork_exec = no_signals
        _signal.signal = signal.signal = no_signals
    state['armed'] = True
`;
