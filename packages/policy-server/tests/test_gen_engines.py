"""Every generation engine that runs here against the eager reference, on the tiny built-in model and the tiny random
Qwen3 / llama models: greedy token for token, batch and padding invariance, stop strings, EOS ids, length limits,
streaming, and pi_old equal to the training forward (the rollout/train mismatch stays below 1e-4 in fp32).

The static engine runs un-compiled here (its fixed-shape cache, masks, device sampling and host syncs are all
exercised; small `sync_every` and `bucket` so that every test crosses several syncs and width buckets);
test_compiled_static_step_on_cpu compiles its decode step (inductor on the tiny model, dynamo's trace through
transformers + PEFT on Qwen3)."""
import pytest
import torch

from conftest import CHATS, make_engine, make_hf_engine
from molrl_policy.config import ConfigError
from molrl_policy.engine import Engine
from molrl_policy.gen_engine import EagerEngine, make_engine as make_generator, resolve_name
from molrl_policy.gen_static import StaticEngine
from molrl_policy.generate import Sampling

MODELS = ["tiny", "qwen3", "llama"]
PROMPTS = CHATS


def _diverse(policy) -> None:
    """Random weights of a larger scale: greedy continuations vary instead of repeating one token (a stronger test)."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in policy.module.named_parameters():
            if p.dim() == 2 and "lora_" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)


def engines(model: str, hf_dirs, **static):
    """(eager Engine, static Engine) over one policy of `model`."""
    if model == "tiny":
        eng = make_engine(context=160)
    else:
        eng = make_hf_engine(hf_dirs(model))
    _diverse(eng.policy)
    eager = Engine(eng.policy, lr=1e-3)
    st = Engine(eng.policy, lr=1e-3, generator=StaticEngine(eng.policy, compile=False, **{"sync_every": 3,
                                                                                          "bucket": 8, **static}))
    return eager, st


def run(eng, s, prompts=PROMPTS, n=2, seed=0):
    rid, comps = eng.generate(prompts, n, s, seed)
    return [r.completion_ids for r in eng.rollouts.get(rid).rows], comps, rid


@pytest.mark.parametrize("model", MODELS)
def test_greedy_equals_eager_token_for_token(hf_dirs, model):
    eager, st = engines(model, hf_dirs)
    s = Sampling(temperature=0, max_tokens=24)
    a, ca, _ = run(eager, s)
    b, cb, _ = run(st, s)
    assert a == b and ca == cb
    assert max(len(set(c)) for c in a) > 5  # real continuations, not one repeated token


@pytest.mark.parametrize("model", MODELS)
def test_batch_and_padding_do_not_change_a_sequence(hf_dirs, model):
    _, st = engines(model, hf_dirs)
    s = Sampling(temperature=0, max_tokens=16)
    batch, _, _ = run(st, s, n=1)
    alone = [run(st, s, [p], n=1)[0][0] for p in PROMPTS]
    assert len({len(st.encode_prompt(p, i)) for i, p in enumerate(PROMPTS)}) == 3  # three padded lengths
    assert batch == alone


@pytest.mark.parametrize("model", MODELS)
def test_sampled_logprobs_equal_the_training_forward(hf_dirs, model):
    """pi_old stored by the static engine (temperature 0.8, top-p 0.9, presence penalty) against the log-probs the
    training forward computes for the same tokens."""
    _, st = engines(model, hf_dirs)
    s = Sampling(temperature=0.8, top_p=0.9, presence_penalty=0.5, max_tokens=16)
    _, _, rid = run(st, s, n=4, seed=3)
    out = st.train_policy({"rolloutId": rid, "advantages": [1.0, -1.0] * 6, "microBatchSize": 5})
    assert out["tokens"] > 50 and out["logprobMismatchMax"] <= 1e-4, out


@pytest.mark.parametrize("model", MODELS)
def test_stop_strings_stop_as_in_eager(hf_dirs, model):
    eager, st = engines(model, hf_dirs)
    s = Sampling(temperature=0, max_tokens=24)
    _, full, _ = run(eager, s, n=1)
    stop = next(c["text"][3:5] for c in full if len(c["text"]) > 8)
    s = Sampling(temperature=0, max_tokens=24, stop=[stop, "never-there"])
    a, ca, _ = run(eager, s, n=1)
    b, cb, _ = run(st, s, n=1)
    assert a == b and ca == cb
    assert any(c["finishReason"] == "stop" and stop not in c["text"] for c in cb)


@pytest.mark.parametrize("model", MODELS)
def test_generation_stops_at_any_eos_id(hf_dirs, model):
    eager, st = engines(model, hf_dirs)
    tok = st.policy.tok
    s = Sampling(temperature=1.0, max_tokens=20)
    tok.eos_ids = (10**6,)
    free = run(st, s, PROMPTS[:1], n=1, seed=5)[0][0]
    k = next(i for i in range(2, len(free)) if free[i] not in free[:i])  # first occurrence at position k
    for eos in [(free[k], 10**6), (10**6, free[k])]:  # the first and the second EOS id both stop
        tok.eos_ids = eos
        ids, comps, _ = run(st, s, PROMPTS[:1], n=1, seed=5)
        assert ids[0] == free[: k + 1] and comps[0]["finishReason"] == "stop" and comps[0]["tokenCount"] == k + 1
    tok.eos_ids = (free[k],)
    assert run(eager, Sampling(temperature=0, max_tokens=20), n=1)[0] == run(st, Sampling(temperature=0, max_tokens=20), n=1)[0]


def test_max_tokens_and_context_limit_give_length():
    eng = make_engine(context=16)
    st = Engine(eng.policy, generator=StaticEngine(eng.policy, compile=False, sync_every=2, bucket=4))
    eng.policy.tok.eos_ids = (10**6,)
    _, comps = st.generate([{"id": "a", "text": "0123456789"}, {"id": "b", "text": "x"}], 2,
                           Sampling(temperature=1.0, max_tokens=100), 0)
    assert [c["tokenCount"] for c in comps] == [16 - 11] * 2 + [16 - 2] * 2
    assert all(c["finishReason"] == "length" for c in comps)
    _, comps = st.generate([{"id": "a", "text": "x"}], 3, Sampling(temperature=0.7, max_tokens=3), 0)
    assert all(c["tokenCount"] == 3 and c["finishReason"] == "length" for c in comps)


def test_rows_are_final_when_streamed_and_streamed_once(hf_dirs):
    _, st = engines("qwen3", hf_dirs)
    seen = []
    rid, comps = st.generate(PROMPTS, 3, Sampling(temperature=1.0, max_tokens=12, stop=["\n"]), 2,
                             on_finish=lambda c: seen.append(dict(c)))
    key = lambda c: (c["promptId"], c["index"])  # noqa: E731
    assert len(seen) == len(comps) == 9 and sorted(seen, key=key) == sorted(comps, key=key)


def test_seeds_reproduce_and_top_k_one_is_greedy():
    eng = make_engine(context=160)
    st = Engine(eng.policy, generator=StaticEngine(eng.policy, compile=False, sync_every=4, bucket=8))
    s = Sampling(temperature=1.0, max_tokens=16)
    a, b, c = (run(st, s, seed=x)[0] for x in (7, 7, 8))
    assert a == b and a != c
    greedy = run(st, Sampling(temperature=0, max_tokens=12))[0]
    assert run(st, Sampling(temperature=1.5, top_k=1, max_tokens=12), seed=3)[0] == greedy


def test_static_with_the_eager_attention_implementation(hf_dirs):
    """Prefill goes to the model's own attention (here transformers' eager), decode to the static engine's."""
    eng = make_hf_engine(hf_dirs("llama"), attn_implementation="eager")
    _diverse(eng.policy)
    st = Engine(eng.policy, generator=StaticEngine(eng.policy, compile=False, sync_every=5, bucket=16))
    s = Sampling(temperature=0, max_tokens=16)
    assert run(eng, s)[0] == run(st, s)[0]
    assert eng.policy.base_model.config._attn_implementation == "eager"  # restored after generating


