"""molrl tests mode, judge side: runs a sample's tests against a program that lives in another process.

The judge holds the tests; the program never does (not in its memory, files or arguments). The tests see
the program's globals as plain values (built here by wire.decode: exact built-ins, never an object of the
program, so no __eq__ of the program ever runs here) or as references (Remote): calling one sends the
call to the program and brings back its result as plain data. A Remote equals only itself. Names of
builtins are never taken from the program, so `def isinstance(*a): return True` does not reach the tests.

fds: 0 the tests (read to the end), 1 the verdict (one JSON line), 2 diagnostics, 3 requests to the program,
4 its replies. Verdicts: tests_passed, tests_failed, tests_error (the tests do not compile or check
nothing), program_error (the program ended before the tests could call it), syntax_error.
"""
import builtins, ctypes, io, json, opcode, os, sys, traceback
import wire

TESTS, VERDICT, CALLS, REPLIES = 0, 1, 3, 4
DETAIL_CHARS = 8000


class ProgramEnded(BaseException):
    """The program stopped answering (it exited, or broke the protocol) while the tests needed it."""


class RemoteError(Exception):
    """An exception of the program whose type is not a built-in exception (its name and message only)."""


class _Link:
    def __init__(self, calls, replies):
        self.calls, self.replies, self.proxies, self.calls_made = calls, replies, {}, 0

    def deref(self, n, tagged):
        p = self.proxies.get(n)
        if p is None:
            p = self.proxies[n] = Remote(n, str(tagged.get("kind")), str(tagged.get("name"))[:100])
        return p

    def receive(self):
        try:
            frame = wire.read_frame(self.replies)
        except (OSError, wire.WireError) as e:
            raise ProgramEnded("the program broke the tests channel (%s)" % e)
        if frame is None:
            raise ProgramEnded("the program ended while the tests were running")
        return frame

    def request(self, req, args=None, kwargs=None):
        self.calls_made += 1
        try:
            wire.write_frame(self.calls, req)
        except OSError:
            raise ProgramEnded("the program ended while the tests were running")
        reply = self.receive()
        if type(reply) is not dict:
            raise ProgramEnded("the program sent a malformed reply")
        try:
            if reply.get("ok") is True:
                value = wire.decode(reply.get("value"), self.deref)
                for key, after in reply.get("after") or []:
                    _write_back(args, kwargs, key, wire.decode(after, self.deref))
                return value
        except wire.WireError as e:
            raise ProgramEnded("the program sent a malformed value (%s)" % e)
        raise _exception(reply.get("error"))


def _write_back(args, kwargs, key, value):
    """The program mutated an argument the tests passed (a list it sorted in place): mirror it here."""
    target = args[key] if type(key) is int and args is not None and 0 <= key < len(args) else (kwargs or {}).get(key)
    if type(target) is not type(value):
        return
    if type(target) in (list, bytearray):
        target[:] = value
    elif type(target) in (dict, set):
        target.clear()
        target.update(value)


def _exception(err):
    if type(err) is not dict:
        return ProgramEnded("the program sent a malformed error")
    name, message = str(err.get("type"))[:100], str(err.get("message"))[:4000]
    cls = getattr(builtins, name, None)
    if err.get("builtin") is True and isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            pass
    return RemoteError("%s: %s" % (name, message))


LINK = None


def _plain(x):
    return wire.encode(x, _ref_of)


def _ref_of(x):
    if type(x) is Remote:
        return {"t": "ref", "id": object.__getattribute__(x, "_id")}
    raise TypeError("the tests can pass only plain values and the program's own objects to the program, not %s"
                    % type(x).__name__)


