"""Request validation against the protocol's JSON Schemas, shipped in this package (`molrl_policy/schemas/`).

The schema files are generated copies of packages/policy-client/schemas, the one definition of the protocol
that the TypeScript client, its types and the OpenAPI document (`molrl_policy/openapi.json`) also come from.
A request that breaks its schema is a 400 BAD_REQUEST naming the field; the defaults the schemas document are
then filled in. The few rules a schema cannot state (a continued MoL segment's role) are checked by hand.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from .errors import bad_request
from .generate import Sampling

PROTOCOL_VERSION = "1"
PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = PACKAGE_DIR / "schemas"
OPENAPI_FILE = PACKAGE_DIR / "openapi.json"
REQUESTS = ("generate-request", "train-policy-request", "train-mol-request", "checkpoint-request",
            "phase-start-request")
MESSAGE_LIMIT = 300  # characters of a value quoted in an error message
MAX_DEPTH = 64  # nesting of a request body; the deepest protocol message nests 6 levels


def _no_constant(name: str):
    raise bad_request(f"request body: {name} is not a JSON number; send finite numbers (null skips an advantage)")


def parse_body(raw: bytes) -> Any:
    """The JSON request body; 400 BAD_REQUEST for anything that is not plain, finite, valid-Unicode JSON of
    sane depth (never a 500: no RecursionError, UnicodeEncodeError or float overflow reaches the model)."""
    try:
        body = json.loads(raw or b"null", parse_constant=_no_constant)
    except RecursionError:
        raise bad_request(f"request body nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as err:  # JSONDecodeError, invalid UTF-8, a 5000-digit integer
        raise bad_request(f"request body is not valid JSON: {_clip(str(err))}") from None
    _check_tree(body, _SURROGATE_ESCAPE.search(raw) is not None)
    return body


def _check_tree(body: Any, texts: bool) -> None:
    """Depth, numbers beyond a 64-bit float (`1e400` parses as infinity) and, with `texts`, lone UTF-16 surrogates
    (valid JSON escapes, but not text: no tokenizer or file name takes them). Iterative; scalars are never queued,
    so a list of millions of numbers costs one quick pass."""
    if texts and isinstance(body, str):
        _check_text(body, ())
    if type(body) is float:
        _check_number(body, ())
    stack = [(body, 1, ())] if type(body) in _CONTAINERS else []
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise bad_request(f"request body nests deeper than {MAX_DEPTH} levels (at {fmt_path(path)})", fmt_path(path))
        keyed = type(node) is dict
        for k, v in (node.items() if keyed else enumerate(node)):
            if texts and keyed:
                _check_text(k, path)
            t = type(v)
            if t is str:
                if texts:
                    _check_text(v, (*path, k))
            elif t in _CONTAINERS:
                stack.append((v, depth + 1, (*path, k)))
            elif t is float and v - v:  # inf - inf is NaN; finite - finite is 0
                _check_number(v, (*path, k))


_CONTAINERS = (dict, list)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # the only way a lone surrogate gets into parsed JSON


def _check_number(x: float, path: tuple) -> None:
    where = fmt_path(path)
    raise bad_request(f"{where or 'request'}: a number beyond the range of a 64-bit float (about 1.8e308) parses as "
                      f"{x}; send finite numbers", where)


def _check_text(s: str, path: tuple) -> None:
    if s.isascii():
        return
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as err:
        where = fmt_path(path)
        raise bad_request(f"{where or 'request'}: lone UTF-16 surrogate {s[err.start]!r} at character {err.start}: "
                          "not valid Unicode text; send surrogate pairs only", where) from None


def fmt_path(parts) -> str:
    """['sampling', 'topP'] -> 'sampling.topP'; ['prompts', 0, 'id'] -> 'prompts[0].id'."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def load_schemas(directory: Path = SCHEMA_DIR) -> dict[str, dict]:
    """name -> schema for every `<name>.json` in the directory (the package's own copy by default)."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no protocol schemas in {directory}: the molrl-policy installation is incomplete "
                                "(reinstall it; in the repository, run npm run build)")
    return {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in files}


class Protocol:
    """Validators of the request schemas; schemas refer to each other by file name, resolved by their $id."""

    def __init__(self, directory: Path = SCHEMA_DIR) -> None:
        self.schemas = load_schemas(directory)
        missing = [n for n in REQUESTS if n not in self.schemas]
        if missing:
            raise FileNotFoundError(f"protocol schemas {', '.join(missing)} missing in {directory}")
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in self.schemas.values())
        self.validators = {}
        for name in REQUESTS:
            cls = jsonschema.validators.validator_for(self.schemas[name])
            self.validators[name] = cls(self.schemas[name], registry=registry)

    def check(self, name: str, body: Any) -> dict:
        """The request with its documented defaults filled in (a copy); 400 BAD_REQUEST when it breaks the schema."""
        err = _branch_error(jsonschema.exceptions.best_match(self.validators[name].iter_errors(body)))
        if err is not None:
            path = fmt_path(err.absolute_path)
            raise bad_request(f"{path or 'request'}: {_describe(err)}", path)
        out = copy.deepcopy(body)
        _fill_defaults(self.schemas[name], out, self.schemas)
        return out

    def parse_generate(self, body: Any) -> tuple[list[dict], int, Sampling, int | None, bool]:
        b = self.check("generate-request", body)
        s = b["sampling"]
        sp = Sampling(temperature=float(s["temperature"]), top_p=float(s["topP"]), top_k=int(s["topK"]),
                      presence_penalty=float(s["presencePenalty"]), max_tokens=int(s["maxTokens"]),
                      stop=list(s["stop"]))
        seed = b.get("seed")
        return b["prompts"], int(b["n"]), sp, None if seed is None else int(seed), b["kvCache"]

    def parse_train_policy(self, body: Any) -> dict:
        return _integers(self.check("train-policy-request", body), ("microBatchSize", "maxCompletionLength",
                                                                      "updatesPerBatch", "miniBatches"))

    def parse_train_mol(self, body: Any) -> dict:
        b = _integers(self.check("train-mol-request", body), ("microBatchSize",))
        for i, ex in enumerate(b["examples"]):
            segs = ex["segments"]
            for j, s in enumerate(segs):
                if s.get("continues") and (j == 0 or not s.get("role") or segs[j - 1].get("role") != s.get("role")):
                    sp = f"examples[{i}].segments[{j}].continues"
                    raise bad_request(f"{sp}: a continued segment needs a role equal to the previous segment's role "
                                      f"(got {s.get('role')!r} after {segs[j - 1].get('role') if j else None!r})", sp)
        return b

    def parse_checkpoint(self, body: Any) -> str:
        return self.check("checkpoint-request", body)["path"]

    def parse_phase_start(self, body: Any) -> dict:
        return self.check("phase-start-request", body)


def _branch_error(err):
    """For an object that matches no branch of a oneOf: the error inside the branch whose required properties it
    has (prompts[0].id too long, not 'prompts[0] matches none of the shapes')."""
    while err is not None and err.validator == "oneOf" and isinstance(err.instance, dict):
        fits = [i for i, branch in enumerate(err.validator_value)
                if set(branch.get("required", ())) <= set(err.instance)]
        inner = [e for e in err.context if fits and e.relative_schema_path[0] == fits[0]]
        if len(fits) != 1 or not inner:
            return err
        err = jsonschema.exceptions.best_match(inner)
    return err


def _integers(b: dict, keys: tuple[str, ...]) -> dict:
    """JSON has one number type: 8.0 passes an integer schema; hand Python an int."""
    for k in keys:
        if isinstance(b.get(k), float):
            b[k] = int(b[k])
    return b


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "..."


def _describe(err: jsonschema.ValidationError) -> str:
    """The validator's message, with the allowed names for an unknown property and long values cut short."""
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list((err.schema.get("properties") or {}).keys())
        extra = [k for k in err.instance if k not in allowed]
        return _clip(f'unexpected property "{extra[0] if extra else "?"}"; expected one of: {", ".join(allowed)}')
    if err.validator == "oneOf" and isinstance(err.instance, dict):
        return _clip(f"{json.dumps(err.instance)[:80]} matches none of the allowed shapes: "
                     + "; ".join(_shape(s) for s in err.validator_value))
    choice = err if err.validator == "anyOf" else err.parent
    if choice is not None and choice.validator == "anyOf" and not isinstance(err.instance, (dict, list)):
        return _clip(f"{json.dumps(err.instance)} is not allowed: expected "
                     + " or ".join(_alternative(s) for s in choice.validator_value))
    text = repr(err.instance)
    if len(text) > 80:  # quote a long value by its start, keep what was expected
        return _clip(err.message.replace(text, f"{text[:60]}... ({len(text)} characters)", 1))
    return _clip(err.message)


