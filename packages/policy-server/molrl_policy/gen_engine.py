"""Generation engines behind one interface: `eager` (the reference loop of generate.py), `static` (pre-allocated KV
cache, fixed-shape decode step compiled on CUDA, sampling on the device) and `vllm` (vLLM in this process).

The model-side Engine (engine.py) calls one method, `generate`, with token ids; an engine returns `Row`s in
canonical order (prompt, then index) with the completion ids, pi_old per token (log-softmax of the policy logits /
temperature) and the finish reason, and hands every row to `on_finish` once it is final (NDJSON streaming).
An engine that keeps its own copy of the weights (vllm) syncs it at the start of each `generate` whenever the
policy's parameters changed (optimizer steps, checkpoint loads): nothing outside the engine has to tell it.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

from .config import ConfigError
from .generate import Row, Sampling

ENGINES = ("eager", "static", "vllm")


class GenerationEngine:
    """What engine.Engine needs of a generation engine."""

    name: str = ""

    def generate(self, policy, prompts: Sequence[Sequence[int]], n: int, s: Sampling, seed: int,
                 on_finish: Callable[[Row], None] | None = None, kv_cache: bool = True,
                 max_batch: int = 512) -> list[Row]:
        """n completions of every prompt (token ids) -> rows in canonical order (prompt, then index)."""
        raise NotImplementedError

    def describe(self) -> dict:
        """JSON-able description for /v1/health (`engine` is the name)."""
        return {"engine": self.name}


class EagerEngine(GenerationEngine):
    """The reference: generate.py's loop, one eager forward per token, finished rows dropped from the batch."""

    name = "eager"

    def generate(self, policy, prompts, n, s, seed, on_finish=None, kv_cache=True, max_batch=512):
        from .generate import generate

        return generate(policy, prompts, n, s, seed, on_finish, kv_cache=kv_cache, max_batch=max_batch)


def resolve_name(name: str, device: torch.device) -> str:
    """`auto` -> `static` on CUDA, `eager` elsewhere; any other name must be one of ENGINES."""
    if name == "auto":
        return "static" if device.type == "cuda" else "eager"
    if name not in ENGINES:
        raise ConfigError(f"--engine {name!r}: expected auto, {', '.join(ENGINES)}")
    return name


def make_engine(name: str, policy, **options) -> GenerationEngine:
    """The generation engine `name` (or `auto`) for `policy`; options go to the engine's constructor."""
    name = resolve_name(name, policy.device)
    if name == "eager":
        return EagerEngine()
    if name == "static":
        from .gen_static import StaticEngine

        return StaticEngine(policy, **options)
    from .gen_vllm import VLLMEngine

    return VLLMEngine(policy, **options)