class Remote:
    """An object of the program, reached only through requests; equal only to itself."""

    __slots__ = ("_id", "_kind", "_name", "__weakref__")

    def __init__(self, n, kind, name):
        object.__setattr__(self, "_id", n)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_name", name)

    def _op(self, op, **extra):
        return LINK.request(dict(op=op, ref=self._id, **extra))

    def __call__(self, *args, **kwargs):
        req = {"op": "call", "ref": self._id, "args": _plain(list(args)), "kwargs": _plain(dict(kwargs))}
        return LINK.request(req, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name not in ("__name__", "__qualname__", "__doc__", "__module__"):
            raise AttributeError(name)
        return self._op("getattr", name=name)

    def __setattr__(self, name, value):
        raise AttributeError("attributes of the program's objects are read-only for the tests")

    def __getitem__(self, key):
        return self._op("getitem", key=_plain(key))

    def __setitem__(self, key, value):
        self._op("setitem", key=_plain(key), value=_plain(value))

    def __len__(self):
        n = self._op("len")
        if type(n) is not int or n < 0:
            raise TypeError("the program's __len__ gave %r" % (n,))
        return n

    def __bool__(self):
        b = self._op("bool")
        if type(b) is not bool:
            raise TypeError("the program's __bool__ gave %r" % (b,))
        return b

    def __contains__(self, item):
        return self._op("contains", item=_plain(item)) is True

    def __iter__(self):
        it = self._op("iter")
        while True:
            try:
                yield LINK.request({"op": "next", "ref": object.__getattribute__(it, "_id")})
            except StopIteration:
                return

    def __str__(self):
        s = self._op("str")
        return s if type(s) is str else "<program object>"

    def __repr__(self):
        s = self._op("repr")
        return s if type(s) is str else "<program %s %s>" % (self._kind, self._name)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__


class _Tail(io.TextIOBase):
    """Where the tests' own prints go: the last DETAIL_CHARS characters are kept for the verdict."""

    def __init__(self):
        self.text = ""

    def writable(self):
        return True

    def write(self, s):
        self.text = (self.text + str(s))[-DETAIL_CHARS:]
        return len(s)

    def getvalue(self):
        return self.text


# An assert or a raise compiles to LOAD_ASSERTION_ERROR or RAISE_VARARGS, and nothing else does: tests whose code
# holds one check something, known from the one compile (HumanEval-style tests always do). Only the others are
# parsed again and walked for an assert, a call or a raise (the AST check, which this keeps exactly).
_RAISES = frozenset(opcode.opmap[name] for name in ("RAISE_VARARGS", "LOAD_ASSERTION_ERROR"))


def _asserts_or_raises(code):
    """Whether the compiled tests (or a function, class or comprehension in them) assert or raise."""
    if _RAISES.intersection(code.co_code[::2]):  # 2-byte code units: (opcode, argument)
        return True
    return any(_asserts_or_raises(c) for c in code.co_consts if type(c) is type(code))


def _checks_something(code, source):
    """Whether the tests assert, call or raise anything (anywhere, nested code included)."""
    if _asserts_or_raises(code):
        return True
    import ast
    tree = compile(source, "<tests>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    return any(isinstance(n, (ast.Assert, ast.Call, ast.Raise)) for n in ast.walk(tree))


def _verdict(verdict, detail=""):
    line = json.dumps({"verdict": verdict, "detail": detail[-DETAIL_CHARS:], "calls": LINK.calls_made if LINK else 0})
    view = memoryview((line + "\n").encode("utf-8", "replace"))
    while view:
        view = view[os.write(VERDICT, view):]
    os._exit(0)


def _format(e):
    lines = traceback.format_exception(type(e), e, e.__traceback__)
    kept = [l for l in lines if 'File "<tests>"' in l or not l.startswith("  File ")]
    return "".join(kept)


def no_dump():
    """Non-dumpable: processes of the same uid can neither ptrace this one nor read its /proc files."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except Exception:
        pass


def main():
    """Reads the tests (fd 0), waits for the program's globals, runs the tests, writes the verdict; exits."""
    global LINK
    chunks = []
    while True:
        chunk = os.read(TESTS, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(TESTS)
    source = b"".join(chunks).decode("utf-8", "surrogateescape")
    LINK = _Link(CALLS, REPLIES)
    try:
        code = compile(source, "<tests>", "exec", dont_inherit=True, optimize=0)  # optimize=0: asserts stay
    except BaseException as e:
        why = "".join(traceback.format_exception_only(type(e), e))
        _verdict("tests_error", "[molrl] the tests do not compile:\n" + why)
    if not _checks_something(code, source):
        _verdict("tests_error", "[molrl] the tests contain no assert, call or raise: nothing is checked\n")
    try:
        hello = LINK.receive()
    except ProgramEnded:
        _verdict("program_error", "[molrl] the program ended before its tests ran\n")
    if type(hello) is dict and hello.get("syntax_error") is True:
        _verdict("syntax_error")
    if type(hello) is not dict or hello.get("ready") is not True or type(hello.get("globals")) is not list:
        _verdict("program_error", "[molrl] the program did not hand its functions to the tests\n")
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        for pair in hello["globals"]:
            if type(pair) is list and len(pair) == 2 and type(pair[0]) is str and not pair[0].startswith("__") \
                    and not hasattr(builtins, pair[0]):
                namespace[pair[0]] = wire.decode(pair[1], LINK.deref)
    except wire.WireError as e:
        _verdict("tests_failed", "[molrl] the program sent malformed globals (%s)\n" % e)
    out = _Tail()
    sys.stdout = sys.stderr = out
    try:
        exec(code, namespace)
    except BaseException as e:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        _verdict("tests_failed", out.getvalue()[-2000:] + _format(e))
    _verdict("tests_passed")


if __name__ == "__main__":
    no_dump()
    main()
