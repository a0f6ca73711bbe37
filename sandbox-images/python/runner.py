#!/usr/bin/env python3
"""molrl sandbox runner: a fork server that runs one untrusted program per request (stdlib only, Python >= 3.9).

Protocol: NDJSON on stdin/stdout, one request at a time; the first line out is {"ready": true, ...}.
  request : {"id", "language": "python" or one of languages.py, "code", "stdin", "files": {rel: text}, "timeoutMs",
             "memoryMb", "outputLimitBytes", "marker": bool, "compileTimeoutMs"?, "op"?: "compile",
             "artifact"?: {name: base64}}
  response: {"id", "status", "exitCode", "signal", "stdout", "stderr", "truncated", "durationMs", "maxRssKb",
             "leftovers", "marker"?: {"value", "requested"}, "error"?: {"code", "message"},
             "compile"?: {status, exitCode, signal, stdout, stderr, truncated, durationMs}, "artifact"?: {name: base64}}
`--container` (the image's mode) also kills every leftover process of the runner's uid and wipes /tmp and
/dev/shm after each run; without it (on a host) only the process group and the working directory are cleaned.
Known limit: programs are forked from this process, so freed memory may still hold earlier requests' bytes
(not reachable as objects; a program would have to scan raw memory with ctypes). A clean zygote forked
before the first request would close that.
"""
import ctypes, fcntl, gc, json, os, resource, secrets, select, shutil, signal, stat, sys, tempfile, time, traceback
import languages  # beside this file: every language but python (compile, artifact, run argv, memory policy)

CONTAINER = "--container" in sys.argv
UID = os.getuid()
LANGUAGES = ["python"] + languages.available()
NPROC = int(os.environ.get("MOLRL_RUNNER_NPROC", "512"))  # per uid, host-wide: PidsLimit is the real fence
MEM_FLAG = b"M"
LAST = {"group": 0}
STDIO = None


