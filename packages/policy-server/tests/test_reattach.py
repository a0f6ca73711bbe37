"""moreRollouts[].reattach (importance form of feedback-guided regeneration): completions sampled under x + o are
trained under x, the advantage times the detached sequence weight min(pi_theta(y|x) / pi_behav(y|x+o), cap),
checked against a hand computation."""
import math
from types import SimpleNamespace

import pytest
import torch

from conftest import make_engine
from molrl_policy.errors import ApiError
from molrl_policy.generate import Sampling
from molrl_policy.reattach import sequence_weight

X = "Q: 1+1\nA:"
XO = "Q: 1+1\nA: 5\nObservation: Execution logs:\n5\n"


def test_sequence_weight_is_the_capped_probability_ratio_of_the_whole_completion():
    assert sequence_weight([-1.0, -2.0], [-1.5, -2.5], 10.0) == pytest.approx(math.e)  # exp(-3 + 4)
    assert sequence_weight([-1.0, -2.0], [-1.5, -2.5], 2.0) == 2.0
    assert sequence_weight([-4.0], [-1.0], 1.0) == pytest.approx(math.exp(-3.0))


def _logps_under(policy, prompt_ids, completion_ids):
    ids = torch.tensor([prompt_ids + completion_ids])
    with torch.no_grad():
        lp = torch.log_softmax(policy.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0], -1)
    P = len(prompt_ids)
    return lp[P - 1:-1].gather(1, ids[0, P:, None]).squeeze(1).tolist()


def _rollouts(eng):
    eng.policy.tok.eos_ids = (10**6,)  # every completion has max_tokens tokens
    s = Sampling(temperature=1.0, max_tokens=4)
    original, _ = eng.generate([{"id": "x", "text": X}], 2, s, 1)
    regenerated, _ = eng.generate([{"id": "x#fb1.0", "text": XO}, {"id": "x#fb1.1", "text": XO}], 1, s, 2)
    return original, regenerated


def test_reattached_completions_train_under_the_original_prompt_with_the_capped_weight():
    eng = make_engine()
    original, regenerated = _rollouts(eng)
    x_ids = eng.rollouts.get(original).rows[0].prompt_ids
    rows = eng.rollouts.get(regenerated).rows
    assert rows[0].prompt_ids != x_ids  # sampled under x + o
    adv = [1.5, -0.5]
    w = [math.exp(sum(_logps_under(eng.policy, x_ids, r.completion_ids)) - sum(r.logps)) for r in rows]
    reattach = {"rows": [{"rolloutId": original, "row": 0}, {"rolloutId": original, "row": 1}], "weightCap": 1e9}
    out = eng.train_policy({"rolloutId": original, "advantages": [None, None], "lossType": "grpo",
                            "moreRollouts": [{"rolloutId": regenerated, "advantages": adv, "reattach": reattach}]})
    # ratio 1 in value (one on-policy update): per token -A w; grpo: token mean per sequence, mean over the 2 sequences
    assert out["loss"] == pytest.approx(-(adv[0] * w[0] + adv[1] * w[1]) / 2, rel=1e-4, abs=1e-6)
    assert out["importanceWeightMean"] == pytest.approx(sum(w) / 2, rel=1e-4)
    assert out["logprobMismatchMax"] < 1e-4  # the items' log-probs are the trainer's under x


def test_the_cap_bounds_the_weight_and_a_plain_request_has_no_weight():
    eng = make_engine()
    original, regenerated = _rollouts(eng)
    reattach = {"rows": [{"rolloutId": original, "row": 1}, {"rolloutId": original, "row": 1}], "weightCap": 1e-6}
    out = eng.train_policy({"rolloutId": original, "advantages": [None, None], "lossType": "grpo",
                            "moreRollouts": [{"rolloutId": regenerated, "advantages": [1.0, 1.0], "reattach": reattach}]})
    assert out["importanceWeightMean"] == pytest.approx(1e-6) and out["loss"] == pytest.approx(-1e-6, abs=1e-9)
    plain = eng.train_policy({"rolloutId": original, "advantages": [1.0, None]})
    assert "importanceWeightMean" not in plain


def test_bad_reattach_rows_are_coded_errors_with_their_path():
    eng = make_engine()
    original, regenerated = _rollouts(eng)
    for rows, path in [([{"rolloutId": original, "row": 0}], "moreRollouts[0].reattach.rows"),
                       ([{"rolloutId": original, "row": 0}, {"rolloutId": original, "row": 7}],
                        "moreRollouts[0].reattach.rows[1]")]:
        with pytest.raises(ApiError) as err:
            eng.train_policy({"rolloutId": original, "advantages": [None, None],
                              "moreRollouts": [{"rolloutId": regenerated, "advantages": [1.0, 1.0],
                                                "reattach": {"rows": rows, "weightCap": 1.0}}]})
        assert err.value.status == 400 and err.value.path == path
