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
        logps = [lp[P - 1 + t, c].item() for t, c in enumerate(comp)]
        seq_ratio = math.exp(sum(x - o for x, o in zip(logps, r.logps)) / len(comp))  # GSPO's s_i
        for t, c in enumerate(comp):
            logp, ref, old = logps[t], rp[P - 1 + t, c].item(), r.logps[t]
            ratio = seq_ratio if loss_type == "gspo" else math.exp(logp - old)
            if loss_type == "cispo":
                l = -min(ratio, 1 + high) * a * logp
            else:
                l = -min(ratio * a, min(max(ratio, 1 - low), 1 + high) * a)
            l += beta * (math.exp(ref - logp) - (ref - logp) - 1)
            tok_losses.append(l)
        seq_losses.append(tok_losses)
        all_tokens += tok_losses
    B, N = len(seq_losses), len(all_tokens)
    if loss_type in ("grpo", "gspo"):
        return sum(sum(s) / len(s) for s in seq_losses) / B
    if loss_type in ("bnpo", "dapo", "cispo"):
        return sum(all_tokens) / N
    return sum(all_tokens) / (B * L)


def items_of(eng, rid):
    return [(r.prompt_ids, r.completion_ids, r.logps, a) for r, a in zip(eng.rollouts.get(rid).rows, ADV)
            if a is not None]


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo", "dapo", "gspo", "cispo"])
def test_loss_matches_hand_computation(loss_type):
    """The clipped objective against a pi_old that differs from the policy (several updates per rollout)."""
    eng = make_engine()
    rid = rollout(eng, temperature=0.7)
    want = hand_loss(eng, rid, loss_type, 0.1, 0.15, 0.3, 5, 0.7)
    got = policy_step(eng.policy, items_of(eng, rid), loss_type=loss_type, low=0.1, high=0.15, beta=0.3, max_len=5,
                      micro=2, temperature=0.7, old_from_sampler=True)
    assert got["loss"] == pytest.approx(want, rel=1e-4, abs=1e-6)
    assert got["tokens"] == sum(min(5, len(c)) for _, c, _, _ in items_of(eng, rid))
    assert 0 < got["clipFraction"] < 1 and got["kl"] > 0 and got["entropy"] > 0 and got["approxKl"] > 0
    assert got["clipFraction"] == pytest.approx(got["clipFractionLow"] + got["clipFractionHigh"])


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


def hand_clip_and_approx_kl(eng, rid, low, high, L, temperature):
    """Token shares clipped low / high and mean (rho - 1) - log rho, straight from the definitions."""
    lo = hi = akl = n = 0
    for r, a in zip(eng.rollouts.get(rid).rows, ADV):
        if a is None:
            continue
        ids = torch.tensor([r.prompt_ids + r.completion_ids[:L]])
        with torch.no_grad():
            lp = torch.log_softmax(eng.policy.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0] / temperature, -1)
        P = len(r.prompt_ids)
        for t, c in enumerate(r.completion_ids[:L]):
            rho = math.exp(lp[P - 1 + t, c].item() - r.logps[t])
            lo += rho < 1 - low and a < 0
            hi += rho > 1 + high and a > 0
            akl += rho - 1 - math.log(rho)
            n += 1
    return lo / n, hi / n, akl / n


def test_clip_fractions_low_high_and_approx_kl_match_hand_counts():
    eng = make_engine()
    rid = rollout(eng, temperature=0.7)
    got = policy_step(eng.policy, items_of(eng, rid), loss_type="dapo", low=0.05, high=0.05, beta=0.0, max_len=5,
                      micro=2, temperature=0.7, old_from_sampler=True)
    lo, hi, akl = hand_clip_and_approx_kl(eng, rid, 0.05, 0.05, 5, 0.7)
    assert got["clipFractionLow"] == pytest.approx(lo) and got["clipFractionHigh"] == pytest.approx(hi)
    assert lo > 0 and hi > 0
    assert got["approxKl"] == pytest.approx(akl, rel=1e-4)


def params(eng):
    return [p.detach().clone() for p in eng.policy.module.parameters()]


def test_one_update_and_one_mini_batch_are_todays_step_bit_for_bit():
    """updatesPerBatch 1 / miniBatches 1 given explicitly take the very step of a request that names neither."""
    got = []
    for extra in ({}, {"updatesPerBatch": 1, "miniBatches": 1}):
        eng = make_engine()
        rid = rollout(eng, temperature=0.7)
        st = eng.train_policy({"rolloutId": rid, "advantages": ADV, "lossType": "dr_grpo", "beta": 0.1,
                               "maxCompletionLength": 6, "microBatchSize": 2, **extra})
        got.append((params(eng), st))
    (p0, s0), (p1, s1) = got
    assert all(torch.equal(a, b) for a, b in zip(p0, p1))
    assert {k: v for k, v in s0.items() if k != "durationMs"} == {k: v for k, v in s1.items() if k != "durationMs"}
    assert s0["updates"] == 1 and s0["approxKl"] == 0 and s0["clipFraction"] == 0


