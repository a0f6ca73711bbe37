"""Importance form of feedback-guided regeneration: completions sampled under an extended prompt x + o, trained under x.

A completion y regenerated from the prompt x extended by a failed attempt and its feedback o is trained as a sample of
the original prompt x, its advantage multiplied by the detached, capped sequence importance weight

    w = min(pi_theta(y | x) / pi_behav(y | x + o), cap)

pi_theta(y | x): the trainer's probability of y after x before this step's update (no gradient); pi_behav(y | x + o):
the sampler's, kept with the rollout. The item's log-probs become the trainer's under x, so the logprob mismatch and
pi_old of the step refer to the prompt it is trained under.
"""
from __future__ import annotations

import math

from .losses import trainer_logps

Item = tuple  # (prompt_ids, completion_ids, sampler log-probs, advantage)


def sequence_weight(train_logps: list[float], behav_logps: list[float], cap: float) -> float:
    """min(exp(sum_t log pi_theta - sum_t log pi_behav), cap) over the completion's tokens."""
    log_w = sum(train_logps) - sum(behav_logps)
    return cap if log_w >= math.log(cap) else math.exp(log_w)


def reattach_items(policy, items: list[Item], prompts: list[list[int]], caps: list[float], *, micro: int,
                   temperature: float, micro_tokens: int | None = None, chunk: int | None = None
                   ) -> tuple[list[Item], list[float]]:
    """items (sampled under x + o), prompts[k] = x, caps[k] -> the items trained under x with advantage x w, and the w's."""
    if not items:
        return [], []
    under_x = [(x, c, lp, a) for (_, c, lp, a), x in zip(items, prompts)]
    lps = trainer_logps(policy, under_x, max_len=max(len(c) for _, c, _, _ in under_x), micro=micro,
                        temperature=temperature, micro_tokens=micro_tokens, chunk=chunk)  # [(|y|,)] log pi_theta(y_t | x, y_<t)
    weights = [sequence_weight(lp, behav, cap) for lp, (_, _, behav, _), cap in zip(lps, items, caps)]
    return [(x, c, lp, a * w) for (x, c, _, a), lp, w in zip(under_x, lps, weights)], weights
