"""Clipped policy-gradient losses (GRPO / BNPO / Dr.GRPO / DAPO / GSPO / CISPO) with k3 KL, micro-batched.

Per token t of completion i (GRPO, arXiv 2402.03300; Dr.GRPO, arXiv 2503.20783; DAPO, arXiv 2503.14476):
  rho = exp(logp - logp_old);  l = -min(rho * A_i, clip(rho, 1 - eps_low, 1 + eps_high) * A_i) + beta * KL
  KL (k3) = exp(ref - logp) - (ref - logp) - 1
GSPO (arXiv 2507.18071): the ratio is the sequence's, s_i = exp(mean_t (logp - logp_old)), in the same clipped
  objective (TRL importance_sampling_level="sequence", verl loss_mode "gspo").
CISPO (MiniMax-M1, arXiv 2506.13585): l = -sg(min(rho, 1 + eps_high)) * A_i * logp: the IS weight is clipped, not
  the objective, so every token keeps its gradient (TRL loss_type "cispo"; TRL's epsilon_high = our 1 + high).
Aggregation over the whole accumulated batch of B sequences and N completion tokens:
  grpo, gspo: mean_i [ sum_t l / |o_i| ];  bnpo, dapo, cispo: sum_{i,t} l / N;  dr_grpo: sum_{i,t} l / (B * L),
  L = maxCompletionLength.
Approximate KL(pi_old || pi_theta) (k3 on the ratio) is logged as approxKl: mean_t (rho - 1) - log rho.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from . import head
from .head import micro_batches

LOSS_TYPES = ("grpo", "bnpo", "dr_grpo", "dapo", "gspo", "cispo")


@dataclass
class PolicyBatch:
    """Right-padded sequences of one micro-batch, targets aligned with logits[:, start:-1]."""

    ids: torch.Tensor  # (B, T) prompt + completion, PAD after
    attn: torch.Tensor  # (B, T) bool
    start: int  # first logit position that predicts a completion token (min prompt length - 1)
    mask: torch.Tensor  # (B, S) completion-token mask over target positions start+1..T-1
    old: torch.Tensor  # (B, S) stored old log-probs
    adv: torch.Tensor  # (B,) advantages


def build_batch(items: Sequence[tuple[list[int], list[int], list[float], float]], pad: int, max_len: int,
                device) -> PolicyBatch:
    """items: (prompt ids, completion ids, old log-probs, advantage); completions cut to max_len tokens."""
    comps = [(p, c[:max_len], o[:max_len], a) for p, c, o, a in items]
    T = max(len(p) + len(c) for p, c, _, _ in comps)
    start = min(len(p) for p, _, _, _ in comps) - 1
    B, S = len(comps), T - 1 - start
    ids = torch.full((B, T), pad, dtype=torch.long)
    attn = torch.zeros(B, T, dtype=torch.bool)
    mask = torch.zeros(B, S)
    old = torch.zeros(B, S)
    for i, (p, c, o, _) in enumerate(comps):
        seq = p + c
        ids[i, : len(seq)] = torch.tensor(seq)
        attn[i, : len(seq)] = True
        a = len(p) - 1 - start  # target index of the first completion token
        mask[i, a: a + len(c)] = 1.0
        old[i, a: a + len(c)] = torch.tensor(o, dtype=torch.float32)
    adv = torch.tensor([a for *_, a in comps], dtype=torch.float32)
    return PolicyBatch(ids.to(device), attn.to(device), start, mask.to(device), old.to(device), adv.to(device))


def per_token_loss(logp, old, adv, low: float, high: float, beta: float, ref=None, loss_type: str = "grpo",
                   mask=None, weight=None):
    """-> (loss (B, S), kl (B, S) or None, clipped low (B, S) bool, clipped high (B, S) bool).

    adv (B,) broadcast over tokens; mask (B, S) is needed by gspo (the sequence mean of the log-ratio); weight (B, S)
    multiplies the policy term only (truncated importance sampling), not the KL."""
    if loss_type == "gspo":
        lr = ((logp - old) * mask).sum(1) / mask.sum(1).clamp(min=1)  # (B,) mean log-ratio of the sequence
        ratio = torch.exp(lr)[:, None].expand_as(logp)  # s_i (B, S)
    else:
        ratio = torch.exp(logp - old)  # rho (B, S)
    A = adv[:, None]  # (B, 1)
    if loss_type == "cispo":
        l = -ratio.clamp(max=1 + high).detach() * A * logp
        low_c = torch.zeros_like(logp, dtype=torch.bool)
        high_c = ratio.detach() > 1 + high
    else:
        l = -torch.min(ratio * A, ratio.clamp(1 - low, 1 + high) * A)
        low_c, high_c = (ratio < 1 - low) & (A < 0), (ratio > 1 + high) & (A > 0)
    if weight is not None:
        l = l * weight
    kl = None
    if beta > 0 and ref is not None:
        d = ref - logp
        kl = torch.exp(d) - d - 1  # k3 estimator of KL(pi_theta || pi_ref)
        l = l + beta * kl
    return l, kl, low_c, high_c


def aggregate(l: torch.Tensor, mask: torch.Tensor, loss_type: str, n_seqs: int, n_tokens: int,
              max_len: int) -> torch.Tensor:
    """This micro-batch's share of the batch loss; summing over micro-batches gives the loss."""
    if loss_type in ("grpo", "gspo"):
        return ((l * mask).sum(1) / mask.sum(1).clamp(min=1)).sum() / n_seqs
    if loss_type in ("bnpo", "dapo", "cispo"):
        return (l * mask).sum() / max(1, n_tokens)
    if loss_type == "dr_grpo":
        return (l * mask).sum() / (n_seqs * max_len)
    raise ValueError(f"unknown lossType {loss_type!r}; expected one of {LOSS_TYPES}")


