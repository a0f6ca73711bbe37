#!/usr/bin/env python3
"""molrl sandbox runner: a fork server that runs one untrusted program per request (stdlib only, Python >= 3.9).

Protocol: NDJSON on stdin/stdout, one request at a time; the first line out is {"ready": true, ...}.
  request : {"id", "language": "python"|"javascript", "code", "stdin", "files": {rel: text}, "timeoutMs",
             "memoryMb", "outputLimitBytes", "marker": bool, "tests": str|null}
  response: {"id", "status", "exitCode", "signal", "stdout", "stderr", "truncated", "durationMs",
             "leftovers", "marker"?: {"value", "requested"}, "tests"?: {"verdict", "detail"},
             "error"?: {"code", "message"}}
`--socket PATH` (the pool's choice where its daemon is local): the runner also listens on the unix socket PATH,
made after the zygote (which never holds it), in a directory the host bind-mounts with mode 0700 (programs, of
other uids and without capabilities, cannot even look into it); the first line still goes to stdout. The host
then either connects there, and requests and responses go over that connection (past dockerd and the
container's shim), or writes its first request to stdin (a remote daemon: the socket is not on the host's
machine). Whichever comes first is the channel; the listener is closed and its file removed before any program
runs, so nothing else can ever connect.
`--preload a,b,c` names the modules the zygote imports before it serves (default: zygote.PRELOAD; "" for
none); the ready line reports {"loaded", "failed"}.
Every program (and, with "tests", its judge: judge.py, the process that holds and runs the tests) is forked
by the zygote (zygote.py), which the runner forks before it reads its first request: no child ever holds
another request's data.

`--container` (the image's mode; the runner starts as root there): programs run as uid 65534 (or `--uid N`)
and judges as 65533 (or N + 1), without capabilities; pid 1, the runner and the zygote stay root and
non-dumpable, so a program can neither signal, ptrace nor read them, nor write to their descriptors (the
runner's stdout is the host's channel). After each run every process of those uids is killed and /tmp,
/dev/shm and /dev/mqueue are wiped; anything there owned by another uid was put there from outside the
sandbox (SANDBOX_SCRATCH_TAMPERED). Without it (on a host) only the process groups and the working directory
are cleaned.
"""
import gc, json, os, secrets, select, shutil, signal, socket, stat, struct, sys, tempfile, time
import languages, zygote  # languages: every language but python (compile, artifact, run argv, memory policy)

CONTAINER = "--container" in sys.argv
NODE = shutil.which("node")
LANGUAGES = ["python"] + languages.available()
if "--uid" in sys.argv:  # the pool gives each container its own: per-uid limits (RLIMIT_NPROC...) stay per container
    zygote.PROGRAM_UID = int(sys.argv[sys.argv.index("--uid") + 1])
    zygote.JUDGE_UID = zygote.PROGRAM_UID + 1
OWNERS = (zygote.PROGRAM_UID, zygote.JUDGE_UID)
PRELOAD = zygote.PRELOAD
if "--preload" in sys.argv:
    PRELOAD = tuple(name for name in sys.argv[sys.argv.index("--preload") + 1].split(",") if name)
SOCKET = sys.argv[sys.argv.index("--socket") + 1] if "--socket" in sys.argv else None
SCRATCH = ("/tmp", "/dev/shm", "/dev/mqueue")
INFO_MAX, VERDICT_MAX, DIAG_MAX = 4096, 1 << 16, 4000


class Infra(Exception):
    """A fault of the sandbox itself (never of the program): the reply becomes sandbox_error with `code`."""

    def __init__(self, code, message):
        Exception.__init__(self, message)
        self.code = code


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


def _make_marker(req):
    haystack = [req["code"], req.get("stdin") or "", req.get("tests") or ""]
    haystack += [k + v for k, v in (req.get("files") or {}).items()]
    while True:
        value = secrets.token_hex(16)
        if not any(value in text for text in haystack):
            return value


def _check_files(req):
    for name, content in (req.get("files") or {}).items():
        if not isinstance(name, str) or os.path.isabs(name) or ".." in name.split("/") or "\0" in name \
                or not name.strip("/") or not isinstance(content, str):
            raise ValueError("bad file path %r" % (name,))


