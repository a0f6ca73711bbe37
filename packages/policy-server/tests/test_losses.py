"""Each policy loss type equals a hand computation; micro-batching does not change the step; nulls are skipped."""
import dataclasses
import math

import pytest
import torch

from conftest import make_engine
from molrl_policy.errors import ApiError
from molrl_policy.generate import Sampling
from molrl_policy.losses import policy_step

PROMPTS = [{"id": "a", "text": "Q: 3*4\nA:"}, {"id": "b", "text": "Hello, "}]
ADV = [1.0, -0.5, None, 0.25, -1.0, 2.0]


def rollout(eng, temperature=1.0):
    rid, _ = eng.generate(PROMPTS, 3, Sampling(temperature=temperature, max_tokens=8), seed=11)
    with torch.no_grad():  # move the policy away from pi_old and pi_ref so ratio != 1 and KL != 0
        g = torch.Generator().manual_seed(0)
        for p in eng.policy.module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)
    return rid


def hand_loss_rows(eng, rows, loss_type, low, high, L, temperature, beta=0.3):
    return _hand(eng, rows, loss_type, low, high, beta, L, temperature)


def hand_loss(eng, rid, loss_type, low, high, beta, L, temperature):
    return _hand(eng, eng.rollouts.get(rid).rows, loss_type, low, high, beta, L, temperature)


def _hand(eng, rows, loss_type, low, high, beta, L, temperature):
    """Per-token loop straight from the formulas in losses.py's docstring."""
    seq_losses, all_tokens = [], []
    for r, a in zip(rows, ADV):
        if a is None:
            continue
        comp = r.completion_ids[:L]
        ids = torch.tensor([r.prompt_ids + comp])
        attn = torch.ones_like(ids, dtype=torch.bool)
        with torch.no_grad():
            lp = torch.log_softmax(eng.policy.logits(ids, attn)[0] / temperature, -1)
            rp = torch.log_softmax(eng.policy.ref_logits(ids, attn)[0] / temperature, -1)
        P = len(r.prompt_ids)
        tok_losses = []
        for t, c in enumerate(comp):
            logp, ref, old = lp[P - 1 + t, c].item(), rp[P - 1 + t, c].item(), r.logps[t]
            ratio = math.exp(logp - old)
            l = -min(ratio * a, min(max(ratio, 1 - low), 1 + high) * a)
            l += beta * (math.exp(ref - logp) - (ref - logp) - 1)
            tok_losses.append(l)
        seq_losses.append(tok_losses)
        all_tokens += tok_losses
    B, N = len(seq_losses), len(all_tokens)
    if loss_type == "grpo":
        return sum(sum(s) / len(s) for s in seq_losses) / B
    if loss_type in ("bnpo", "dapo"):
        return sum(all_tokens) / N
    return sum(all_tokens) / (B * L)


def items_of(eng, rid):
    return [(r.prompt_ids, r.completion_ids, r.logps, a) for r, a in zip(eng.rollouts.get(rid).rows, ADV)
            if a is not None]


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo", "dapo"])
def test_loss_matches_hand_computation(loss_type):
    """The clipped objective against a pi_old that differs from the policy (several updates per rollout)."""
    eng = make_engine()
    rid = rollout(eng, temperature=0.7)
    want = hand_loss(eng, rid, loss_type, 0.1, 0.15, 0.3, 5, 0.7)
    got = policy_step(eng.policy, items_of(eng, rid), loss_type=loss_type, low=0.1, high=0.15, beta=0.3, max_len=5,
                      micro=2, temperature=0.7, old_from_sampler=True)
    assert got["loss"] == pytest.approx(want, rel=1e-4, abs=1e-6)
    assert got["tokens"] == sum(min(5, len(c)) for _, c, _, _ in items_of(eng, rid))
    assert 0 < got["clipFraction"] < 1 and got["kl"] > 0 and got["entropy"] > 0


