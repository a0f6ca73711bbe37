"""molrl sandbox zygote: the clean parent of every program and every judge (stdlib only).

The runner forks the zygote before it reads its first request, and the zygote never receives one: for each
run it gets a role, two limits and the child's pipe ends (SCM_RIGHTS), forks, and reports the child's pid
and, later, its wait status. The child reads its own job from its job pipe. So a program's memory holds
the zygote's (nothing of any sample) and its own job, never another sample's code, output or tests, not
even in freed memory; the current sample's tests go only to its judge.

Before it serves anything the zygote imports the modules of its preload list (PRELOAD: the standard-library
modules solutions import most, or the pool's `--preload` list), so that a program's `import typing` finds
them loaded. A program sees them as a fresh interpreter would have them: it is a fresh fork each time, so
what one program changes in a module (`math.pi = 3`) is gone for the next; the random generators seeded at
import (`random`, `numpy.random`) are reseeded in every child; the program's globals are those of a fresh
`python3 main.py`. Only `sys.modules` shows that they were imported before the program ran.

With `container` the child drops its privileges before it reads its job: a program to uid/gid PROGRAM_UID
(65534, or the pool's per-container uid), a judge to JUDGE_UID, with no supplementary groups, an empty
capability bounding set, no capabilities and no_new_privs. The zygote (like the runner and pid 1) stays root
and non-dumpable, out of reach of both.

Messages on the SOCK_SEQPACKET pair: first, once, zygote -> runner the preload report (JSON {"loaded": [...],
"failed": {name: why}}); then 17 bytes each: runner -> zygote role (b"P" program, b"J" judge),
address-space bytes, CPU seconds (with the fds); zygote -> runner b"S" pid (spawned), b"X" pid
(maxrss_kb << 32 | status) (exited), b"E" errno (fork failed).
"""
import ctypes, fcntl, gc, io, json, os, resource, select, signal, socket, struct, sys, time, traceback, types
from importlib.machinery import SourceFileLoader as _SourceFileLoader
import judge, languages, serve, wire  # noqa: F401  (imported here, once, so that children start with them loaded)
import ast, base64, decimal, fractions, math, opcode  # noqa: F401  (the judge's and the codec's imports)

PROGRAM_UID = 65534  # nobody, unless the runner is given --uid
# The standard-library modules solutions import most (numpy is left out: it makes every fork ~1.7 ms dearer,
# see BENCHMARKS.md); the runner's --preload replaces the list.
PRELOAD = ("typing", "collections", "itertools", "functools", "math", "re", "heapq", "bisect", "string", "json",
           "random")
PRELOAD_REPORT_MAX = 1 << 16
JUDGE_UID = 65533
MEM_FLAG, READY_FLAG, FAIL_FLAG = b"M", b"R", b"F"
NPROC = int(os.environ.get("MOLRL_RUNNER_NPROC", "512"))  # per uid, host-wide: PidsLimit is the real fence
NODE = None
_MSG = struct.Struct("<cqq")
_LIBC = ctypes.CDLL(None, use_errno=True)
STDIO = None


