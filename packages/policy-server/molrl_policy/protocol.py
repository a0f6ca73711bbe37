"""Request validation: the JSON Schemas of packages/policy-client/schemas (loaded once), then our own checks.

The schema files are the contract shared with the TypeScript client. If they cannot be found the
hand-written checks below still reject malformed requests with a code and a field path.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .errors import bad_request
from .generate import Sampling

PROTOCOL_VERSION = "1"
SCHEMA_DIR = Path(os.environ.get("MOLRL_SCHEMA_DIR")
                  or Path(__file__).resolve().parents[2] / "policy-client" / "schemas")
REQUESTS = ("generate-request", "train-policy-request", "train-mol-request", "checkpoint-request")
ROLES = ("system", "user", "assistant", "tool")


def fmt_path(parts) -> str:
    """['sampling', 'topP'] -> 'sampling.topP'; ['prompts', 0, 'id'] -> 'prompts[0].id'."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def load_validators(directory: Path = SCHEMA_DIR) -> dict[str, Any]:
    """name -> jsonschema validator for each request schema found (missing files are reported on stderr)."""
    try:
        import jsonschema
    except ImportError:
        print("molrl-policy: python3-jsonschema missing; using built-in request checks only", file=sys.stderr)
        return {}
    out = {}
    for name in REQUESTS:
        f = directory / f"{name}.json"
        if not f.is_file():
            print(f"molrl-policy: schema {f} not found; using built-in checks for it", file=sys.stderr)
            continue
        schema = json.loads(f.read_text())
        cls = jsonschema.validators.validator_for(schema)
        out[name] = cls(schema)
    if out:
        print(f"molrl-policy: validating requests against {len(out)} schemas in {directory}", file=sys.stderr)
    return out


def schema_check(validators: dict, name: str, body: Any) -> None:
    v = validators.get(name)
    if v is None:
        return
    import jsonschema

    err = jsonschema.exceptions.best_match(v.iter_errors(body))
    if err is not None:
        path = fmt_path(err.absolute_path)
        raise bad_request(f"{path or 'request'}: {err.message}", path)


# -- hand-written checks (also apply the defaults) ----------------------------------------------------
def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _obj(x, path: str, keys: tuple[str, ...] = ()) -> dict:
    """x must be an object; with `keys`, no other property is allowed (additionalProperties: false)."""
    if not isinstance(x, dict):
        raise bad_request(f"{path or 'request'}: expected an object, got {json.dumps(x)[:80]}", path)
    for k in x:
        if keys and k not in keys:
            raise bad_request(f'{path or "request"}: unexpected property "{k}"; expected one of: {", ".join(keys)}', path)
    return x


def _get(o: dict, key: str, path: str, ok, want: str, default=None, required=False):
    p = f"{path}.{key}" if path else key
    if key not in o or (o[key] is None and not required):
        if required:
            raise bad_request(f"{p}: required property missing", p)
        return default
    if not ok(o[key]):
        raise bad_request(f"{p}: expected {want}, got {json.dumps(o[key])[:80]}", p)
    return o[key]


def parse_generate(b: Any) -> tuple[list[dict], int, Sampling, int | None, bool]:
    b = _obj(b, "", ("prompts", "n", "sampling", "seed", "kvCache", "chatTemplateKwargs"))
    _get(b, "chatTemplateKwargs", "", lambda x: isinstance(x, dict), "an object")
    prompts = _get(b, "prompts", "", lambda x: isinstance(x, list) and x, "a non-empty array", required=True)
    for i, p in enumerate(prompts):
        path = f"prompts[{i}]"
        _obj(p, path, ("id", "messages", "chatTemplateKwargs") if "messages" in p else ("id", "text"))
        _get(p, "chatTemplateKwargs", path, lambda x: isinstance(x, dict), "an object")
        _get(p, "id", path, lambda x: isinstance(x, str) and x, "a non-empty string", required=True)
        if "messages" in p:
            msgs = _get(p, "messages", path, lambda x: isinstance(x, list) and x, "a non-empty array")
            for j, m in enumerate(msgs):
                mp = f"{path}.messages[{j}]"
                _obj(m, mp, ("role", "content"))
                _get(m, "role", mp, lambda x: x in ROLES, f"one of {', '.join(ROLES)}", required=True)
                _get(m, "content", mp, lambda x: isinstance(x, str), "a string", required=True)
        elif "text" in p:
            _get(p, "text", path, lambda x: isinstance(x, str), "a string", required=True)
        else:
            raise bad_request(f"{path}: needs either messages (chat) or text (raw prompt)", path)
    n = _get(b, "n", "", lambda x: _is_int(x) and 1 <= x <= 1024, "an integer in 1..1024", 1)
    s = _obj(b.get("sampling") or {}, "sampling",
             ("temperature", "topP", "topK", "presencePenalty", "maxTokens", "stop"))
    sp = Sampling(
        temperature=float(_get(s, "temperature", "sampling", lambda x: _is_num(x) and x >= 0, "a number >= 0", 1.0)),
        top_p=float(_get(s, "topP", "sampling", lambda x: _is_num(x) and 0 < x <= 1, "a number in (0, 1]", 1.0)),
        top_k=_get(s, "topK", "sampling", lambda x: _is_int(x) and x >= 0, "an integer >= 0", 0),
        presence_penalty=float(_get(s, "presencePenalty", "sampling", lambda x: _is_num(x) and -2 <= x <= 2,
                                    "a number in [-2, 2]", 0.0)),
        max_tokens=_get(s, "maxTokens", "sampling", lambda x: _is_int(x) and x >= 1, "an integer >= 1", 256),
        stop=list(_get(s, "stop", "sampling", lambda x: isinstance(x, list) and all(isinstance(t, str) and t for t in x),
                       "an array of non-empty strings", [])),
    )
    seed = _get(b, "seed", "", _is_int, "an integer")
    kv = _get(b, "kvCache", "", lambda x: isinstance(x, bool), "a boolean", True)
    return prompts, n, sp, seed, kv