def _alternative(schema: dict) -> str:
    """{const: 0} -> '0'; {type: number, minimum: a, maximum: b} -> 'a number in [a, b]'."""
    if "const" in schema:
        return json.dumps(schema["const"])
    lo, hi = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum", schema.get("exclusiveMaximum"))
    return f"a {schema.get('type', 'value')} in [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"


def _shape(schema: dict) -> str:
    props = schema.get("properties") or {}
    return "{" + ", ".join(f"{k}{'' if k in schema.get('required', ()) else '?'}" for k in props) + "}"


def _resolve(schema: dict, schemas: dict[str, dict], root: dict) -> tuple[dict, dict]:
    """Follow `$ref` (`#/definitions/x` or `<file>.json#/definitions/x`): (target schema, its document)."""
    while "$ref" in schema:
        ref = schema["$ref"]
        file, _, pointer = ref.partition("#")
        doc = schemas[file[:-len(".json")]] if file else root
        node: Any = doc
        for part in pointer.split("/")[1:]:
            node = node[part]
        schema, root = node, doc
    return schema, root


def _fill_defaults(schema: dict, data: Any, schemas: dict[str, dict], root: dict | None = None) -> None:
    """Fill `default`s of object properties in place, recursively (as ajv's useDefaults); oneOf branches are left alone."""
    schema, root = _resolve(schema, schemas, root or schema)
    if isinstance(data, dict):
        for key, sub in (schema.get("properties") or {}).items():
            sub_schema, _ = _resolve(sub, schemas, root)
            if key not in data and "default" in sub_schema:
                data[key] = copy.deepcopy(sub_schema["default"])
            if key in data:
                _fill_defaults(sub, data[key], schemas, root)
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for item in data:
            _fill_defaults(schema["items"], item, schemas, root)
