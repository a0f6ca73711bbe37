"""The output head applied in chunks of positions: log-probs, entropy, CE and full-vocabulary KL without ever
holding (B, S, V) logits.

Only the positions that carry a loss are gathered (N of them, (N, D) hidden states); each chunk of C positions
makes its (C, V) fp32 logits, takes what it needs and drops them. Under autograd every chunk is checkpointed
(recomputed in the backward pass), so the peak stays one chunk of logits, not N x V.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch.utils.checkpoint import checkpoint

# Logit elements per chunk (C x V): 2^25 fp32 = 128 MiB, ~220 positions on a 152k vocabulary.
CHUNK_ELEMENTS = 1 << 25


def chunk_size(vocab: int, elements: int | None = None) -> int:
    return max(1, (elements or CHUNK_ELEMENTS) // max(1, vocab))


def _logp_all(h: torch.Tensor, W: torch.Tensor, V: int, temperature: float) -> torch.Tensor:
    """h (C, D), W (V', D) -> log-softmax of the first V logits / temperature, fp32 (C, V)."""
    return torch.log_softmax((h.to(W.dtype) @ W[:V].T).float() / temperature, -1)


def _chunked(fn: Callable, n: int, chunk: int, grad: bool, *tensors: torch.Tensor) -> list[torch.Tensor]:
    """Runs fn on row chunks of every tensor (all (N, ...)) and concatenates each of its outputs over chunks."""
    outs: list[list[torch.Tensor]] = []
    for s in range(0, n, chunk):
        parts = [t[s: s + chunk] for t in tensors]
        res = checkpoint(fn, *parts, use_reentrant=False) if grad else fn(*parts)
        outs.append(list(res))
    return [torch.cat(col) for col in zip(*outs)] if outs else []


def token_logps(h: torch.Tensor, W: torch.Tensor, targets: torch.Tensor, V: int, temperature: float = 1.0,
                chunk: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """h (N, D), targets (N,) -> (log p(target) (N,) with grad, entropy (N,) without)."""
    if h.shape[0] == 0:
        z = h.new_zeros(0, dtype=torch.float32)
        return z, z

    def fn(hc, tc):
        lp = _logp_all(hc, W, V, temperature)  # (C, V)
        with torch.no_grad():
            ent = -(lp.exp() * lp).sum(-1)  # (C,)
        return lp.gather(-1, tc[:, None]).squeeze(-1), ent

    grad = torch.is_grad_enabled() and (h.requires_grad or W.requires_grad)
    logp, ent = _chunked(fn, h.shape[0], chunk or chunk_size(V), grad, h, targets)
    return logp, ent.detach()


def ce_and_kl(h: torch.Tensor, W: torch.Tensor, targets: torch.Tensor, V: int, h_ref: torch.Tensor | None = None,
              W_ref: torch.Tensor | None = None, chunk: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """-> (CE -log p(target) (N,), KL(p_theta || p_ref) over the full vocabulary (N,), zeros without h_ref)."""
    if h.shape[0] == 0:
        z = h.new_zeros(0, dtype=torch.float32)
        return z, z

    def fn(hc, tc, *ref):
        lp = _logp_all(hc, W, V, 1.0)  # (C, V)
        ce = -lp.gather(-1, tc[:, None]).squeeze(-1)
        if not ref:
            return ce, torch.zeros_like(ce)
        with torch.no_grad():
            lr = _logp_all(ref[0], W_ref, V, 1.0)  # (C, V) p_0
        return ce, (lp.exp() * (lp - lr)).sum(-1)

    grad = torch.is_grad_enabled() and (h.requires_grad or W.requires_grad)
    extra = (h_ref,) if h_ref is not None else ()
    ce, kl = _chunked(fn, h.shape[0], chunk or chunk_size(V), grad, h, targets, *extra)
    return ce, kl


def micro_batches(lengths: list[int], max_rows: int, max_tokens: int | None) -> list[list[int]]:
    """Consecutive index groups with at most max_rows rows and rows x longest <= max_tokens (one row at least)."""
    out: list[list[int]] = []
    cur: list[int] = []
    longest = 0
    for i, n in enumerate(lengths):
        grow = max(longest, n)
        if cur and (len(cur) >= max_rows or (max_tokens and grow * (len(cur) + 1) > max_tokens)):
            out.append(cur)
            cur, grow = [], n
        cur.append(i)
        longest = grow
    if cur:
        out.append(cur)
    return out