@pytest.mark.parametrize("model,backend", [("tiny", "inductor"), ("qwen3", "aot_eager")])
def test_compiled_static_step_on_cpu(hf_dirs, model, backend):
    """The decode step through torch.compile: inductor's C++ code generation on the tiny model (the GPU adds CUDA
    graphs), and dynamo's trace through transformers + PEFT (LoRA) on Qwen3 with aot_eager (no code generation, so
    the test stays short); one graph serves every width the attention reads (bucket 8: several widths)."""
    from torch._dynamo.utils import counters

    _, st = engines(model, hf_dirs)
    eager = Engine(st.policy)
    compiled = Engine(st.policy, generator=StaticEngine(st.policy, compile=True, bucket=8, sync_every=8,
                                                        backend=backend))
    s = Sampling(temperature=0, max_tokens=20)
    before = counters["stats"]["unique_graphs"]
    assert run(compiled, s)[0] == run(eager, s)[0]
    assert counters["stats"]["unique_graphs"] == before + 1  # compiled, once, whatever the width
    _, _, rid = run(compiled, Sampling(temperature=0.8, max_tokens=20), n=2, seed=1)
    out = compiled.train_policy({"rolloutId": rid, "advantages": [1.0, -1.0] * 3})
    assert out["logprobMismatchMax"] <= 1e-4, out


def test_engine_names_and_defaults():
    eng = make_engine()
    assert resolve_name("auto", torch.device("cpu")) == "eager"
    assert resolve_name("auto", torch.device("cuda")) == "static"
    assert isinstance(make_generator("auto", eng.policy), EagerEngine)
    assert make_generator("static", eng.policy).describe() == {"engine": "static", "compiled": False}
    with pytest.raises(ConfigError, match="expected auto, eager, static, vllm"):
        resolve_name("fast", torch.device("cpu"))
    with pytest.raises(ConfigError, match="needs an hf: or hf-random: model"):
        make_generator("vllm", eng.policy)


def test_server_reports_its_engine_and_refuses_one_that_cannot_run(capsys):
    from server_process import call, run_main, start, stop

    p, host, port = start("--engine", "static", "--model-config", '{"n_layer": 1, "d_model": 32}')
    try:
        st, h = call((host, port), "GET", "/v1/health")
        assert st == 200 and h["engine"] == "static"
        st, g = call((host, port), "POST", "/v1/generate", {"prompts": [{"id": "a", "text": "hi"}], "n": 2,
                                                              "sampling": {"temperature": 1.0, "maxTokens": 5}})
        assert st == 200 and len(g["completions"]) == 2
        assert all(c["tokenCount"] == 5 or c["finishReason"] == "stop" for c in g["completions"])
    finally:
        assert stop(p) == 0
    code, err = run_main(capsys, "--engine", "vllm")
    assert code == 2 and "--engine vllm needs an hf: or hf-random: model" in err and "Traceback" not in err