@pytest.mark.parametrize("loss_type", ["grpo", "dr_grpo"])
def test_one_update_per_rollout_uses_the_detached_training_logprob_as_pi_old(loss_type):
    """Sampler log-probs off by a known amount (fault injection) change neither the loss nor the clipping; the
    step reports the mismatch instead."""
    eng = make_engine()
    rid = rollout(eng, temperature=0.7)
    rows = eng.rollouts.get(rid).rows
    for r in rows:  # stored pi_old := the trainer's own log-prob + 0.5
        ids = torch.tensor([r.prompt_ids + r.completion_ids])
        with torch.no_grad():
            lp = torch.log_softmax(eng.policy.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0] / 0.7, -1)
        P = len(r.prompt_ids)
        r.logps = [lp[P - 1 + t, c].item() + 0.5 for t, c in enumerate(r.completion_ids)]
    clean = [dataclasses.replace(r, logps=[x - 0.5 for x in r.logps]) for r in rows]
    want = hand_loss_rows(eng, clean, loss_type, 0.1, 0.15, 5, 0.7)  # ratio 1 everywhere
    got = eng.train_policy({"rolloutId": rid, "advantages": ADV, "lossType": loss_type, "beta": 0.3,
                            "clip": {"low": 0.1, "high": 0.15}, "maxCompletionLength": 5, "microBatchSize": 2})
    assert got["loss"] == pytest.approx(want, rel=1e-4, abs=1e-6)
    assert got["clipFraction"] == 0 and got["skipped"] == 1 and got["step"] == 1 and got["gradNorm"] > 0
    assert got["logprobMismatch"] == pytest.approx(0.5, abs=1e-4)
    assert got["logprobMismatchMax"] == pytest.approx(0.5, abs=1e-4)


def test_on_policy_ratio_is_one():
    eng = make_engine()
    rid, _ = eng.generate(PROMPTS, 3, Sampling(temperature=1.0, max_tokens=8), seed=1)
    got = eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, 0, 1, -1], "beta": 0.1})
    assert got["clipFraction"] == 0 and got["kl"] == pytest.approx(0, abs=1e-6)


def test_micro_batching_gives_the_same_gradients():
    eng = make_engine()
    rid = rollout(eng)
    rows = eng.rollouts.get(rid).rows
    items = [(r.prompt_ids, r.completion_ids, r.logps, a) for r, a in zip(rows, ADV) if a is not None]
    grads, losses = [], []
    for micro in (1, 2, 5):
        for loss_type in ("grpo", "dapo", "dr_grpo"):
            eng.opt.zero_grad(set_to_none=True)
            st = policy_step(eng.policy, items, loss_type=loss_type, low=0.2, high=0.2, beta=0.1, max_len=6,
                             micro=micro, temperature=1.0)
            losses.append(st["loss"])
            grads.append(torch.cat([p.grad.flatten() for p in eng.policy.module.parameters()]))
    for k in range(3, 9):
        assert losses[k] == pytest.approx(losses[k % 3], rel=1e-5)
        assert torch.allclose(grads[k], grads[k % 3], atol=1e-6, rtol=1e-4)


def test_all_null_advantages_take_no_step_and_wrong_length_is_rejected():
    eng = make_engine()
    rid, _ = eng.generate(PROMPTS, 1, Sampling(max_tokens=4), seed=1)
    got = eng.train_policy({"rolloutId": rid, "advantages": [None, None]})
    assert got["step"] == 0 and got["tokens"] == 0 and got["skipped"] == 2
    with pytest.raises(ApiError) as e:
        eng.train_policy({"rolloutId": rid, "advantages": [1.0]})
    assert e.value.status == 400 and e.value.path == "advantages"
    with pytest.raises(ApiError) as e:
        eng.train_policy({"rolloutId": "r-missing", "advantages": [1.0]})
    assert e.value.status == 404 and e.value.code == "ROLLOUT_NOT_FOUND"


def test_rollout_store_evicts_least_recently_used():
    eng = make_engine()
    eng.rollouts.capacity = 2
    ids = [eng.generate(PROMPTS[:1], 1, Sampling(max_tokens=2), seed=i)[0] for i in range(3)]
    with pytest.raises(ApiError):
        eng.rollouts.get(ids[0])
    assert eng.rollouts.get(ids[2])


def test_learning_rate_is_applied():
    eng = make_engine()
    rid, _ = eng.generate(PROMPTS, 1, Sampling(max_tokens=4), seed=1)
    eng.train_policy({"rolloutId": rid, "advantages": [1, -1], "learningRate": 1e-2})
    assert eng.opt.param_groups[0]["lr"] == 1e-2