@pytest.mark.parametrize("loss_type", ["grpo", "gspo", "cispo"])
def test_several_updates_use_the_kept_pi_old_in_every_mini_batch(loss_type):
    """mu = 2 passes x 2 mini-batches = 4 optimizer steps, each ratio against the trainer's log-probs before the first
    update (kept on the rollout): replayed by hand with policy_step + the optimizer gives the same weights."""
    eng, ref = make_engine(lr=1e-2), make_engine(lr=1e-2)
    for e in (eng, ref):  # plain SGD: Adam's first steps follow the sign of near-zero gradients, too touchy to compare
        e.opt = torch.optim.SGD(e.params, lr=e.base_lr)
    rid, rid_ref = rollout(eng, temperature=0.7), rollout(ref, temperature=0.7)
    req = {"advantages": ADV, "lossType": loss_type, "clip": {"low": 0.1, "high": 0.1}, "maxCompletionLength": 6,
           "microBatchSize": 2, "updatesPerBatch": 2, "miniBatches": 2}
    start = params(eng)
    st = eng.train_policy({"rolloutId": rid, **req})
    assert st["updates"] == 4 and st["step"] == 4 and st["skipped"] == 1
    assert st["approxKl"] > 0 and st["tokens"] == sum(min(6, len(c)) for _, c, _, _ in items_of(ref, rid_ref))
    # pi_old by hand: the reference engine's per-row log-probs before any update
    rows = [r for r, a in zip(ref.rollouts.get(rid_ref).rows, ADV) if a is not None]
    old = []
    for r in rows:
        ids = torch.tensor([r.prompt_ids + r.completion_ids[:6]])
        with torch.no_grad():
            lp = torch.log_softmax(ref.policy.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0] / 0.7, -1)
        P = len(r.prompt_ids)
        old.append([lp[P - 1 + t, c].item() for t, c in enumerate(r.completion_ids[:6])])
    kept = eng.rollouts.get(rid).old
    assert sorted(kept) == [0, 1, 3, 4, 5]
    for i, want in zip(sorted(kept), old):  # whole completions are kept (a longer maxCompletionLength reuses them)
        assert len(kept[i]) == len(eng.rollouts.get(rid).rows[i].completion_ids)
        assert kept[i][:6] == pytest.approx(want, abs=1e-5)
    items = [(r.prompt_ids, r.completion_ids, o, a) for r, o, a in zip(rows, old, [a for a in ADV if a is not None])]
    ref.policy.module.train()
    for _ in range(2):
        for chunk in (items[:3], items[3:]):
            ref.opt.zero_grad(set_to_none=True)
            s = policy_step(ref.policy, chunk, loss_type=loss_type, low=0.1, high=0.1, beta=0.0, max_len=6, micro=2,
                            temperature=0.7, old_from_sampler=True)
            ref._apply(ref.base_lr, 1.0, s["loss"])
    moved = max((a - b).abs().max().item() for a, b in zip(params(eng), start))
    assert moved > 1e-3  # the updates did move the weights
    for a, b in zip(params(eng), params(ref)):  # pi_old batched vs row by row: ~1e-7 apart
        assert torch.allclose(a, b, atol=1e-6)
    # a second request on the same rollout keeps the same pi_old
    before = {i: list(v) for i, v in kept.items()}
    eng.train_policy({"rolloutId": rid, **req})
    assert eng.rollouts.get(rid).old == before


def test_more_rollouts_train_as_one_batch():
    """Two rollouts in one request equal one step on their rows together (dapo: one token mean)."""
    eng, ref = make_engine(), make_engine()
    r1, _ = eng.generate(PROMPTS[:1], 3, Sampling(max_tokens=6), seed=3)
    r2, _ = eng.generate(PROMPTS[1:], 3, Sampling(max_tokens=6), seed=4)
    st = eng.train_policy({"rolloutId": r1, "advantages": [1, -1, None], "lossType": "dapo",
                           "moreRollouts": [{"rolloutId": r2, "advantages": [0.5, -0.5, 0]}]})
    a1, b1 = ref.generate(PROMPTS[:1], 3, Sampling(max_tokens=6), seed=3), ref.generate(PROMPTS[1:], 3,
                                                                                         Sampling(max_tokens=6), seed=4)
    rows = ref.rollouts.get(a1[0]).rows[:2] + ref.rollouts.get(b1[0]).rows
    items = [(r.prompt_ids, r.completion_ids, r.logps, a) for r, a in zip(rows, [1, -1, 0.5, -0.5, 0])]
    ref.policy.module.train()
    s = policy_step(ref.policy, items, loss_type="dapo", low=0.2, high=0.2, beta=0.0, max_len=6, micro=8,
                    temperature=1.0)
    assert st["loss"] == pytest.approx(s["loss"], rel=1e-6) and st["skipped"] == 1 and st["tokens"] == s["tokens"]
    with pytest.raises(ApiError) as e:
        eng.train_policy({"rolloutId": r1, "advantages": [1, -1, None],
                          "moreRollouts": [{"rolloutId": r2, "advantages": [1]}]})
    assert e.value.path == "moreRollouts[0].advantages"


def test_tis_cap_with_several_updates_is_refused():
    """TIS weighs against the sampler's log-probs, which several updates replace by the kept pi_old: refused."""
    eng = make_engine()
    rid = rollout(eng)
    with pytest.raises(ApiError) as e:
        eng.train_policy({"rolloutId": rid, "advantages": ADV, "tisCap": 2.0, "updatesPerBatch": 2})
    assert e.value.status == 400 and e.value.path == "tisCap" and eng.step == 0
