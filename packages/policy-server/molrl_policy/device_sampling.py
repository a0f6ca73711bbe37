"""Sampling on the device without a host sync: temperature, top-k, top-p, presence penalty, banned ids.

The same semantics as generate.sample_next (the eager reference): pi_old = log-softmax(logits / temperature)
before top-k / top-p / penalty (temperature 0 -> 1); temperature 0 = greedy. Sampling draws with the exponential
race (argmax of p / E, E ~ Exp(1) from the request's generator), which picks token v with probability p_v like
torch.multinomial but needs no host sync and keeps shapes fixed, so that a captured decode step stays valid.
"""
from __future__ import annotations

from typing import Sequence

import torch

from .generate import Sampling, truncate


class DeviceSampler:
    """One request's sampling state on the device: the banned-id mask and the request's generator."""

    def __init__(self, s: Sampling, vocab: int, banned: Sequence[int], device: torch.device,
                 gen: torch.Generator) -> None:
        self.s, self.V, self.gen = s, vocab, gen
        self.ban = torch.zeros(vocab, device=device)  # (V,) additive: -inf on ids never sampled
        if banned:
            self.ban[torch.tensor(list(banned), device=device)] = float("-inf")

    def __call__(self, logits: torch.Tensor, seen: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """logits (B, V') -> (tokens (B,), old log-probs (B,) at the sampling temperature); V' >= V is cut."""
        s = self.s
        logits = logits[:, : self.V].float()  # (B, V)
        logp = torch.log_softmax(logits / s.logp_temperature, -1)  # (B, V) policy at temperature
        x = logits + self.ban
        if seen is not None and s.presence_penalty:
            x = x - s.presence_penalty * seen.float()
        if s.temperature <= 0:
            tok = x.argmax(-1)  # (B,)
        else:
            probs = truncate(x / s.temperature, s).softmax(-1)  # (B, V)
            race = torch.empty_like(probs).exponential_(generator=self.gen)  # E ~ Exp(1)
            tok = (probs / race).argmax(-1)  # (B,) P(v) = p_v
        return tok, logp.gather(1, tok[:, None]).squeeze(1)
