"""molrl tests mode, program side: after the program ran as __main__, answer the judge's calls (stdlib only).

This code runs inside the program's own process, so the program may change it at will: all it can ever
change is which plain values (or references) the judge receives, which is what the program's functions
return anyway. The tests and the verdict live in the judge, another process it cannot reach.

Channel: frames of wire.py, requests on fd CALLS, replies on fd REPLIES.
  first frame out: {"ready": true, "globals": [[name, value], ...]} or {"syntax_error": true}
  request: {"op": "call"|"getattr"|"getitem"|"setitem"|"len"|"bool"|"iter"|"next"|"contains"|"str"|"repr"|"release",
            "ref": id, ...}
  reply  : {"ok": true, "value": v, "after": [[i, v], ...]} or {"ok": false, "error": {"type", "builtin", "message"}}
"""
import builtins, os, sys
import wire

CALLS, REPLIES = 6, 7
MEM_FLAG = b"M"
INFO = 5
_MUTABLE = (list, dict, set, bytearray)
_DUNDER_OK = ("__name__", "__qualname__", "__doc__", "__module__")


class _Table:
    """The program's objects the judge holds references to."""

    def __init__(self):
        self.objects, self.ids = {}, {}

    def ref(self, obj):
        key = id(obj)
        n = self.ids.get(key)
        if n is None or self.objects.get(n) is not obj:
            n = len(self.objects) + 1
            self.objects[n], self.ids[key] = obj, n
        kind = "class" if isinstance(obj, type) else ("call" if callable(obj) else "object")
        return {"t": "ref", "id": n, "kind": kind, "name": str(getattr(obj, "__name__", type(obj).__name__))[:100]}

    def deref(self, n, _tagged):
        try:
            return self.objects[n]
        except KeyError:
            raise wire.WireError("unknown reference %d" % n)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


def _error(e):
    t = type(e)
    return {"type": t.__name__[:100], "builtin": getattr(builtins, t.__name__, None) is t, "message": _text(e)[:4000]}


def _text(e):
    try:
        return str(e)
    except BaseException:
        return "(unprintable)"


def _value(table, value):
    try:
        return wire.encode(value, table.ref)
    except (wire.TooBig, wire.WireError):
        return table.ref(value)


def _answer(table, req):
    op, obj = req.get("op"), table.deref(req.get("ref"), None)
    dec = lambda x: wire.decode(x, table.deref)
    if op == "call":
        args = dec(req.get("args") or [])
        kwargs = dec(req.get("kwargs") or {"t": "dict", "v": []})
        value = obj(*args, **kwargs)
        after = [[i, _value(table, a)] for i, a in enumerate(args) if type(a) in _MUTABLE]
        after += [[k, _value(table, a)] for k, a in kwargs.items() if type(a) in _MUTABLE]
        return {"ok": True, "value": _value(table, value), "after": after}
    if op == "getattr":
        name = req.get("name")
        if type(name) is not str or (name.startswith("__") and name not in _DUNDER_OK):
            raise AttributeError(name)
        return {"ok": True, "value": _value(table, getattr(obj, name))}
    if op == "getitem":
        return {"ok": True, "value": _value(table, obj[dec(req.get("key"))])}
    if op == "setitem":
        obj[dec(req.get("key"))] = dec(req.get("value"))
        return {"ok": True, "value": None}
    if op == "len":
        return {"ok": True, "value": int(len(obj))}
    if op == "bool":
        return {"ok": True, "value": bool(obj)}
    if op == "contains":
        return {"ok": True, "value": bool(dec(req.get("item")) in obj)}
    if op == "iter":
        return {"ok": True, "value": table.ref(iter(obj))}
    if op == "next":
        return {"ok": True, "value": _value(table, next(obj))}
    if op in ("str", "repr"):
        return {"ok": True, "value": (str if op == "str" else repr)(obj)[:100000]}
    raise wire.WireError("unknown operation %r" % (str(op)[:40],))


def serve(namespace, calls=CALLS, replies=REPLIES):
    """Announce the program's globals, then answer requests until the judge closes the channel; never returns."""
    table = _Table()
    names = [[k, _value(table, v)] for k, v in list(namespace.items()) if type(k) is str and not k.startswith("__")]
    _flush()
    _send(replies, {"ready": True, "globals": names})
    while True:
        try:
            req = wire.read_frame(calls)
        except (OSError, wire.WireError):
            req = None
        if type(req) is not dict:
            break
        try:
            reply = _answer(table, req)
        except BaseException as e:
            if isinstance(e, MemoryError):
                try:
                    os.write(INFO, MEM_FLAG)
                except OSError:
                    pass
            reply = {"ok": False, "error": _error(e)}
        _flush()
        try:
            _send(replies, reply)
        except wire.WireError as e:
            _send(replies, {"ok": False, "error": _error(e)})
    _flush()
    os._exit(0)


def _send(fd, frame):
    try:
        wire.write_frame(fd, frame)
    except OSError:  # the judge is gone: it decided (even before the program was ready); nothing more to do
        _flush()
        os._exit(0)


def syntax_error(replies=REPLIES):
    """Tell the judge the program does not compile (so no verdict can call it correct)."""
    try:
        wire.write_frame(replies, {"syntax_error": True})
    except OSError:
        pass


def main(argv):
    """The process backend's entry: `serve.py PROGRAM` runs PROGRAM as __main__, then serves fds 6 and 7."""
    import types, traceback
    path = argv[1]
    sys.argv = [path]
    sys.path[0] = os.getcwd()
    main_module = types.ModuleType("__main__")
    main_module.__file__ = path
    main_module.__builtins__ = builtins
    sys.modules["__main__"] = main_module
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        source = f.read()
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except BaseException as e:
        syntax_error()
        traceback.print_exception(type(e), e, None)
        os._exit(1)
    try:
        exec(code, main_module.__dict__)
    except SystemExit as e:
        _flush()
        os._exit(e.code if isinstance(e.code, int) else (0 if e.code is None else 1))
    except BaseException as e:
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        _flush()
        os._exit(1)
    serve(main_module.__dict__)


if __name__ == "__main__":
    main(sys.argv)
