"""Clipped policy-gradient loss (GRPO / BNPO / Dr.GRPO / DAPO) with k3 KL, micro-batched.

Per token t of completion i (GRPO, arXiv 2402.03300; Dr.GRPO, arXiv 2503.20783; DAPO, arXiv 2503.14476):
  rho = exp(logp - logp_old);  l = -min(rho * A_i, clip(rho, 1 - eps_low, 1 + eps_high) * A_i) + beta * KL
  KL (k3) = exp(ref - logp) - (ref - logp) - 1
Aggregation over the whole accumulated batch of B sequences and N completion tokens:
  grpo: mean_i [ sum_t l / |o_i| ];  bnpo, dapo: sum_{i,t} l / N;  dr_grpo: sum_{i,t} l / (B * L), L = maxCompletionLength.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

LOSS_TYPES = ("grpo", "bnpo", "dr_grpo", "dapo")


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


def token_logps(logits: torch.Tensor, targets: torch.Tensor, temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """logits (B, S, V), targets (B, S) -> (log-probs of targets (B, S), entropy (B, S), no grad)."""
    logp_all = torch.log_softmax(logits.float() / temperature, -1)  # (B, S, V)
    logp = logp_all.gather(-1, targets[..., None]).squeeze(-1)  # (B, S)
    with torch.no_grad():
        ent = -(logp_all.exp() * logp_all).sum(-1)  # (B, S)
    return logp, ent


def per_token_loss(logp, old, adv, low: float, high: float, beta: float, ref=None):
    """-> (loss (B, S), kl (B, S) or None, clipped (B, S) bool). adv (B,) broadcast over tokens."""
    ratio = torch.exp(logp - old)  # rho (B, S)
    A = adv[:, None]  # (B, 1)
    l = -torch.min(ratio * A, ratio.clamp(1 - low, 1 + high) * A)
    clipped = ((ratio < 1 - low) & (A < 0)) | ((ratio > 1 + high) & (A > 0))
    kl = None
    if beta > 0 and ref is not None:
        d = ref - logp
        kl = torch.exp(d) - d - 1  # k3 estimator of KL(pi_theta || pi_ref)
        l = l + beta * kl
    return l, kl, clipped


def aggregate(l: torch.Tensor, mask: torch.Tensor, loss_type: str, n_seqs: int, n_tokens: int,
              max_len: int) -> torch.Tensor:
    """This micro-batch's share of the batch loss; summing over micro-batches gives the loss."""
    if loss_type == "grpo":
        return ((l * mask).sum(1) / mask.sum(1).clamp(min=1)).sum() / n_seqs
    if loss_type in ("bnpo", "dapo"):
        return (l * mask).sum() / max(1, n_tokens)
    if loss_type == "dr_grpo":
        return (l * mask).sum() / (n_seqs * max_len)
    raise ValueError(f"unknown lossType {loss_type!r}; expected one of {LOSS_TYPES}")


def policy_step(policy, items, *, loss_type: str, low: float, high: float, beta: float, max_len: int,
                micro: int, temperature: float) -> dict:
    """Forward/backward over micro-batches (gradients accumulate; no optimizer step here) -> stats."""
    n_seqs = len(items)
    n_tokens = sum(min(len(c), max_len) for _, c, _, _ in items)
    loss_sum = kl_sum = ent_sum = clip_sum = 0.0
    for k in range(0, n_seqs, micro):
        b = build_batch(items[k: k + micro], policy.tok.pad_id, max_len, policy.device)
        targets = b.ids[:, b.start + 1:]  # (B, S)
        V = policy.tok.vocab_size  # the model's padded vocabulary beyond the tokenizer is never sampled
        logits = policy.logits(b.ids, b.attn)[:, b.start:-1, :V]  # (B, S, V)
        logp, ent = token_logps(logits, targets, temperature)
        ref = None
        if beta > 0:
            ref, _ = token_logps(policy.ref_logits(b.ids, b.attn)[:, b.start:-1, :V], targets, temperature)
        l, kl, clipped = per_token_loss(logp, b.old, b.adv, low, high, beta, ref)
        loss = aggregate(l, b.mask, loss_type, n_seqs, n_tokens, max_len)
        loss.backward()
        loss_sum += loss.item()
        ent_sum += (ent * b.mask).sum().item()
        clip_sum += (clipped.float() * b.mask).sum().item()
        if kl is not None:
            kl_sum += (kl.detach() * b.mask).sum().item()
    N = max(1, n_tokens)
    return {"loss": loss_sum, "kl": kl_sum / N, "clipFraction": clip_sum / N, "entropy": ent_sum / N,
            "tokens": n_tokens}
