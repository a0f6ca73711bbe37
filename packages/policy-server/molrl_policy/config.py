"""Typed configuration: the tiny model's dataclass and a strict parser that rejects unknown keys and wrong types."""
from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping, Type, TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration value is unknown or has the wrong type; `path` names the field."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


def _field_docs(cls: type) -> dict[str, str]:
    return {f.name: f.metadata.get("doc", "") for f in dataclasses.fields(cls)}


def parse_dataclass(cls: Type[T], data: Mapping[str, Any] | None, where: str = "") -> T:
    """Build `cls` from a JSON object; unknown keys and wrong types raise ConfigError naming the field."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where or cls.__name__}: expected an object, got {type(data).__name__}", where)
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            raise ConfigError(
                f'{where or cls.__name__}: unexpected property "{key}"; expected one of: {", ".join(names)}',
                f"{where}.{key}" if where else key,
            )
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        want = hints[key]
        path = f"{where}.{key}" if where else key
        ok = (
            (want is int and isinstance(value, int) and not isinstance(value, bool))
            or (want is float and isinstance(value, (int, float)) and not isinstance(value, bool))
            or (want is bool and isinstance(value, bool))
            or (want is str and isinstance(value, str))
        )
        if not ok:
            raise ConfigError(f"{path}: expected {want.__name__}, got {json.dumps(value)}", path)
        kwargs[key] = float(value) if want is float else value
    obj = cls(**kwargs)
    check = getattr(obj, "validate", None)
    if check:
        check()
    return obj


def doc(text: str, default: Any) -> Any:
    """A dataclass field with a default and a docstring kept in its metadata."""
    return field(default=default, metadata={"doc": text})


@dataclass
class TinyConfig:
    """The built-in byte-level GPT (`--model tiny`, overridden by `--model-config '<json>'`)."""

    n_layer: int = doc("Transformer blocks.", 3)
    n_head: int = doc("Attention heads per block; must divide d_model.", 4)
    d_model: int = doc("Residual stream width.", 128)
    context: int = doc("Block size: most tokens (prompt + completion) one sequence may hold.", 64)
    dropout: float = doc("Dropout probability while training (0 keeps training deterministic).", 0.0)
    seed: int = doc("Seed of the random initial weights.", 0)

    def validate(self) -> None:
        for name in ("n_layer", "n_head", "d_model", "context"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name}: must be >= 1 (got {getattr(self, name)})", name)
        if self.d_model % self.n_head:
            raise ConfigError(f"d_model ({self.d_model}) must be divisible by n_head ({self.n_head})", "d_model")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout: must be in [0, 1) (got {self.dropout})", "dropout")


def tiny_config_from_json(text: str | None) -> TinyConfig:
    """Parse `--model-config` for the tiny model (a JSON object, or nothing for the defaults)."""
    if not text:
        return TinyConfig()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"--model-config: not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise ConfigError("--model-config: expected a JSON object")
    return parse_dataclass(TinyConfig, data)
