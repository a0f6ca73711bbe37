"""Truncated importance sampling (tisCap): the policy term of each token weighted by
min(exp(log p_train - log p_sampler), cap), checked against a loss computed by hand."""
import math

import pytest
import torch

from conftest import make_engine
from molrl_policy.generate import Sampling
from molrl_policy.losses import per_token_loss, tis_weight


def test_tis_weight_is_the_capped_ratio_and_weights_only_the_policy_term():
    train = torch.tensor([[0.0, -1.0, -2.0]])
    sampler = torch.tensor([[-0.5, -3.0, -1.0]])  # ratios e^0.5, e^2, e^-1
    w = tis_weight(train, sampler, 2.0)
    assert torch.allclose(w, torch.tensor([[math.exp(0.5), 2.0, math.exp(-1.0)]]))
    logp = train.clone()
    l, kl, _, _ = per_token_loss(logp, logp, torch.tensor([3.0]), 0.2, 0.2, beta=0.5, ref=logp - 1.0, weight=w)
    k3 = math.exp(-1.0) + 1.0 - 1.0  # exp(ref - logp) - (ref - logp) - 1 with ref - logp = -1
    want = [-3.0 * x + 0.5 * k3 for x in w[0].tolist()]  # ratio 1: -A * w, plus the unweighted KL term
    assert torch.allclose(l, torch.tensor([want])) and torch.allclose(kl, torch.full((1, 3), k3))


def _trainer_logps(policy, row, temperature):
    ids = torch.tensor([row.prompt_ids + row.completion_ids])
    with torch.no_grad():
        lp = torch.log_softmax(policy.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0] / temperature, -1)
    P = len(row.prompt_ids)
    return lp[P - 1:-1].gather(1, ids[0, P:, None]).squeeze(1).tolist()


@pytest.mark.parametrize("loss_type", ["grpo", "dapo"])
def test_train_policy_with_tis_cap_matches_a_hand_computed_loss(loss_type):
    eng = make_engine()
    eng.policy.tok.eos_ids = (10**6,)  # every completion has max_tokens tokens
    rid, _ = eng.generate([{"id": "a", "text": "Q: 1+1\nA:"}], 2, Sampling(temperature=1.0, max_tokens=4), 1)
    rows = eng.rollouts.get(rid).rows
    gaps = [[0.5, 2.0, -1.0, 0.0], [1.5, -0.2, 0.1, 3.0]]  # log p_train - log p_sampler per token
    for r, g in zip(rows, gaps):
        r.logps = [t - d for t, d in zip(_trainer_logps(eng.policy, r, 1.0), g)]
    adv = [1.5, -0.5]
    cap = 2.0
    w = [[min(math.exp(d), cap) for d in g] for g in gaps]
    per_tok = [[-a * x for x in ws] for a, ws in zip(adv, w)]  # ratio 1 in value (pi_old = detached trainer)
    if loss_type == "grpo":
        want = sum(sum(p) / len(p) for p in per_tok) / len(per_tok)
    else:
        want = sum(map(sum, per_tok)) / sum(map(len, per_tok))
    out = eng.train_policy({"rolloutId": rid, "advantages": adv, "lossType": loss_type, "tisCap": cap})
    assert out["loss"] == pytest.approx(want, abs=1e-5)
    assert out["tisWeightMean"] == pytest.approx(sum(map(sum, w)) / 8, abs=1e-5)
    assert out["logprobMismatchMax"] == pytest.approx(3.0, abs=1e-4)
    plain = make_engine()  # the same without tisCap: the unweighted loss, no tisWeightMean
    plain.policy.tok.eos_ids = (10**6,)
    rid, _ = plain.generate([{"id": "a", "text": "Q: 1+1\nA:"}], 2, Sampling(temperature=1.0, max_tokens=4), 1)
    out = plain.train_policy({"rolloutId": rid, "advantages": adv, "lossType": loss_type})
    assert out["loss"] == pytest.approx(-sum(adv) / 2, abs=1e-5) and "tisWeightMean" not in out