def _no_dump():
    """Non-dumpable: /proc/<runner>/fd and ptrace are closed to the same-uid programs it runs."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0) == 0  # PR_SET_DUMPABLE, 0
    except Exception:
        return False


def _oom_kills():
    for path in ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except OSError:
            pass
    return 0


def _child(req, workdir, fds):
    """In the forked child: limits, fds 0-5, then run the code. Never returns."""
    try:
        os.setsid()
        # stdin, stdout, stderr, marker w, marker r, info w: first above every source fd (not far above: a
        # larger fd table costs a reallocation), then down onto 0-5
        top = max(fds) + 1
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, top) for fd in fds]
        for i, fd in enumerate(high):
            os.dup2(fd, i)
        os.closerange(len(fds), 1 << 16)
        os.chdir(workdir)
        try:  # the kernel's OOM killer picks the program, not the runner (os.* calls: fewer COW page faults)
            fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            os.write(fd, b"1000")
            os.close(fd)
        except OSError:
            pass
        mem = int(req["memoryMb"]) << 20 if req.get("rlimitAs", True) else resource.RLIM_INFINITY
        cpu = int(req["timeoutMs"] / 1000) + 1
        limits = [(resource.RLIMIT_AS, mem, mem), (resource.RLIMIT_CPU, cpu, cpu + 1),
                  (resource.RLIMIT_FSIZE, 64 << 20, 64 << 20), (resource.RLIMIT_NOFILE, 256, 256),
                  (resource.RLIMIT_NPROC, NPROC, NPROC), (resource.RLIMIT_CORE, 0, 0)]
        if req.get("stackMb"):
            limits.append((resource.RLIMIT_STACK, req["stackMb"] << 20, req["stackMb"] << 20))
        for res, soft, hard in limits:
            resource.setrlimit(res, (soft, hard))
        if "argv" in req:  # another language (languages.py): its compiler or program
            os.execvpe(req["argv"][0], req["argv"], dict(os.environ, **req["env"]))
        _exec_python(req["compiled"])
    except BaseException:
        traceback.print_exc()
    os._exit(126)


def _child_stdio():
    """The program's sys.stdin/stdout/stderr on fds 0-2, made once in the runner and never used by it:
    building them in each child costs ~0.2 ms of copy-on-write page faults."""
    import io
    return (io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8"),
            io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8"),
            io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                             line_buffering=True))


def _exec_python(compiled):
    import builtins, types
    sys.stdin, sys.stdout, sys.stderr = STDIO
    sys.argv = ["main.py"]
    main = types.ModuleType("__main__")
    main.__file__ = "main.py"
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    rc = 0
    try:
        if isinstance(compiled, BaseException):
            raise compiled.with_traceback(None)  # the runner's compile frame is not the program's business
        exec(compiled, main.__dict__)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException as e:
        if isinstance(e, MemoryError):
            os.write(5, MEM_FLAG)
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)  # hide the runner's own frame
        rc = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(rc & 0xFF)


def _write_files(req, workdir):
    files = dict(req.get("files") or {})
    for name, content in files.items():
        if not isinstance(name, str) or os.path.isabs(name) or ".." in name.split("/") or "\0" in name or not name.strip("/"):
            raise ValueError("bad file path %r" % (name,))
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(content)


def _make_marker(req):
    haystack = [req["code"], req.get("stdin") or ""] + [k + v for k, v in (req.get("files") or {}).items()]
    while True:
        value = secrets.token_hex(16)
        if not any(value in text for text in haystack):
            return value


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def run(req, workdir):
    t0 = time.monotonic()
    limit = int(req["outputLimitBytes"])
    want_marker = bool(req.get("marker"))
    pipes = [os.pipe() for _ in range(4)]  # stdin, stdout, stderr, info
    mpipes = [os.pipe(), os.pipe()] if want_marker else []  # marker request, marker response
    null = os.open("/dev/null", os.O_RDWR)
    child_fds = [pipes[0][0], pipes[1][1], pipes[2][1], mpipes[0][1] if mpipes else null,
                 mpipes[1][0] if mpipes else null, pipes[3][1]]
    oom_before = _oom_kills() if CONTAINER else 0
    if req["language"] == "python":
        try:  # compiled here, not in the child: the parser's allocations would be copy-on-write faults there (~1 ms)
            req["compiled"] = compile(req["code"], "main.py", "exec", dont_inherit=True)
        except BaseException as e:  # SyntaxError, ValueError (NUL bytes), RecursionError: the child raises it
            req["compiled"] = e
    pid = os.fork()
    LAST["group"] = pid
    if pid == 0:
        _child(req, workdir, child_fds)
    marker = _make_marker(req) if want_marker else None  # made after the fork: the child never holds it
    for fd in set(child_fds) | {null}:
        os.close(fd)
    pidfd = os.pidfd_open(pid)
    stdin_w, out_r, err_r, info_r = pipes[0][1], pipes[1][0], pipes[2][0], pipes[3][0]
    mreq_r, mresp_w = (mpipes[0][0], mpipes[1][1]) if mpipes else (None, None)
    pending = (req.get("stdin") or "").encode("utf-8", "surrogateescape")
    os.set_blocking(stdin_w, False)
    if not pending:
        os.close(stdin_w)
        stdin_w = None
    bufs = {out_r: bytearray(), err_r: bytearray()}
    readers = [out_r, err_r, info_r] + ([mreq_r] if mreq_r is not None else [])
    deadline = t0 + req["timeoutMs"] / 1000.0
    timed_out = truncated = mem_flag = requested = False
    mreq_buf = b""
    status = None
    while status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, writable, _ = select.select(readers + [pidfd], [stdin_w] if stdin_w is not None else [], [], left)
        if writable:
            try:
                n = os.write(stdin_w, pending[:65536])
                pending = pending[n:]
            except (BrokenPipeError, BlockingIOError):
                pending = b"" if not pending else pending
            if not pending:
                os.close(stdin_w)
                stdin_w = None
        for fd in ready:
            if fd == pidfd:
                _, status, usage = os.wait4(pid, 0)
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                readers.remove(fd)
            elif fd == info_r:
                mem_flag = mem_flag or chunk.startswith(MEM_FLAG)
            elif fd == mreq_r:
                mreq_buf += chunk
                while b"\n" in mreq_buf:
                    line, mreq_buf = mreq_buf.split(b"\n", 1)
                    answer = b"\n" if requested or line.strip() != b"marker" else (marker + "\n").encode()
                    requested = requested or line.strip() == b"marker"
                    try:
                        os.write(mresp_w, answer)
                    except OSError:
                        pass
            else:
                room = limit - len(bufs[fd])
                bufs[fd] += chunk[:max(room, 0)]
                if len(chunk) > room:
                    truncated = True
        if truncated:
            break
    _kill_group(pid)
    if status is None:
        _, status, usage = os.wait4(pid, 0)
    for fd in (out_r, err_r):  # what the child wrote before it ended; never wait on grandchildren
        os.set_blocking(fd, False)
        try:
            while len(bufs[fd]) <= limit:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                room = limit - len(bufs[fd])
                bufs[fd] += chunk[:max(room, 0)]
                truncated = truncated or len(chunk) > room
        except BlockingIOError:
            pass
    try:
        os.set_blocking(info_r, False)  # an escaped grandchild may hold the write end open
        mem_flag = mem_flag or os.read(info_r, 1) == MEM_FLAG
    except OSError:
        pass
    for fd in [stdin_w, out_r, err_r, info_r, mreq_r, mresp_w, pidfd]:
        if fd is not None:
            os.close(fd)
    duration = (time.monotonic() - t0) * 1000
    oom = CONTAINER and _oom_kills() > oom_before
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if timed_out or sig == signal.SIGXCPU:
        result = "timeout"
    elif truncated:
        result = "output_limit"
    elif mem_flag or oom:
        result = "memory_limit"
    elif sig is not None:
        result = "killed"
    elif code != 0:
        result = "runtime_error"
    else:
        result = "ok"
    resp = {"status": result, "exitCode": code, "signal": _signal_name(sig),
            "stdout": bufs[out_r].decode("utf-8", "replace"), "stderr": bufs[err_r].decode("utf-8", "replace"),
            "truncated": truncated, "durationMs": round(duration, 3), "maxRssKb": usage.ru_maxrss}
    if marker is not None:
        resp["marker"] = {"value": marker, "requested": requested}
    return resp


def _signal_name(sig):
    if sig is None:
        return None
    try:
        return signal.Signals(sig).name
    except ValueError:  # real-time signals have no name
        return "SIG%d" % sig


def _proc_leftovers(me):
    """Processes of our uid other than pid 1 and the runner, except zombies: (pid, pgid) pairs."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (1, me):
            continue
        try:  # the real uid from status: /proc/<pid> of a non-dumpable process (a fork of the runner) is root's
            with open("/proc/%s/status" % name) as f:
                uid = next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
            if uid != UID:
                continue
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, StopIteration, ValueError):
            continue
        if fields[0] not in ("Z", "X"):
            found.append((int(name), int(fields[2])))
    return found