def prctl(option, arg):
    if _LIBC.prctl(option, arg, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(%d, %d) failed" % (option, arg))


def no_dump():
    """Non-dumpable: /proc/<pid>/fd, mem and ptrace are closed to every other uid (and, for root, to all)."""
    try:
        prctl(4, 0)  # PR_SET_DUMPABLE
        return True
    except OSError:
        return False


class Zygote:
    """The runner's handle on its zygote."""

    def __init__(self, container, preload=PRELOAD):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            ours.close()
            try:
                _serve(theirs, container, preload)
            finally:
                os._exit(1)
        theirs.close()
        self.sock, self.process = ours, pid
        report = ours.recv(PRELOAD_REPORT_MAX)  # the zygote has imported its preload list
        if not report:
            raise RuntimeError("the zygote died while it imported its preload list")
        self.preload = json.loads(report)
        self.new_run()

    def fileno(self):
        return self.sock.fileno()

    def new_run(self):
        """Forget the previous run's children."""
        self.asked, self.pids, self.exited, self.rss = 0, [], {}, {}

    def spawn(self, role, fds, memory, cpu):
        """Asks for a child with `fds` as its descriptors 0..n-1, without waiting: its pid comes later (pid(k)).
        Returns k, the child's number in this run."""
        socket.send_fds(self.sock, [_MSG.pack(role, memory, cpu)], fds)
        self.asked += 1
        return self.asked - 1

    def pid(self, k, timeout=10.0):
        """The pid of child number k, waiting for the zygote's report; raises OSError when its fork failed."""
        end = time.monotonic() + timeout
        while len(self.pids) <= k:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise RuntimeError("the zygote did not report a fork")
            self.receive()
        if self.pids[k] < 0:
            raise OSError(-self.pids[k], "the zygote could not fork: %s" % os.strerror(-self.pids[k]))
        return self.pids[k]

    def receive(self):
        data = self.sock.recv(_MSG.size)
        if len(data) != _MSG.size:
            raise RuntimeError("the zygote is gone")
        kind, pid, value = _MSG.unpack(data)
        if kind == b"X":
            self.exited[pid] = value & 0xFFFFFFFF
            self.rss[pid] = value >> 32  # peak RSS, kB
        elif kind == b"S":
            self.pids.append(pid)
        elif kind == b"E":
            self.pids.append(-(value or 1))
        return kind, pid, value

    def wait(self, pids, timeout):
        """Until every pid in `pids` was reported exited; False when `timeout` seconds pass first."""
        end = time.monotonic() + timeout
        while any(p not in self.exited for p in pids):
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return False
            self.receive()
        return True


def load(names):
    """Imports `names`; returns the report {"loaded": [...], "failed": {name: why}} (a module that fails is left out)."""
    import importlib
    loaded, failed = [], {}
    for name in names:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except BaseException as e:  # ImportError, or anything its import raised
            failed[name] = ("%s: %s" % (type(e).__name__, e))[:300]
    return {"loaded": loaded, "failed": failed}


def _serve(sock, container, preload):
    """The zygote's loop: fork on request, report exits. Holds nothing of any request."""
    global STDIO
    try:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: never outlive the runner
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)  # the host's channel is the runner's alone
    os.dup2(null, 1)
    os.close(null)
    STDIO = _child_stdio()
    report = json.dumps(load(preload)).encode()[:PRELOAD_REPORT_MAX]
    gc.collect()
    gc.freeze()
    sock.send(report)
    children = {}  # pidfd -> pid
    while True:
        ready = select.select([sock] + list(children), [], [])[0]
        for fd in ready:
            if fd is sock:
                try:
                    msg, fds, _, _ = socket.recv_fds(sock, _MSG.size, 16)
                except OSError:
                    os._exit(0)
                if len(msg) != _MSG.size:
                    os._exit(0)  # the runner is gone
                role, memory, cpu = _MSG.unpack(msg)
                try:
                    pid = os.fork()
                except OSError as e:
                    for f in fds:
                        os.close(f)
                    sock.send(_MSG.pack(b"E", 0, e.errno or 0))
                    continue
                if pid == 0:
                    try:
                        sock.close()
                        _child(role, fds, memory, cpu, container)
                    finally:
                        os._exit(126)
                for f in fds:
                    os.close(f)
                children[os.pidfd_open(pid)] = pid
                sock.send(_MSG.pack(b"S", pid, 0))
            else:
                pid = children.pop(fd)
                os.close(fd)
                _, status, usage = os.wait4(pid, 0)
                sock.send(_MSG.pack(b"X", pid, (min(usage.ru_maxrss, 0x7FFFFFFF) << 32) | (status & 0xFFFFFFFF)))


def _child_stdio():
    """The program's sys.stdin/stdout/stderr on fds 0-2, made once in the zygote: building them in each
    child costs ~0.2 ms of copy-on-write page faults."""
    return (io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8"),
            io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8"),
            io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                             line_buffering=True))


def drop_privileges(uid):
    """To `uid`/`uid` with no groups and no capabilities, for good (raises when any step fails)."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last = int(f.read())
    for cap in range(last + 1):
        prctl(24, cap)  # PR_CAPBSET_DROP: no exec can ever regain it
    os.setresuid(uid, uid, uid)  # from root to non-root: permitted, effective and ambient sets are cleared
    prctl(38, 1)  # PR_SET_NO_NEW_PRIVS
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) or os.getgroups():
        raise OSError("privileges were not dropped")


def _fds(fds):
    # onto 0..n-1: first above every source fd (not far above: a larger fd table costs a reallocation)
    top = max(fds) + 1
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, top) for fd in fds]
    for i, fd in enumerate(high):
        os.dup2(fd, i)
    os.closerange(len(fds), 1 << 16)


def _reseed():
    """Generators seeded when the zygote imported them would repeat one sequence in every child; `random`
    reseeds itself after a fork (os.register_at_fork), numpy's global generator does not."""
    np_random = sys.modules.get("numpy.random")
    if np_random is not None:
        np_random.seed()


