"""Batched sampling with a KV cache: temperature / top-k / top-p / presence penalty, EOS and stop strings.

Rows finish independently; each finished row is handed to `on_finish` at once (NDJSON streaming) and dropped
from the batch. The log-prob of each sampled token under the policy at the sampling temperature (as TRL
computes pi_old) is kept for the policy-gradient ratio.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch

from .model import PolicyModel


@dataclass
class Sampling:
    """Sampling parameters of one /v1/generate request (defaults as in generate-request.json)."""

    temperature: float = 1.0  # 0 = greedy
    top_p: float = 1.0  # nucleus mass; 1 = off
    top_k: int = 0  # 0 = off
    presence_penalty: float = 0.0  # subtracted from logits of tokens already in the completion
    max_tokens: int = 256
    stop: list[str] = field(default_factory=list)

    @property
    def logp_temperature(self) -> float:
        """Temperature of the stored old log-probs (1 for greedy decoding)."""
        return self.temperature if self.temperature > 0 else 1.0


@dataclass
class Row:
    """One completion: canonical position (prompt, index), token ids, old log-probs, decoded text."""

    prompt_index: int
    index: int
    prompt_ids: list[int]
    completion_ids: list[int] = field(default_factory=list)
    logps: list[float] = field(default_factory=list)
    text: str = ""
    finish_reason: str = "length"


def left_pad(seqs: Sequence[Sequence[int]], pad: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    T = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), T), pad, dtype=torch.long)
    attn = torch.zeros(len(seqs), T, dtype=torch.bool)
    for i, s in enumerate(seqs):
        if s:
            ids[i, T - len(s):] = torch.tensor(s)
            attn[i, T - len(s):] = True
    return ids.to(device), attn.to(device)  # (B, T) each


def truncate(x: torch.Tensor, s: Sampling) -> torch.Tensor:
    """Tempered logits (B, V) -> -inf outside the top-k and outside the top-p nucleus."""
    if s.top_k and s.top_k < x.shape[-1]:
        kth = x.topk(s.top_k, -1).values[:, -1:]  # (B, 1)
        x = x.masked_fill(x < kth, float("-inf"))
    if s.top_p < 1.0:
        sx, si = x.sort(-1, descending=True)  # (B, V)
        probs = sx.softmax(-1)
        drop = probs.cumsum(-1) - probs > s.top_p  # keep the smallest prefix reaching top_p
        x = x.scatter(-1, si, sx.masked_fill(drop, float("-inf")))
    return x


def sample_next(logits: torch.Tensor, s: Sampling, seen: torch.Tensor | None, banned: Sequence[int],
                gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """logits (B, V) -> (tokens (B,), old log-probs (B,) at the sampling temperature)."""
    logits = logits.float()
    logp = torch.log_softmax(logits / s.logp_temperature, -1)  # (B, V) policy at temperature
    x = logits.clone()
    if banned:
        x[:, list(banned)] = float("-inf")
    if seen is not None and s.presence_penalty:
        x = x - s.presence_penalty * seen.float()
    if s.temperature <= 0:
        tok = x.argmax(-1)  # (B,)
    else:
        x = truncate(x / s.temperature, s)
        tok = torch.multinomial(x.softmax(-1), 1, generator=gen).squeeze(1)  # (B,)
    return tok, logp.gather(1, tok[:, None]).squeeze(1)


def _stop_hit(tok, ids: list[int], stops: list[str], window: int) -> bool:
    tail = tok.decode(ids[-window:])
    return any(st in tail for st in stops)


def _finish_text(tok, row: Row, stops: list[str]) -> None:
    text = tok.decode(row.completion_ids)
    if row.finish_reason == "stop" and stops:
        cut = [text.find(st) for st in stops if st in text]
        if cut:
            text = text[: min(cut)]
    row.text = text


def generate(policy: PolicyModel, prompts: Sequence[Sequence[int]], n: int, s: Sampling, seed: int,
             on_finish: Callable[[Row], None] | None = None, kv_cache: bool = True,
             max_batch: int = 512) -> list[Row]:
    """Sample n completions per prompt; returns rows in canonical order (prompt, then index)."""
    rows = [Row(p, i, list(ids)) for p, ids in enumerate(prompts) for i in range(n)]
    gen = torch.Generator(device=policy.device).manual_seed(seed)
    for start in range(0, len(rows), max_batch):
        _generate_batch(policy, rows[start: start + max_batch], s, gen, on_finish, kv_cache)
    return rows


def _generate_batch(policy, rows: list[Row], s: Sampling, gen, on_finish, kv_cache: bool) -> None:
    tok = policy.tok
    eos = set(tok.eos_ids)
    stops = [x for x in s.stop if x]
    window = 4 * max((len(x) for x in stops), default=0) + 4
    limits = [s.max_tokens if policy.context is None else min(s.max_tokens, policy.context - len(r.prompt_ids))
              for r in rows]
    ids, attn = left_pad([r.prompt_ids for r in rows], tok.pad_id, policy.device)  # (B, T)
    max_new = max(limits)
    if kv_cache:
        state, logits = policy.prefill(ids, attn, max_new)  # logits (B, V)
    else:
        logits = policy.full_last_logits(ids, attn)
    active = list(range(len(rows)))  # batch row -> rows index
    seen = torch.zeros(len(rows), tok.vocab_size, dtype=torch.bool, device=policy.device) \
        if s.presence_penalty else None
    while active:
        nxt, lp = sample_next(logits[:, : tok.vocab_size], s, seen, tok.banned_ids, gen)
        if seen is not None:
            seen[torch.arange(len(active)), nxt] = True
        toks = nxt.tolist()
        lps = lp.tolist()
        keep = []
        for j, ri in enumerate(active):
            r = rows[ri]
            r.completion_ids.append(toks[j])
            r.logps.append(lps[j])
            if toks[j] in eos or (stops and _stop_hit(tok, r.completion_ids, stops, window)):
                r.finish_reason = "stop"
            elif len(r.completion_ids) >= limits[ri]:
                r.finish_reason = "length"
            else:
                keep.append(j)
                continue
            _finish_text(tok, r, stops)
            if on_finish:
                on_finish(r)
        if not keep:
            break
        if len(keep) < len(active):
            k = torch.tensor(keep, device=policy.device)
            active = [active[j] for j in keep]
            nxt = nxt.index_select(0, k)
            seen = seen.index_select(0, k) if seen is not None else None
            if kv_cache:
                state = policy.select(state, k)
            else:
                ids, attn = ids.index_select(0, k), attn.index_select(0, k)
        if kv_cache:
            logits = policy.decode(state, nxt)
        else:
            ids = torch.cat([ids, nxt[:, None]], 1)  # (B, T+1)
            attn = torch.cat([attn, torch.ones_like(attn[:, :1])], 1)
            logits = policy.full_last_logits(ids, attn)
