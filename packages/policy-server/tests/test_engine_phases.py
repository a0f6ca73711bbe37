"""Phase boundaries on the engine: the learning rate never carries over between requests; resetOptimizer."""
import copy

import torch

from conftest import make_engine

MOL = {"examples": [{"segments": [{"text": "Q: 5-2\nA:", "loss": "none"}, {"text": " 3", "loss": "ce"}]}], "mode": "ce"}


def weights(eng):
    return [p.detach().clone() for p in eng.policy.module.parameters()]


def test_a_step_without_a_learning_rate_uses_the_servers_initial_rate_not_the_last_one():
    eng = make_engine(lr=1e-3)
    assert eng.train_mol({**MOL, "learningRate": 1e-11})["learningRate"] == 1e-11  # the end of a cosine SFT phase
    out = eng.train_mol(MOL)  # the next phase sends no rate
    assert out["learningRate"] == 1e-3
    assert all(g["lr"] == 1e-3 for g in eng.opt.param_groups)


def test_the_rate_a_step_reports_is_the_one_it_trained_with():
    a, b = make_engine(lr=1e-3), make_engine(lr=1e-3)
    a.train_mol({**MOL, "learningRate": 1e-11})
    a.train_mol(MOL)
    b.train_mol({**MOL, "learningRate": 1e-11})
    b.train_mol({**MOL, "learningRate": 1e-3})
    assert all(torch.equal(x, y) for x, y in zip(weights(a), weights(b)))


def test_reset_optimizer_makes_the_next_step_that_of_a_fresh_optimizer():
    eng = make_engine(lr=1e-3)
    for _ in range(3):
        eng.train_mol(MOL)
    kept = copy.deepcopy(eng)  # same weights and optimizer moments, no reset
    fresh = make_engine(lr=1e-3)  # same weights, a new optimizer
    with torch.no_grad():
        for p, q in zip(fresh.policy.module.parameters(), eng.policy.module.parameters()):
            p.copy_(q)
    out = eng.start_phase({"resetOptimizer": True})
    assert out == {"step": 3, "reference": "base", "optimizerReset": True} and len(eng.opt.state) == 0
    for e in (eng, kept, fresh):
        e.train_mol(MOL)
    assert all(torch.equal(x, y) for x, y in zip(weights(eng), weights(fresh)))
    assert not all(torch.equal(x, y) for x, y in zip(weights(eng), weights(kept)))
    assert eng.step == 4  # the step count is the run's, not the optimizer's
