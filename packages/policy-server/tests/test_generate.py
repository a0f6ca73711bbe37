"""Sampling behaves: greedy is deterministic, top-k 1 = greedy, seeds reproduce, stop strings stop, KV cache = no cache."""
import torch

from conftest import make_engine
from molrl_policy.generate import Sampling, generate
from molrl_policy.tokenizer import EOS


P = [{"id": "a", "text": "Q: 12+7\nA:"}, {"id": "b", "messages": [{"role": "user", "content": "hi"}]}]


def texts(engine, s, seed=None, n=3, kv=True):
    _, comps = engine.generate(P, n, s, seed, kv_cache=kv)
    return [c["text"] for c in comps], comps


def test_temperature_zero_is_deterministic_and_equal_across_samples(engine):
    a, comps = texts(engine, Sampling(temperature=0, max_tokens=12), seed=1)
    b, _ = texts(engine, Sampling(temperature=0, max_tokens=12), seed=2)
    assert a == b
    assert a[0] == a[1] == a[2] and a[3] == a[4] == a[5]
    assert [(c["promptId"], c["index"]) for c in comps] == [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("b", 2)]


def test_top_k_one_equals_greedy(engine):
    greedy, _ = texts(engine, Sampling(temperature=0, max_tokens=12))
    topk, _ = texts(engine, Sampling(temperature=1.5, top_k=1, max_tokens=12), seed=5)
    assert topk == greedy


def test_seed_reproduces_sampling_and_other_seeds_differ(engine):
    s = Sampling(temperature=1.0, max_tokens=16)
    a, _ = texts(engine, s, seed=7)
    b, _ = texts(engine, s, seed=7)
    c, _ = texts(engine, s, seed=8)
    assert a == b and a != c


def test_kv_cache_matches_full_recompute(engine):
    s = Sampling(temperature=0.8, top_p=0.9, max_tokens=20)
    a, _ = texts(engine, s, seed=3)
    b, _ = texts(engine, s, seed=3, kv=False)
    assert a == b
    rid, _ = engine.generate(P, 2, s, 3)
    rows = engine.rollouts.get(rid).rows
    pol = engine.policy
    for r in rows:  # stored old log-probs = a full forward over prompt + completion
        ids = torch.tensor([r.prompt_ids + r.completion_ids])
        logp = torch.log_softmax(pol.logits(ids, torch.ones_like(ids, dtype=torch.bool))[0] / 0.8, -1)
        P0 = len(r.prompt_ids)
        want = logp[P0 - 1:-1].gather(1, ids[0, P0:, None]).squeeze(1)
        assert torch.allclose(torch.tensor(r.logps), want, atol=1e-4)


def test_stop_string_stops_and_is_cut_from_the_text(engine):
    full, _ = texts(engine, Sampling(temperature=0, max_tokens=16), n=1)
    stop = full[0][3:5]
    assert len(stop) == 2
    cut, comps = texts(engine, Sampling(temperature=0, max_tokens=16, stop=[stop]), n=1)
    assert cut[0] == full[0][: full[0].find(stop)]
    assert comps[0]["finishReason"] == "stop"
    assert comps[0]["tokenCount"] == full[0].find(stop) + 2


def test_context_limit_and_max_tokens_give_length():
    eng = make_engine(context=16)
    _, comps = eng.generate([{"id": "a", "text": "0123456789"}], 1, Sampling(temperature=0, max_tokens=100), 0)
    assert comps[0]["finishReason"] == "length" and comps[0]["tokenCount"] == 16 - 11
    _, comps = eng.generate([{"id": "a", "text": "x"}], 1, Sampling(temperature=0, max_tokens=3), 0)
    assert comps[0]["tokenCount"] == 3 and comps[0]["finishReason"] == "length"


def test_rows_are_reported_as_they_finish(engine):
    pol = engine.policy
    full = generate(pol, [[256, 65], [256, 66, 67]], 1, Sampling(temperature=0, max_tokens=12), 0)
    stop = full[0].text[1:3]
    assert stop not in full[1].text[:11]
    seen = []
    rows = generate(pol, [[256, 65], [256, 66, 67]], 1, Sampling(temperature=0, max_tokens=12, stop=[stop]), 0,
                    on_finish=lambda r: seen.append((r.prompt_index, len(r.completion_ids))))
    assert seen == [(0, full[0].text.find(stop) + 2), (1, 12)]  # the short row first, not all at the end
    assert [r.prompt_index for r in rows] == [0, 1]


def test_eos_ends_a_completion_with_finish_reason_stop(engine):
    pol = engine.policy
    with torch.no_grad():  # make EOS the argmax everywhere: ln_f outputs a multiple of EOS's embedding
        pol.module.wte.weight[EOS] *= 10
        pol.module.ln_f.weight.zero_()
        pol.module.ln_f.bias.copy_(pol.module.wte.weight[EOS])
    rows = generate(pol, [[256, 65]], 1, Sampling(temperature=0, max_tokens=4), 0)
    assert rows[0].completion_ids == [EOS] and rows[0].finish_reason == "stop" and rows[0].text == ""


def greedy_by_hand(engine, prompt_ids, steps, penalty):
    """Greedy decoding without a cache: argmax of the last logits minus `penalty` on tokens already generated."""
    out = []
    for _ in range(steps):
        x = torch.tensor([prompt_ids + out])
        with torch.no_grad():
            logits = engine.policy.logits(x, torch.ones_like(x, dtype=torch.bool))[0, -1].float()  # (V,)
        logits[list(engine.policy.tok.banned_ids)] = float("-inf")
        if out:
            logits[sorted(set(out))] -= penalty
        out.append(int(logits.argmax()))
    return out


def test_presence_penalty_changes_greedy_output_as_computed_by_hand(engine):
    prompt = engine.encode_prompt(P[0], 0)
    plain = generate(engine.policy, [prompt], 1, Sampling(temperature=0, max_tokens=16), 0)[0].completion_ids
    penalised = generate(engine.policy, [prompt], 1, Sampling(temperature=0, max_tokens=16, presence_penalty=2.0), 0)[0].completion_ids
    assert len(set(plain)) < len(plain), "the unpenalised greedy completion repeats a token (else this test shows nothing)"
    assert penalised != plain
    assert len(set(penalised)) > len(set(plain))
    assert EOS not in plain + penalised  # both ran the full 16 steps, so the hand loop can follow them
    assert plain == greedy_by_hand(engine, prompt, 16, 0.0)
    assert penalised == greedy_by_hand(engine, prompt, 16, 2.0)