def _child(role, fds, memory, cpu, container):
    """In a forked child: session, descriptors, privileges, job, limits, then the program or the judge."""
    os.setsid()
    _reseed()
    _fds(fds)
    if role == b"J":
        _judge_child(memory, cpu, container)
    try:
        fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)  # the OOM killer picks the program first
        os.write(fd, b"1000")
        os.close(fd)
    except OSError:
        pass
    try:
        if container:
            drop_privileges(PROGRAM_UID)
            prctl(4, 1)  # dumpable again: its own /proc files are its own (its uid holds nothing else)
        os.nice(10)  # the runner and the judge go first when the program saturates the CPU
        job = _read_job(8)
        workdir = job["workdir"]
        os.mkdir(workdir, 0o700)
        _write_files(job, workdir)
        os.chdir(workdir)
        for res, soft, hard in ((resource.RLIMIT_AS, memory, memory), (resource.RLIMIT_CPU, cpu, cpu + 1),
                                (resource.RLIMIT_FSIZE, 64 << 20, 64 << 20), (resource.RLIMIT_NOFILE, 256, 256),
                                (resource.RLIMIT_NPROC, NPROC, NPROC), (resource.RLIMIT_CORE, 0, 0)):
            resource.setrlimit(res, (soft, hard))
        if job.get("exec"):  # another language (languages.py): its binaries, its stack
            languages.setup_child(job["exec"])
    except BaseException as e:
        os.write(5, FAIL_FLAG + ("program setup: %r" % (e,)).encode("utf-8", "replace")[:2000])
        os._exit(126)
    os.write(5, READY_FLAG)
    if job.get("exec"):
        languages.exec_child(job["exec"])  # its compiler or program; never returns
    if job["language"] == "javascript":
        os.execv(NODE, [NODE, "--max-old-space-size=%d" % int(job["memoryMb"]), "main.js"])
    _exec_python(job["code"], workdir, job.get("tests") is True)


def _judge_child(memory, cpu, container):
    try:
        if container:
            drop_privileges(JUDGE_UID)
        no_dump()
        os.chdir("/")
        memory = max(memory, 256 << 20)
        for res, soft, hard in ((resource.RLIMIT_AS, memory, memory), (resource.RLIMIT_CPU, cpu, cpu + 1),
                                (resource.RLIMIT_FSIZE, 16 << 20, 16 << 20), (resource.RLIMIT_CORE, 0, 0)):
            resource.setrlimit(res, (soft, hard))
    except BaseException as e:
        os.write(2, ("judge setup: %r" % (e,)).encode("utf-8", "replace")[:2000])
        os._exit(126)
    try:
        judge.main()
    except BaseException:
        traceback.print_exc()
    os._exit(125)


def _read_job(fd):
    """The job: its length on the first line, then that much JSON (no need to wait for the runner's close)."""
    head = b""
    while not head.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            raise EOFError("the job ended before its length")
        head += byte
    size, chunks = int(head), []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the job ended early")
        chunks.append(chunk)
        size -= len(chunk)
    os.close(fd)
    return json.loads(b"".join(chunks))


def _write_files(job, workdir):
    files = dict(job.get("files") or {})
    if job["language"] == "javascript":
        files["main.js"] = job["code"]
    for name, content in files.items():
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(content)


def _memory_error(e):
    return isinstance(e, MemoryError) or (isinstance(e, OSError) and e.errno == 12)  # ENOMEM: mmap, fork


def _exec_python(source, workdir, tests):
    import builtins
    sys.stdin, sys.stdout, sys.stderr = STDIO
    sys.argv = ["main.py"]
    sys.path[0] = workdir
    main = types.ModuleType("__main__")  # __name__, __doc__, __package__, __loader__, __spec__
    main.__file__ = "main.py"
    main.__builtins__ = builtins
    main.__cached__ = None  # the rest of what `python3 main.py` starts with: nothing else is in its globals
    main.__annotations__ = {}
    main.__loader__ = _SourceFileLoader("__main__", "main.py")
    sys.modules["__main__"] = main
    rc = 0
    try:
        try:
            compiled = compile(source, "main.py", "exec", dont_inherit=True)
        except BaseException as e:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
            if tests:
                serve.syntax_error()
            raise e.with_traceback(None)  # the compiler's frame is not the program's business
        source = None
        exec(compiled, main.__dict__)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException as e:
        if _memory_error(e):
            os.write(5, MEM_FLAG)
        tb = e.__traceback__
        traceback.print_exception(type(e), e, tb.tb_next if tb is not None else None)  # hide the harness frame
        rc = 1
    else:
        if tests:
            serve.serve(main.__dict__)  # never returns
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(rc & 0xFF)