def tis_weight(train_logp: torch.Tensor, sampler_logp: torch.Tensor, cap: float) -> torch.Tensor:
    """Truncated importance sampling (TRL's token_truncate): min(exp(log p_train - log p_sampler), cap), no grad."""
    return torch.exp(train_logp.detach() - sampler_logp).clamp(max=cap)


def policy_step(policy, items, *, loss_type: str, low: float, high: float, beta: float, max_len: int,
                micro: int, temperature: float, micro_tokens: int | None = None, chunk: int | None = None,
                old_from_sampler: bool = False, tis_cap: float | None = None,
                totals: tuple[int, int] | None = None, fill: int = 0, filler: Sequence = ()) -> dict:
    """Forward/backward over micro-batches (gradients accumulate; no optimizer step here) -> stats.

    pi_old: with one update per rollout (mu = 1) it is the detached training log-prob itself (rho = 1 in value,
    as TRL's num_iterations = 1), so sampler/trainer numeric differences never turn into ratio noise or spurious
    clipping; they are reported as logprobMismatch (mean |sampler - trainer| over completion tokens) and
    logprobMismatchMax. old_from_sampler=True uses the sampler's log-probs instead (several updates per rollout).
    tis_cap: each token's policy term is weighted by tis_weight(trainer log-prob, sampler log-prob, tis_cap)
    against the rollout/train mismatch (reported as tisWeightMean).
    Micro-batches hold at most `micro` rows and, with micro_tokens, rows x longest sequence <= micro_tokens.
    totals: (B, N) of the whole batch when `items` is one rank's part of it (data parallel): the loss and the
    stats are then this part's share, and summing them over ranks gives the batch's.
    fill: micro-batches of `filler` items (weight 0) run after the real ones, so that every rank of sharded
    weights runs as many forwards and backwards (each is a collective there).
    """
    n_seqs = len(items)
    n_tokens = sum(min(len(c), max_len) for _, c, _, _ in items)
    if totals is not None:
        n_seqs, n_tokens = totals
    loss_sum = kl_sum = ent_sum = low_sum = high_sum = mis_sum = akl_sum = tis_sum = 0.0
    mis_max = 0.0
    V = policy.tok.vocab_size  # the model's padded vocabulary beyond the tokenizer is never sampled
    lengths = [len(p) + min(len(c), max_len) for p, c, _, _ in items]

    def forward(b: PolicyBatch, sel: torch.Tensor, targets: torch.Tensor):
        h = policy.hidden(b.ids, b.attn)[:, b.start:-1][sel]  # (N, D)
        lp, ent_n = head.token_logps(h, policy.head(), targets, V, temperature, chunk)  # (N,) each
        rl = None
        if beta > 0:
            rh = policy.ref_hidden(b.ids, b.attn)[:, b.start:-1][sel]
            rl, _ = head.token_logps(rh, policy.ref_head(), targets, V, temperature, chunk)
        return lp, ent_n, rl

    groups = [([items[i] for i in idx], 1.0) for idx in micro_batches(lengths, micro, micro_tokens)]
    groups += [(list(filler), 0.0)] * fill  # weight 0: forwards and backwards that only keep ranks in step
    for part, weight in groups:
        b = build_batch(part, policy.tok.pad_id, max_len, policy.device)
        sel = b.mask.bool()  # (B, S) completion tokens
        lp, ent_n, rl = policy.run(forward, b, sel, b.ids[:, b.start + 1:][sel])
        logp = torch.zeros_like(b.old).masked_scatter(sel, lp)  # (B, S)
        ref = None if rl is None else torch.zeros_like(b.old).masked_scatter(sel, rl)
        old = b.old if old_from_sampler else logp.detach()
        w = tis_weight(logp, b.old, tis_cap) if tis_cap else None  # (B, S)
        l, kl, low_c, high_c = per_token_loss(logp, old, b.adv, low, high, beta, ref, loss_type, b.mask, w)
        loss = aggregate(l, b.mask, loss_type, n_seqs, n_tokens, max_len)
        if weight == 0.0:
            (loss * 0.0).backward()
            continue
        loss.backward()
        ent = torch.zeros_like(b.old).masked_scatter(sel, ent_n)
        gap = (b.old - logp.detach()).abs() * b.mask  # sampler vs trainer |delta log p|
        mis_sum += gap.sum().item()
        mis_max = max(mis_max, gap.max().item() if gap.numel() else 0.0)
        if w is not None:
            tis_sum += (w * b.mask).sum().item()
        loss_sum += loss.item()
        ent_sum += (ent * b.mask).sum().item()
        low_sum += (low_c.float() * b.mask).sum().item()
        high_sum += (high_c.float() * b.mask).sum().item()
        r = (logp.detach() - old) * b.mask  # log rho, 0 off the completion
        akl_sum += ((torch.exp(r) - 1 - r) * b.mask).sum().item()
        if kl is not None:
            kl_sum += (kl.detach() * b.mask).sum().item()
    N = max(1, n_tokens)
    out = {"loss": loss_sum, "kl": kl_sum / N, "clipFraction": (low_sum + high_sum) / N, "clipFractionLow": low_sum / N,
           "clipFractionHigh": high_sum / N, "approxKl": akl_sum / N, "entropy": ent_sum / N, "tokens": n_tokens,
           "logprobMismatch": mis_sum / N, "logprobMismatchMax": mis_max}
    if tis_cap:
        out["tisWeightMean"] = tis_sum / N
    return out


def trainer_logps(policy, items, *, max_len: int, micro: int, temperature: float, micro_tokens: int | None = None,
                  chunk: int | None = None) -> list[list[float]]:
    """pi_old of several updates per rollout: the trainer's own log-probs of each item's completion tokens (cut to
    max_len), before any update, without gradients (TRL recomputes them the same way for num_iterations > 1)."""
    V = policy.tok.vocab_size
    out: list[list[float]] = [[] for _ in items]
    lengths = [len(p) + min(len(c), max_len) for p, c, _, _ in items]
    with torch.no_grad():
        for idx in micro_batches(lengths, micro, micro_tokens):
            b = build_batch([items[i] for i in idx], policy.tok.pad_id, max_len, policy.device)
            sel = b.mask.bool()

            def forward(b=b, sel=sel):
                h = policy.hidden(b.ids, b.attn)[:, b.start:-1][sel]
                return head.token_logps(h, policy.head(), b.ids[:, b.start + 1:][sel], V, temperature, chunk)[0]

            logp = torch.zeros_like(b.old).masked_scatter(sel, policy.run(forward))  # (B, S)
            for row, i in enumerate(idx):
                out[i] = logp[row][sel[row]].tolist()
    return out