def _kill_group(pid):
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def _write_some(fd, data):
    """Writes what fits without blocking; returns how many bytes."""
    os.set_blocking(fd, False)
    try:
        return os.write(fd, data)
    except BlockingIOError:
        return 0
    finally:
        os.set_blocking(fd, True)


def _send_all(fd, data):
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        pass  # the child died before it read everything: its missing ready flag tells


def _signal_name(sig):
    if sig is None:
        return None
    try:
        return signal.Signals(sig).name
    except ValueError:  # real-time signals have no name
        return "SIG%d" % sig


class _Pipes:
    """The pipes of one run: the runner's ends stay open until close(), the children's are closed after the fork."""

    def __init__(self):
        self.mine, self.theirs = [], []

    def to_child(self):  # (runner writes, child reads)
        r, w = os.pipe()
        self.mine.append(w)
        self.theirs.append(r)
        return w, r

    def from_child(self):  # (runner reads, child writes)
        r, w = os.pipe()
        self.mine.append(r)
        self.theirs.append(w)
        return r, w

    def between(self):  # both ends belong to children
        r, w = os.pipe()
        self.theirs.extend((r, w))
        return r, w

    def forked(self):
        for fd in self.theirs:
            os.close(fd)
        self.theirs = []

    def close(self, fd):
        if fd in self.mine:
            self.mine.remove(fd)
            os.close(fd)

    def close_all(self):
        for fd in self.mine + self.theirs:
            try:
                os.close(fd)
            except OSError:
                pass


def run(req, zyg, workdir):
    tests = req.get("tests")
    if tests is not None and (not isinstance(tests, str) or req["language"] != "python"):
        raise ValueError("tests must be a string, for python programs")
    pipes = _Pipes()
    try:
        return _run(req, zyg, workdir, tests, pipes)
    finally:
        pipes.close_all()


def _drain(fd, buf, cap):
    """Reads what is in the pipe now (never waits: an escaped grandchild may hold the write end); True when cut."""
    os.set_blocking(fd, False)
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            room = cap - len(buf)
            buf += chunk[:max(room, 0)]
            if len(chunk) > room:
                return True
    except BlockingIOError:
        return False


