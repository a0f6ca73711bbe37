"""MoL step: CE on feedback tokens + full-vocabulary KL(p_theta || p_0) on the policy's own tokens.

Next-token alignment: position t predicts token t+1 and takes the loss tag of the TARGET token.
Modes: mol = mean CE over `ce` tokens + mean KL over `kl` tokens (1:1); ce = CE on `ce` and `kl` tokens;
ce_nokl = CE on `ce` tokens only (`kl` tokens are context). All assistant text `ce` + mode ce is SFT.
"""
from __future__ import annotations

from typing import Sequence

import torch

from . import head
from .head import micro_batches
from .tokenizer import TAG_CE, TAG_KL, render_segments

MODES = ("mol", "ce", "ce_nokl")


def encode_examples(tok, examples: Sequence[dict], context: int | None) -> tuple[list[tuple[list[int], list[int]]], int]:
    """-> ([(ids, tags)], number of examples truncated to context + 1 tokens)."""
    out, cut = [], 0
    for ex in examples:
        ids, tags = render_segments(tok, ex["segments"])
        if context is not None and len(ids) > context + 1:
            ids, tags = ids[: context + 1], tags[: context + 1]
            cut += 1
        out.append((ids, tags))
    return out, cut


def loss_masks(tags: torch.Tensor, mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Target tags (B, S) -> (CE mask, KL mask) as floats (B, S)."""
    if mode == "mol":
        return (tags == TAG_CE).float(), (tags == TAG_KL).float()
    if mode == "ce":
        return ((tags == TAG_CE) | (tags == TAG_KL)).float(), torch.zeros_like(tags, dtype=torch.float)
    if mode == "ce_nokl":
        return (tags == TAG_CE).float(), torch.zeros_like(tags, dtype=torch.float)
    raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")


def loss_token_counts(seqs, mode: str) -> tuple[int, int]:
    """-> (CE target tokens, KL target tokens) of `seqs` [(ids, tags)] under `mode`."""
    counts = [loss_masks(torch.tensor(t[1:], dtype=torch.long), mode) for _, t in seqs]
    return int(sum(c.sum().item() for c, _ in counts)), int(sum(k.sum().item() for _, k in counts))


def _pad(batch, pad: int, device):
    T = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), T), pad, dtype=torch.long)
    tags = torch.zeros(len(batch), T, dtype=torch.long)
    attn = torch.zeros(len(batch), T, dtype=torch.bool)
    for i, (x, t) in enumerate(batch):
        ids[i, : len(x)] = torch.tensor(x)
        tags[i, : len(t)] = torch.tensor(t)
        attn[i, : len(x)] = True
    return ids.to(device), tags.to(device), attn.to(device)  # (B, T) each


def _micro_batch(seqs, idx: list[int], mode: str, pad: int, device):
    ids, tags, attn = _pad([seqs[i] for i in idx], pad, device)
    inp, tgt, ttag = ids[:, :-1], ids[:, 1:], tags[:, 1:]  # (B, S) with S = T - 1
    ce_m, kl_m = loss_masks(ttag, mode)
    ce_m, kl_m = ce_m * attn[:, 1:], kl_m * attn[:, 1:]
    return inp, tgt, attn[:, :-1], ce_m, kl_m


def loss_micro_batches(seqs, mode: str, micro: int, micro_tokens: int | None) -> list[list[int]]:
    """The micro-batches of `seqs` that hold at least one loss position (the ones mol_step runs)."""
    out = []
    for idx in micro_batches([len(ids) for ids, _ in seqs], micro, micro_tokens):
        _, _, _, ce_m, kl_m = _micro_batch(seqs, idx, mode, 0, "cpu")
        if ((ce_m + kl_m) > 0).any():
            out.append(idx)
    return out


def mol_step(policy, seqs, mode: str, micro: int, backward: bool = True, micro_tokens: int | None = None,
             chunk: int | None = None, totals: tuple[int, int] | None = None, fill: int = 0,
             filler: Sequence = ()) -> dict:
    """Forward/backward over micro-batches (gradients accumulate; no optimizer step) -> stats.

    backward=False: forward only (validation loss; the caller wraps it in torch.no_grad()). Only positions with
    a CE or KL target go through the output head, in chunks (head.py): no (B, S, V) tensor is ever built.
    totals: (CE tokens, KL tokens) of the whole batch when `seqs` is one rank's part of it (data parallel).
    fill: micro-batches of the `filler` sequences (weight 0) after the real ones, so that every rank of sharded
    weights runs as many forwards (and backwards); sharded weights also run the reference in every micro-batch
    of a batch with KL tokens.
    """
    n_ce, n_kl = totals if totals is not None else loss_token_counts(seqs, mode)
    ce_sum = kl_sum = 0.0
    V = policy.tok.vocab_size
    same_forwards = policy.root is not None

    def forward(inp, a, sel, tgt, use_kl):
        h = policy.hidden(inp, a)[sel]  # (N, D)
        h_ref = policy.ref_hidden(inp, a)[sel] if use_kl else None
        return head.ce_and_kl(h, policy.head(), tgt[sel], V, h_ref, policy.ref_head() if use_kl else None,
                              chunk)  # (N,) each

    groups = [(seqs, idx, 1.0) for idx in loss_micro_batches(seqs, mode, micro, micro_tokens)]
    groups += [(list(filler), list(range(len(filler))), 0.0)] * fill
    for src, idx, weight in groups:
        inp, tgt, a, ce_m, kl_m = _micro_batch(src, idx, mode, policy.tok.pad_id, policy.device)
        sel = (ce_m + kl_m) > 0  # (B, S) positions with a loss
        use_kl = bool(n_kl and (same_forwards or kl_m.sum() > 0))
        ce_tok, kl_tok = policy.run(forward, inp, a, sel, tgt, use_kl)
        ce = (ce_tok * ce_m[sel]).sum()
        loss = ce / max(1, n_ce)
        if use_kl:
            kl = (kl_tok * kl_m[sel]).sum()
            loss = loss + kl / n_kl
        if weight == 0.0:
            if backward:
                (loss * 0.0).backward()
            continue
        if use_kl:
            kl_sum += kl.item()
        if backward:
            loss.backward()
        ce_sum += ce.item()
    ce_mean = ce_sum / max(1, n_ce)
    kl_mean = kl_sum / max(1, n_kl)
    return {"loss": ce_mean + kl_mean, "ce": ce_mean, "kl": kl_mean, "ceTokens": n_ce, "klTokens": n_kl}