def _wipe(root):
    def fix(func, path, _exc):
        for target in (os.path.dirname(path), path):  # a program may have chmod-ed either to 0
            try:
                os.chmod(target, stat.S_IRWXU)
            except OSError:
                pass
        try:
            (shutil.rmtree if os.path.isdir(path) and not os.path.islink(path) else os.unlink)(path)
        except OSError:
            pass
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=fix)
        else:
            fix(None, path, None)


def cleanup(workdir, group):
    """Kill leftovers and wipe scratch space; returns how many leftovers (processes, IPC objects) it met."""
    shutil.rmtree(workdir, ignore_errors=True)
    if not CONTAINER:
        return 0
    me, count = os.getpid(), 0
    for _ in range(50):
        pids = _proc_leftovers(me)
        if not pids:
            break
        if count == 0:  # the run's own group was killed already: only escapees count
            count = sum(1 for _, pgid in pids if pgid != group)
        for pid, _ in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.002)
    else:
        count += 1000  # still there: the pool must recycle the container
    for root in ("/tmp", "/dev/shm", "/dev/mqueue"):
        _wipe(root)
        try:
            count += len(os.listdir(root))
        except OSError:
            pass
    for table in ("shm", "sem", "msg"):
        try:
            with open("/proc/sysvipc/" + table) as f:
                count += max(0, len(f.read().splitlines()) - 1)
        except OSError:
            pass
    return count


CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
             "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def main():
    os.environ.clear()  # set once here, inherited by every child: cheaper than per fork
    os.environ.update(CHILD_ENV)
    hardened = _no_dump()
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # tmpfs: mkdir/rmdir per run cost ~1 ms on a disk
    scratch = "/tmp" if CONTAINER else tempfile.mkdtemp(prefix="molrl-runner-", dir=shm)
    global STDIO
    STDIO = _child_stdio()
    gc.collect()
    gc.freeze()
    out.write(json.dumps({"ready": True, "pid": os.getpid(), "languages": LANGUAGES, "container": CONTAINER,
                          "hardened": hardened}).encode() + b"\n")
    out.flush()
    n = 0
    for line in inp:
        if not line.strip():
            continue
        n += 1
        rid = None
        workdir = os.path.join(scratch, "run-%d" % n)
        try:
            req = json.loads(line)
            rid = req.get("id")
            if req.get("language") not in LANGUAGES:
                raise ValueError("language %r not available here (have %s)" % (req.get("language"), LANGUAGES))
            os.mkdir(workdir, 0o700)
            _write_files(req, workdir)
            resp = run(req, workdir) if req["language"] == "python" else languages.handle(req, workdir, run)
        except Exception as e:
            resp = {"status": "sandbox_error", "error": {"code": "SANDBOX_RUNNER_FAILED", "message": repr(e)[:2000]}}
        try:
            resp["leftovers"] = cleanup(workdir, LAST["group"])
        except Exception as e:
            resp["leftovers"] = 1000
            resp.setdefault("error", {"code": "SANDBOX_RUNNER_FAILED", "message": "cleanup: " + repr(e)[:2000]})
        resp["id"] = rid
        out.write(json.dumps(resp).encode() + b"\n")
        out.flush()
        # drop this run's request and result before the next fork, so the next program cannot find them
        # as live objects (gc.get_objects); freed memory is not scrubbed, see the note at the top
        line = req = resp = None
    if not CONTAINER:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
