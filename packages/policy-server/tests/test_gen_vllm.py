"""The vllm engine against the eager reference on a tiny random Qwen3 (LoRA), when vLLM is importable.

vLLM is optional and never installed by `npm run setup` (it pins its own torch and transformers), so this module
skips loudly where it is missing, on CI too: it is not counted as passed there. It runs with vLLM's CPU build in a
Python of its own (packages/policy-server/README.md, "vLLM"). vLLM's CPU attention needs head_dim >= 32, hence the
model's head_dim 32."""
import importlib.util
import sys

import pytest
import torch

from conftest import CHATS
from molrl_policy.engine import Engine
from molrl_policy.generate import Sampling

if importlib.util.find_spec("vllm") is None:
    why = f"vllm is not installed for {sys.executable} (optional; see the policy-server README, section vLLM)"
    print(f"\n  !!! SKIPPED (optional engine, not a failure on CI): {why}", file=sys.stderr)
    pytest.skip(why, allow_module_level=True)

PROMPTS = CHATS


@pytest.fixture(scope="module", params=[4, 0], ids=["lora", "full"])
def engines(request, tmp_path_factory):
    """(eager Engine, vllm Engine) over one policy (LoRA r 4, or full fine-tuning) whose weights were scrambled to a
    larger scale."""
    from molrl_policy import hf, testing
    from molrl_policy.gen_vllm import VLLMEngine

    d = testing.model_dir(str(tmp_path_factory.mktemp("vllm") / "qwen3"), "qwen3", head_dim=32)
    policy = hf.load_policy("hf:" + d, opts=hf.HFOptions(lora_r=request.param, gradient_checkpointing=False))
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in policy.module.named_parameters():
            if p.dim() == 2 and "lora_" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    vl = VLLMEngine(policy, max_model_len=256)
    return Engine(policy, lr=1e-3), Engine(policy, lr=1e-3, generator=vl)


def run(eng, s, prompts=PROMPTS, n=2, seed=0):
    rid, comps = eng.generate(prompts, n, s, seed)
    return [r.completion_ids for r in eng.rollouts.get(rid).rows], comps, rid


def test_greedy_equals_eager_token_for_token(engines):
    eager, vl = engines
    s = Sampling(temperature=0, max_tokens=24)
    a, ca, _ = run(eager, s)
    b, cb, _ = run(vl, s)
    assert a == b and ca == cb and max(len(set(c)) for c in a) > 5


def test_sampled_logprobs_equal_the_training_forward(engines):
    _, vl = engines
    _, _, rid = run(vl, Sampling(temperature=0.8, max_tokens=16), n=4, seed=3)
    out = vl.train_policy({"rolloutId": rid, "advantages": [0.0] * 12})  # zero advantages: no change, a mismatch reading
    assert out["tokens"] > 50 and out["logprobMismatchMax"] <= 1e-4, out


def test_stop_strings_and_eos_ids_as_in_eager(engines):
    eager, vl = engines
    _, full, _ = run(eager, Sampling(temperature=0, max_tokens=24), n=1)
    stop = next(c["text"][3:5] for c in full if len(c["text"]) > 8)
    s = Sampling(temperature=0, max_tokens=24, stop=[stop])
    a, ca, _ = run(eager, s, n=1)
    b, cb, _ = run(vl, s, n=1)
    assert a == b and ca == cb and any(c["finishReason"] == "stop" for c in cb)
    tok = vl.policy.tok
    old = tok.eos_ids
    try:
        tok.eos_ids = (10**6, a[1][3])  # the second EOS id appears in the second completion
        a, ca, _ = run(eager, Sampling(temperature=0, max_tokens=24), n=1)
        b, cb, _ = run(vl, Sampling(temperature=0, max_tokens=24), n=1)
        assert a == b and ca == cb and cb[1]["finishReason"] == "stop"
    finally:
        tok.eos_ids = old


def test_weights_are_synced_after_a_policy_step(engines):
    eager, vl = engines
    s = Sampling(temperature=0, max_tokens=24)
    before, _, _ = run(vl, s)
    rid = run(vl, Sampling(temperature=1.0, max_tokens=16), n=4, seed=2)[2]
    vl.train_policy({"rolloutId": rid, "advantages": [1.0, -1.0] * 6, "learningRate": 0.05})
    after_vllm, _, _ = run(vl, s)
    after_eager, _, _ = run(eager, s)
    assert after_vllm == after_eager and after_vllm != before


def test_tis_corrects_the_mismatch_of_vllm_top_k_logprobs(engines):
    """With top-k, vLLM's pi_old is renormalised over the k kept tokens (processed_logprobs), so it exceeds the
    trainer's: the mismatch shows, and tisCap weights each token by min(exp(log p_train - log p_vllm), cap) < 1."""
    _, vl = engines
    cap = 2.0
    _, _, rid = run(vl, Sampling(temperature=1.0, top_k=3, max_tokens=12), n=2, seed=4)
    rows = vl.rollouts.get(rid).rows
    want, n = 0.0, 0
    for r in rows:
        ids = torch.tensor([r.prompt_ids + r.completion_ids])
        with torch.no_grad():
            lp = torch.log_softmax(vl.policy.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0], -1)  # (T, V)
        P = len(r.prompt_ids)
        train = lp[P - 1:-1].gather(1, ids[0, P:, None]).squeeze(1)  # (S,)
        want += torch.exp(train - torch.tensor(r.logps)).clamp(max=cap).sum().item()
        n += len(r.completion_ids)
    out = vl.train_policy({"rolloutId": rid, "advantages": [0.0] * len(rows), "tisCap": cap})  # A = 0: weights unchanged
    assert out["logprobMismatchMax"] > 1e-3, out  # the top-k renormalisation is visible
    assert out["tisWeightMean"] == pytest.approx(want / n, abs=1e-4) and out["tisWeightMean"] < 1.0, out
