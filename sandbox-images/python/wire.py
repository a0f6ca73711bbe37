"""molrl tests channel: frames and values between a program process and its judge (stdlib only).

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. Values travel as JSON with tags
for what JSON lacks; `decode` builds only exact built-in types (and Fraction / Decimal from their parts),
so no object of the sender, and no code of it, ever exists on the receiving side. Anything else the sender
holds travels as a reference {"t": "ref", "id": n} to an object that stays in the sender's process.
"""
import base64, json, math, os, struct
from decimal import Decimal
from fractions import Fraction

MAX_FRAME = 16 << 20  # bytes of one frame; a longer one ends the channel
MAX_DEPTH = 200  # nesting of one value
MAX_NODES = 1 << 20  # values in one encoded value; beyond it the value travels as a reference
_BIG = 1 << 63


class WireError(Exception):
    """A frame or value that breaks the protocol (too long, malformed, too deep)."""


class TooBig(Exception):
    """Internal: a value with more than MAX_NODES parts."""


def write_frame(fd, obj):
    data = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8", "surrogatepass")
    if len(data) > MAX_FRAME:
        raise WireError("frame of %d bytes is over the limit of %d bytes" % (len(data), MAX_FRAME))
    view = memoryview(struct.pack(">I", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd, n):
    parts, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_frame(fd):
    """The next frame as parsed JSON (plain built-ins only), or None at the end of the channel."""
    head = _read_exact(fd, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">I", head)
    if size > MAX_FRAME:
        raise WireError("frame of %d bytes is over the limit of %d bytes" % (size, MAX_FRAME))
    body = _read_exact(fd, size)
    if body is None:
        return None
    try:
        return json.loads(body.decode("utf-8", "surrogatepass"))
    except (ValueError, RecursionError) as e:
        raise WireError("malformed frame: %s" % (str(e)[:200],))


def _float(x):
    if math.isfinite(x):
        return x
    return {"t": "float", "v": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def encode(value, ref, budget=None):
    """`value` as tagged JSON; `ref(obj)` makes the reference for anything that is not a plain value.

    Exact types only (a subclass of int with its own __eq__ is a reference, not an int). numpy scalars and
    arrays become Python numbers and lists. Raises TooBig past MAX_NODES parts, WireError past MAX_DEPTH.
    """
    budget = budget if budget is not None else [MAX_NODES]
    return _enc(value, ref, budget, 0)


def _enc(x, ref, budget, depth):
    budget[0] -= 1
    if budget[0] < 0:
        raise TooBig()
    if depth > MAX_DEPTH:
        raise WireError("value nested deeper than %d" % MAX_DEPTH)
    t = type(x)
    if x is None or t is bool or t is str:
        return x
    if t is int:
        return x if -_BIG < x < _BIG else {"t": "int", "v": hex(x)}
    if t is float:
        return _float(x)
    d = depth + 1
    if t is list:
        return [_enc(y, ref, budget, d) for y in x]
    if t is tuple or t is set or t is frozenset:
        return {"t": t.__name__, "v": [_enc(y, ref, budget, d) for y in x]}
    if t is dict:
        return {"t": "dict", "v": [[_enc(k, ref, budget, d), _enc(v, ref, budget, d)] for k, v in x.items()]}
    if t is bytes or t is bytearray:
        return {"t": t.__name__, "v": base64.b64encode(x).decode("ascii")}
    if t is complex:
        return {"t": "complex", "v": [_float(x.real), _float(x.imag)]}
    if t is Fraction:
        return {"t": "fraction", "v": [hex(x.numerator), hex(x.denominator)]}
    if t is Decimal:
        return {"t": "decimal", "v": str(x)}
    if getattr(t, "__module__", None) == "numpy":
        try:
            plain = x.tolist() if t.__name__ == "ndarray" else x.item()
        except Exception:
            return ref(x)
        if type(plain) is not t:
            return _enc(plain, ref, budget, depth)
    return ref(x)


def _num(v):
    t = type(v)
    if t is int or t is float:
        return v
    if t is dict and v.get("t") == "float" and v.get("v") in ("nan", "inf", "-inf"):
        return float(v["v"])
    raise WireError("bad number")


def _hex(v):
    if type(v) is not str or len(v) > 1 << 20:
        raise WireError("bad integer")
    return int(v, 16)


def decode(x, deref, depth=0):
    """Builds exact built-ins from `x` (parsed JSON); `deref(id, tagged)` turns a reference into an object."""
    if depth > MAX_DEPTH:
        raise WireError("value nested deeper than %d" % MAX_DEPTH)
    t = type(x)
    if x is None or t is bool or t is int or t is float or t is str:
        return x
    d = depth + 1
    if t is list:
        return [decode(y, deref, d) for y in x]
    if t is not dict:
        raise WireError("unexpected %s" % t.__name__)
    tag, v = x.get("t"), x.get("v")
    try:
        if tag == "tuple":
            return tuple(decode(y, deref, d) for y in v)
        if tag == "set":
            return set(decode(y, deref, d) for y in v)
        if tag == "frozenset":
            return frozenset(decode(y, deref, d) for y in v)
        if tag == "dict":
            out = {}
            for pair in v:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("bad dict entry")
                out[decode(pair[0], deref, d)] = decode(pair[1], deref, d)
            return out
        if tag == "int":
            return _hex(v)
        if tag == "float":
            return _num(x)
        if tag == "bytes" or tag == "bytearray":
            raw = base64.b64decode(v.encode("ascii"), validate=True)
            return raw if tag == "bytes" else bytearray(raw)
        if tag == "complex":
            return complex(_num(v[0]), _num(v[1]))
        if tag == "fraction":
            return Fraction(_hex(v[0]), _hex(v[1]))
        if tag == "decimal":
            if type(v) is not str or len(v) > 10000:
                raise WireError("bad decimal")
            return Decimal(v)
        if tag == "ref":
            n = x.get("id")
            if type(n) is not int:
                raise WireError("bad reference")
            return deref(n, x)
    except WireError:
        raise
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, ZeroDivisionError, ArithmeticError) as e:
        raise WireError("bad %s value: %s" % (tag, type(e).__name__))
    raise WireError("unknown tag %r" % (str(tag)[:40],))
