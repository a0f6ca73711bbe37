"""Request limits of the server: what one request may ask for, each a flag with a default.

A request over a limit is answered with a coded error naming the limit, its value and the flag that sets it
(413 PAYLOAD_TOO_LARGE for the body, 400 LIMIT_EXCEEDED for the rest), never an out-of-memory crash. The
protocol schemas add fixed bounds of their own (n <= 1024, 16 stop strings, prompt ids of 512 characters).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

from .config import doc
from .errors import ApiError
from .generate import Sampling


@dataclass
class Limits:
    """Per-request limits (`--max-body-bytes`, `--max-prompts`, ...)."""

    max_body_bytes: int = doc("Request body size in bytes (256 MiB).", 256 << 20)
    max_prompts: int = doc("Prompts in one /v1/generate request.", 4096)
    max_sequences: int = doc("Completions in one /v1/generate request: prompts x n.", 65536)
    max_tokens: int = doc("sampling.maxTokens: new tokens per completion (the model context also caps it).", 32768)
    max_prompt_chars: int = doc("Characters of one prompt (its text, or the content of all its messages); "
                                "the model context caps its tokens (PROMPT_TOO_LONG).", 1_000_000)

    @staticmethod
    def flag(name: str) -> str:
        return "--" + name.replace("_", "-")

    def _over(self, name: str, got: int, what: str, path: str) -> tuple[str, str, dict]:
        """Message, path and details of a request over the limit `name`."""
        limit, flag = getattr(self, name), self.flag(name)
        return (f"{path or 'request'}: {what} is {got}; the limit is {limit} ({flag}): send less per request, or "
                f"start the server with a higher {flag}", path, {"limit": flag, "max": limit, "got": got})

    def exceeded(self, name: str, got: int, what: str, path: str) -> ApiError:
        return ApiError(400, "LIMIT_EXCEEDED", *self._over(name, got, what, path))

    def check_body(self, size: int) -> None:
        if size > self.max_body_bytes:
            raise ApiError(413, "PAYLOAD_TOO_LARGE", *self._over("max_body_bytes", size, "the request body in bytes", ""))

    def check_generate(self, prompts: list[dict], n: int, s: Sampling) -> None:
        if len(prompts) > self.max_prompts:
            raise self.exceeded("max_prompts", len(prompts), "the number of prompts", "prompts")
        if len(prompts) * n > self.max_sequences:
            raise self.exceeded("max_sequences", len(prompts) * n, "prompts x n", "n")
        if s.max_tokens > self.max_tokens:
            raise self.exceeded("max_tokens", s.max_tokens, "maxTokens", "sampling.maxTokens")
        for i, p in enumerate(prompts):
            chars = len(p["text"]) if "text" in p else sum(len(m["content"]) for m in p["messages"])
            if chars > self.max_prompt_chars:
                raise self.exceeded("max_prompt_chars", chars, "the prompt's length in characters", f"prompts[{i}]")


def add_flags(parser: argparse.ArgumentParser) -> None:
    for f in fields(Limits):
        parser.add_argument(Limits.flag(f.name), type=int, default=f.default, metavar="N",
                            help=f"{f.metadata['doc']} Default {f.default}.")


def from_args(args: argparse.Namespace) -> Limits:
    out = Limits(**{f.name: getattr(args, f.name) for f in fields(Limits)})
    for f in fields(Limits):
        if getattr(out, f.name) < 1:
            raise ValueError(f"{Limits.flag(f.name)} must be >= 1 (got {getattr(out, f.name)})")
    return out