def _run(req, zyg, workdir, tests, pipes):
    t0 = time.monotonic()
    limit = int(req["outputLimitBytes"])
    null = os.open(os.devnull, os.O_RDWR)
    pipes.theirs.append(null)
    stdin_w, stdin_r = pipes.to_child()
    out_r, out_w = pipes.from_child()
    err_r, err_w = pipes.from_child()
    info_r, info_w = pipes.from_child()
    job_w, job_r = pipes.to_child()
    mreq_r, mreq_w = pipes.from_child() if req.get("marker") else (None, null)
    mresp_w, mresp_r = pipes.to_child() if req.get("marker") else (None, null)
    if tests is not None:
        calls_r, calls_w = pipes.between()
        rep_r, rep_w = pipes.between()
        tjob_w, tjob_r = pipes.to_child()
        verdict_r, verdict_w = pipes.from_child()
        diag_r, diag_w = pipes.from_child()
    else:
        calls_r = rep_w = null
        verdict_r = diag_r = tjob_w = None
    memory = int(req["memoryMb"]) << 20 if req.get("rlimitAs", True) else -1  # -1: RLIM_INFINITY
    cpu = int(req["timeoutMs"] / 1000) + 1
    oom_before = _oom_kills() if CONTAINER else 0
    job = {"language": req["language"], "code": req["code"], "files": req.get("files") or {}, "workdir": workdir,
           "memoryMb": req["memoryMb"], "tests": tests is not None, "exec": req.get("exec")}
    job = json.dumps(job).encode("utf-8", "surrogatepass")
    # what fits in the pipes goes in before the fork, so the children find their jobs there when they start
    rest = {job_w: memoryview(b"%d\n" % len(job) + job)}
    if tests is not None:
        rest[tjob_w] = memoryview(tests.encode("utf-8", "surrogatepass"))
    for fd in list(rest):
        rest[fd] = rest[fd][_write_some(fd, rest[fd]):]
        if not rest[fd]:
            pipes.close(fd)  # the judge reads its tests to the end
    zyg.spawn(b"P", [stdin_r, out_w, err_w, mreq_w, mresp_r, info_w, calls_r, rep_w, job_r], memory, cpu)
    if tests is not None:
        zyg.spawn(b"J", [tjob_r, verdict_w, diag_w, calls_w, rep_r], memory, cpu)
    pipes.forked()
    marker = _make_marker(req) if mreq_r is not None else None  # made after the fork: no child ever holds it
    for fd, data in rest.items():
        if data:
            _send_all(fd, data)
            pipes.close(fd)
    pid = zyg.pid(0)
    jpid = zyg.pid(1) if tests is not None else None
    pending = (req.get("stdin") or "").encode("utf-8", "surrogateescape")
    os.set_blocking(stdin_w, False)
    if not pending:
        pipes.close(stdin_w)
        stdin_w = None
    bufs = {out_r: bytearray(), err_r: bytearray()}
    caps = {info_r: INFO_MAX}
    if tests is not None:
        caps.update({verdict_r: VERDICT_MAX, diag_r: DIAG_MAX})
    small = {fd: bytearray() for fd in caps}
    readers = [fd for fd in (out_r, err_r, info_r, mreq_r, verdict_r, diag_r) if fd is not None]
    deadline = t0 + req["timeoutMs"] / 1000.0
    timed_out = truncated = requested = False
    mreq_buf = b""
    verdict = None
    while not _over(zyg.exited, pid, jpid, verdict):
        if jpid is not None and jpid in zyg.exited and verdict is None:
            _drain(verdict_r, small[verdict_r], caps[verdict_r])  # complete: the judge has exited
            verdict = _verdict(bytes(small[verdict_r])) or {"verdict": None, "detail": ""}
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, writable, _ = select.select(readers + [zyg], [stdin_w] if stdin_w is not None else [], [], left)
        if writable:
            try:
                n = os.write(stdin_w, pending[:65536])
                pending = pending[n:]
            except (BrokenPipeError, BlockingIOError):
                pending = b"" if not pending else pending
            if not pending:
                pipes.close(stdin_w)
                stdin_w = None
        for fd in ready:
            if fd is zyg:
                zyg.receive()
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                readers.remove(fd)
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
            elif fd in small:
                small[fd] += chunk[:max(caps[fd] - len(small[fd]), 0)]
            else:
                room = limit - len(bufs[fd])
                bufs[fd] += chunk[:max(room, 0)]
                if len(chunk) > room:
                    truncated = True
        if truncated:
            break
    served = tests is not None and jpid in zyg.exited and pid not in zyg.exited and not (truncated or timed_out)
    own = zyg.exited.get(pid)  # the program's status if it ended on its own
    _kill_group(pid)
    _kill_group(jpid)
    if not zyg.wait([p for p in (pid, jpid) if p], 10.0):
        raise Infra("SANDBOX_RUNNER_FAILED", "the zygote did not report the end of the run's processes")
    for fd in (out_r, err_r):  # what they wrote before they ended
        truncated = _drain(fd, bufs[fd], limit) or truncated
    for fd in small:
        _drain(fd, small[fd], caps[fd])
    info = bytes(small[info_r])
    if not info.startswith(zygote.READY_FLAG) and not served:  # (a judge may decide before the program is set up)
        failed = info.startswith(zygote.FAIL_FLAG)
        why = info[1:].decode("utf-8", "replace") if failed else "it ended before it was ready"
        raise Infra("SANDBOX_RUNNER_FAILED", "the program's process could not be set up: " + why)
    duration = (time.monotonic() - t0) * 1000
    status = zyg.exited[pid] if own is None else own
    oom = CONTAINER and _oom_kills() > oom_before
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if served:
        code, sig = 0, None  # it answered the tests to their end, then was stopped
    if tests is not None:
        verdict = None if timed_out or truncated else _verdict(bytes(small[verdict_r]))
        jstatus = zyg.exited[jpid]
        if verdict is None and not (timed_out or truncated):
            if os.WIFSIGNALED(jstatus) and os.WTERMSIG(jstatus) == signal.SIGXCPU:
                timed_out = True
            elif not oom:
                raise Infra("SANDBOX_RUNNER_FAILED", "the tests process ended without a verdict (wait status %d): %s"
                            % (jstatus, bytes(small[diag_r]).decode("utf-8", "replace")))
    if timed_out or sig == signal.SIGXCPU:
        result = "timeout"
    elif truncated:
        result = "output_limit"
    elif zygote.MEM_FLAG in info[1:] or oom:
        result = "memory_limit"
    elif sig is not None:
        result = "killed"
    elif code != 0:
        result = "runtime_error"
    else:
        result = "ok"
    resp = {"status": result, "exitCode": code, "signal": _signal_name(sig),
            "stdout": bufs[out_r].decode("utf-8", "replace"), "stderr": bufs[err_r].decode("utf-8", "replace"),
            "truncated": truncated, "durationMs": round(duration, 3), "maxRssKb": zyg.rss.get(pid, 0)}
    if marker is not None:
        resp["marker"] = {"value": marker, "requested": requested}
    if tests is not None:
        resp["tests"] = verdict or {"verdict": None, "detail": ""}
    return resp


