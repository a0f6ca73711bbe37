"""The chunked output head equals the plain one, never builds a (B, S, V) tensor, and micro-batches obey their budget."""
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from conftest import make_engine
from molrl_policy import head
from molrl_policy.generate import Sampling
from molrl_policy.head import micro_batches


class LargestTensor(TorchDispatchMode):
    """Records the largest tensor any aten op produces (forward and backward)."""

    def __init__(self):
        super().__init__()
        self.largest = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in (out if isinstance(out, (tuple, list)) else [out]):
            if isinstance(t, torch.Tensor):
                self.largest = max(self.largest, t.numel())
        return out


def test_chunked_logps_and_kl_equal_the_full_computation():
    g = torch.Generator().manual_seed(0)
    h = torch.randn(37, 16, generator=g, requires_grad=True)
    W = torch.randn(50, 16, generator=g, requires_grad=True)
    h_ref = torch.randn(37, 16, generator=g)
    t = torch.randint(0, 45, (37,), generator=g)
    full = torch.log_softmax(h @ W[:45].T / 0.7, -1)
    lp, ent = head.token_logps(h, W, t, 45, 0.7, chunk=8)
    assert torch.allclose(lp, full.gather(1, t[:, None]).squeeze(1), atol=1e-6)
    assert torch.allclose(ent, -(full.exp() * full).sum(-1), atol=1e-5)
    ga = torch.autograd.grad(lp.sum(), [h, W])
    gb = torch.autograd.grad(full.gather(1, t[:, None]).sum(), [h, W])
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(ga, gb))
    ce, kl = head.ce_and_kl(h, W, t, 45, h_ref, W, chunk=5)
    lp1, lr = torch.log_softmax(h @ W[:45].T, -1), torch.log_softmax(h_ref @ W[:45].T, -1)
    assert torch.allclose(ce, -lp1.gather(1, t[:, None]).squeeze(1), atol=1e-5)
    assert torch.allclose(kl, (lp1.exp() * (lp1 - lr)).sum(-1), atol=1e-5)


def test_policy_and_mol_steps_never_hold_a_batch_of_full_logits():
    eng = make_engine(d_model=16)  # small activations: the full logits would be the largest tensor by far
    V = eng.policy.tok.vocab_size
    eng.logits_chunk = 4
    rid, comps = eng.generate([{"id": "a", "text": "Q: 1+1\nA:"}], 8, Sampling(max_tokens=12), 1)
    positions = sum(c["tokenCount"] for c in comps)
    with LargestTensor() as spy:
        eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 4, "beta": 0.1, "microBatchSize": 8})
        eng.train_mol({"examples": [{"segments": [{"text": "Q: 1+1\nA:", "loss": "kl"}, {"text": " 2", "loss": "ce"}]}] * 8,
                       "mode": "mol", "microBatchSize": 8})
    assert positions > 40  # the prompt alone is 12 positions per row: full logits would be >= 8 x 12 x V
    assert spy.largest < 8 * 10 * V, spy.largest


@pytest.mark.parametrize("lengths,rows,tokens,want", [
    ([5, 5, 5, 5], 8, None, [[0, 1, 2, 3]]),
    ([5, 5, 5, 5], 3, None, [[0, 1, 2], [3]]),
    ([5, 5, 9, 2], 8, 18, [[0, 1], [2, 3]]),
    ([30, 2], 8, 10, [[0], [1]]),  # a row longer than the budget still gets its own micro-batch
])
def test_micro_batches_respect_rows_and_tokens(lengths, rows, tokens, want):
    assert micro_batches(lengths, rows, tokens) == want


def test_a_token_budget_does_not_change_the_step():
    a, b = make_engine(), make_engine()
    ra, _ = a.generate([{"id": "a", "text": "Q: 1+1\nA:"}], 6, Sampling(max_tokens=10), 1)
    rb, _ = b.generate([{"id": "a", "text": "Q: 1+1\nA:"}], 6, Sampling(max_tokens=10), 1)
    x = a.train_policy({"rolloutId": ra, "advantages": [1, -1] * 3, "lossType": "dr_grpo"})
    y = b.train_policy({"rolloutId": rb, "advantages": [1, -1] * 3, "lossType": "dr_grpo", "microBatchTokens": 25})
    assert x["loss"] == pytest.approx(y["loss"], rel=1e-5) and x["gradNorm"] == pytest.approx(y["gradNorm"], rel=1e-4)