LOSS_TYPES = ("grpo", "bnpo", "dr_grpo", "dapo")


def parse_train_policy(b: Any) -> dict:
    b = _obj(b, "", ("rolloutId", "advantages", "lossType", "clip", "beta", "maxCompletionLength",
                     "microBatchSize", "microBatchTokens", "learningRate", "maxGradNorm"))
    _get(b, "rolloutId", "", lambda x: isinstance(x, str) and x, "a non-empty string", required=True)
    adv = _get(b, "advantages", "", lambda x: isinstance(x, list) and x, "a non-empty array", required=True)
    for i, a in enumerate(adv):
        if a is not None and not _is_num(a):
            raise bad_request(f"advantages[{i}]: expected a number or null, got {json.dumps(a)[:80]}",
                              f"advantages[{i}]")
        if a is not None and a != a:
            raise bad_request(f"advantages[{i}]: NaN is not an advantage; send null to skip", f"advantages[{i}]")
    _get(b, "lossType", "", lambda x: x in LOSS_TYPES, f"one of {', '.join(LOSS_TYPES)}")
    clip = _obj(b.get("clip") or {}, "clip", ("low", "high"))
    for k in ("low", "high"):
        _get(clip, k, "clip", lambda x: _is_num(x) and x >= 0, "a number >= 0")
    _get(b, "beta", "", lambda x: _is_num(x) and x >= 0, "a number >= 0")
    _check_common(b)
    _get(b, "maxCompletionLength", "", lambda x: _is_int(x) and x >= 1, "an integer >= 1")
    return b


def _check_common(b: dict) -> None:
    _get(b, "microBatchSize", "", lambda x: _is_int(x) and x >= 1, "an integer >= 1")
    _get(b, "microBatchTokens", "", lambda x: _is_int(x) and x >= 1, "an integer >= 1")
    _get(b, "learningRate", "", lambda x: _is_num(x) and x > 0, "a number > 0")
    _get(b, "maxGradNorm", "", lambda x: _is_num(x) and x > 0, "a number > 0")


def parse_train_mol(b: Any) -> dict:
    b = _obj(b, "", ("examples", "mode", "microBatchSize", "microBatchTokens", "learningRate", "maxGradNorm",
                     "evalOnly"))
    exs = _get(b, "examples", "", lambda x: isinstance(x, list) and x, "a non-empty array", required=True)
    for i, ex in enumerate(exs):
        path = f"examples[{i}]"
        _obj(ex, path, ("segments",))
        segs = _get(ex, "segments", path, lambda x: isinstance(x, list) and x, "a non-empty array", required=True)
        for j, s in enumerate(segs):
            sp = f"{path}.segments[{j}]"
            _obj(s, sp, ("text", "loss", "role", "continues"))
            _get(s, "text", sp, lambda x: isinstance(x, str), "a string", required=True)
            _get(s, "loss", sp, lambda x: x in ("ce", "kl", "none"), "one of ce, kl, none", required=True)
            _get(s, "role", sp, lambda x: x in ROLES, f"one of {', '.join(ROLES)}")
            _get(s, "continues", sp, lambda x: isinstance(x, bool), "a boolean")
            if s.get("continues") and (j == 0 or not s.get("role") or segs[j - 1].get("role") != s.get("role")):
                raise bad_request(f"{sp}.continues: a continued segment needs a role equal to the previous "
                                  "segment's role", f"{sp}.continues")
    _get(b, "evalOnly", "", lambda x: isinstance(x, bool), "a boolean")
    _get(b, "mode", "", lambda x: x in ("mol", "ce", "ce_nokl"), "one of mol, ce, ce_nokl")
    _check_common(b)
    return b


def parse_checkpoint(b: Any) -> str:
    b = _obj(b, "", ("path",))
    return _get(b, "path", "", lambda x: isinstance(x, str) and x, "a non-empty string", required=True)