RELEASING = ("tests_passed", "tests_failed", "tests_error")  # verdicts after which the program is no longer needed


def _over(exited, pid, jpid, verdict):
    """Whether the run is over: the program ended (output mode); with tests, the judge ended and either the
    program too (it ends by itself after syntax_error or program_error) or the verdict no longer needs it."""
    if jpid is None:
        return pid in exited
    return verdict is not None and (pid in exited or verdict["verdict"] in RELEASING)


def _verdict(raw):
    """The judge's one JSON line, or None."""
    try:
        v = json.loads(raw.decode("utf-8", "replace").strip().splitlines()[0])
    except (ValueError, IndexError):
        return None
    if isinstance(v, dict) and isinstance(v.get("verdict"), str):
        return {"verdict": v["verdict"], "detail": str(v.get("detail") or "")}
    return None


def _proc_leftovers():
    """Processes of the program and judge uids, except zombies: (pid, pgid) pairs."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:  # the real uid from status: /proc/<pid> of a non-dumpable process is root's
            with open("/proc/%s/status" % name) as f:
                uid = next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
            if uid not in OWNERS:
                continue
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, StopIteration, ValueError):
            continue
        if fields[0] not in ("Z", "X"):
            found.append((int(name), int(fields[2])))
    return found


def _wipe(root):
    """Removes everything under `root` without following links; True when an entry had an owner not in OWNERS."""
    foreign = False
    try:
        entries = list(os.scandir(root))
    except OSError:
        return False
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        foreign = foreign or st.st_uid not in OWNERS
        try:
            if stat.S_ISDIR(st.st_mode):
                foreign = _wipe(entry.path) or foreign
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
        except (OSError, RecursionError):
            pass  # counted below as what stayed
    return foreign


def tampered():
    """Whether the scratch space holds anything before a run (it is empty after every wipe)."""
    for root in SCRATCH:
        try:
            if os.listdir(root):
                return True
        except OSError:
            pass
    return False


def cleanup(workdir, groups):
    """Kill leftovers and wipe scratch space; returns (leftovers: processes, files, IPC objects; foreign files seen)."""
    if not CONTAINER:
        shutil.rmtree(workdir, ignore_errors=True)
        return 0, False
    count = 0
    for round_ in range(50):
        pids = _proc_leftovers()
        if not pids:
            break
        if round_ == 0:  # the run's own groups were killed already: only escapees count
            count = sum(1 for _, pgid in pids if pgid not in groups)
        for pid, _ in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.002)
    else:
        count += 1000  # still there: the pool must recycle the container
    foreign = False
    for root in SCRATCH:
        try:
            foreign = _wipe(root) or foreign
        except RecursionError:
            count += 1000
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
    return count, foreign


def _listen(path):
    """A listening unix socket at `path`, or None where it cannot be made (e.g. the directory is not ours)."""
    try:
        if os.path.lexists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        # the host's user may not be root; the fence is the directory (0700, programs cannot traverse it) and the
        # single accept below
        os.chmod(path, 0o666)
        sock.listen(1)
        return sock
    except OSError as e:
        sys.stderr.write("molrl runner: no socket at %s (%s); the host uses stdin/stdout\n" % (path, e))
        return None


def _channel(listener, path, inp, out):
    """The host's channel: its connection to `listener` or, when its first request comes on stdin first, stdio.
    Returns (lines in, write(bytes))."""
    def stdio():
        return inp, lambda data: (out.write(data), out.flush())
    if listener is None:
        return stdio()
    try:
        while True:
            ready = select.select([listener, sys.stdin.fileno()], [], [])[0]
            if sys.stdin.fileno() in ready:
                return stdio()
            conn, _ = listener.accept()
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            if struct.unpack("3i", creds)[1] in OWNERS:  # never a program's or a judge's uid
                conn.close()
                continue
            conn.setblocking(True)
            return conn.makefile("rb"), conn.sendall
    finally:
        listener.close()
        try:
            os.unlink(path)
        except OSError:
            pass


def main():
    os.environ.clear()  # set once here, inherited by every child: cheaper than per fork
    os.environ.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
                       "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    if CONTAINER and os.geteuid() != 0:
        sys.stderr.write("molrl runner: --container needs root (the container's user 0) to run programs as another"
                         " uid\n")
        sys.exit(1)
    hardened = zygote.no_dump()
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # tmpfs: mkdir/rmdir per run cost ~1 ms on a disk
    scratch = "/tmp" if CONTAINER else tempfile.mkdtemp(prefix="molrl-runner-", dir=shm)
    zygote.NODE = NODE
    gc.collect()
    zyg = zygote.Zygote(CONTAINER, PRELOAD)  # before any request: nothing of one can reach a child
    uid = zygote.PROGRAM_UID if CONTAINER else os.getuid()
    listener = _listen(SOCKET) if SOCKET else None  # after the zygote's fork: no child ever holds it
    out.write(json.dumps({"ready": True, "pid": os.getpid(), "languages": LANGUAGES, "container": CONTAINER,
                          "hardened": hardened, "isolated": CONTAINER, "uid": uid, "features": ["tests", "preload"],
                          "preload": zyg.preload, "socket": listener is not None}).encode()
              + b"\n")
    out.flush()
    inp, write = _channel(listener, SOCKET, inp, out)
    n = 0
    for line in inp:
        if not line.strip():
            continue
        n += 1
        rid, groups = None, ()
        workdir = os.path.join(scratch, "run-%d" % n)
        zyg.new_run()
        try:
            req = json.loads(line)
            rid = req.get("id")
            if req.get("language") not in LANGUAGES:
                raise ValueError("language %r not available here (have %s)" % (req.get("language"), LANGUAGES))
            _check_files(req)
            if CONTAINER and tampered():
                raise Infra("SANDBOX_SCRATCH_TAMPERED", "the scratch space was not empty before the run")
            resp = run(req, zyg, workdir) if req["language"] == "python" else \
                languages.handle(req, workdir, lambda sub, where: (zyg.new_run(), run(sub, zyg, where))[1])
        except Infra as e:
            resp = {"status": "sandbox_error", "error": {"code": e.code, "message": str(e)[:4000]}}
        except Exception as e:
            resp = {"status": "sandbox_error", "error": {"code": "SANDBOX_RUNNER_FAILED", "message": repr(e)[:2000]}}
        try:
            resp["leftovers"], foreign = cleanup(workdir, set(zyg.exited))
            if foreign and resp["status"] != "sandbox_error":
                resp = {"status": "sandbox_error", "leftovers": resp["leftovers"] + 1,
                        "error": {"code": "SANDBOX_SCRATCH_TAMPERED",
                                  "message": "files of another user appeared in the scratch space during the run"}}
        except Exception as e:
            resp["leftovers"] = 1000
            resp.setdefault("error", {"code": "SANDBOX_RUNNER_FAILED", "message": "cleanup: " + repr(e)[:2000]})
        resp["id"] = rid
        write(json.dumps(resp).encode() + b"\n")
        line = req = resp = None
    if not CONTAINER:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
