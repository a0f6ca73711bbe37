"""The HF adapter on tiny random Qwen3 and llama models with a real (offline-trained) tokenizer: generation,
log-prob agreement with the training forward, EOS, LoRA and full fine-tuning, memory-minded paths, bad input."""
import json
import os
import subprocess
import sys

import pytest
import torch

from conftest import CHATS, make_hf_engine
from molrl_policy.config import ConfigError
from molrl_policy.errors import ApiError
from molrl_policy.generate import Sampling

ARCHS = ["qwen3", "llama"]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def completions(eng, rid):
    return [r.completion_ids for r in eng.rollouts.get(rid).rows]


@pytest.mark.parametrize("arch", ARCHS)
def test_greedy_is_identical_with_and_without_the_kv_cache(hf_dirs, arch):
    eng = make_hf_engine(hf_dirs(arch))
    s = Sampling(temperature=0, max_tokens=12)
    a = completions(eng, eng.generate(CHATS, 1, s, 0)[0])
    b = completions(eng, eng.generate(CHATS, 1, s, 0, kv_cache=False)[0])
    assert a == b and all(len(c) > 0 for c in a)


@pytest.mark.parametrize("arch", ARCHS)
def test_greedy_alone_equals_greedy_inside_a_left_padded_batch(hf_dirs, arch):
    eng = make_hf_engine(hf_dirs(arch))
    s = Sampling(temperature=0, max_tokens=12)
    batch = completions(eng, eng.generate(CHATS, 1, s, 0)[0])
    alone = [completions(eng, eng.generate([p], 1, s, 0)[0])[0] for p in CHATS]
    lengths = {len(eng.encode_prompt(p, i)) for i, p in enumerate(CHATS)}
    assert len(lengths) == len(CHATS)  # really padded: three different prompt lengths
    assert batch == alone


@pytest.mark.parametrize("arch", ARCHS)
def test_generate_logprobs_equal_the_training_forward(hf_dirs, arch):
    """The rollout/train mismatch: pi_old of every sampled token (stored by /v1/generate) against the log-prob
    the training forward computes for it (LoRA on, gradient checkpointing on), fp32."""
    eng = make_hf_engine(hf_dirs(arch))
    rid, _ = eng.generate(CHATS, 4, Sampling(temperature=0.8, max_tokens=16), 3)
    out = eng.train_policy({"rolloutId": rid, "advantages": [1.0, -1.0] * 6, "microBatchSize": 5})
    assert out["tokens"] > 50
    assert out["logprobMismatchMax"] <= 1e-4, out


def test_eos_ids_come_from_the_tokenizer_and_the_generation_config(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    t = eng.policy.tok.tok
    assert set(eng.policy.tok.eos_ids) == {t.convert_tokens_to_ids("<|im_end|>"), t.convert_tokens_to_ids("<|endoftext|>")}


def test_generation_stops_at_any_of_the_eos_ids(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    s = Sampling(temperature=1.0, max_tokens=24)  # seeded: the same tokens until a stop
    eng.policy.tok.eos_ids = (10**6,)  # nothing stops: see the whole continuation
    free = completions(eng, eng.generate(CHATS[:1], 1, s, 0)[0])[0]
    k = next(i for i in range(2, len(free)) if free[i] not in free[:i])  # first occurrence at position k
    for eos in [(free[k], 10**6), (10**6, free[k])]:  # the first and the second EOS id both stop
        eng.policy.tok.eos_ids = eos
        rid, comps = eng.generate(CHATS[:1], 1, s, 0)
        row = eng.rollouts.get(rid).rows[0]
        assert row.completion_ids == free[: k + 1] and comps[0]["finishReason"] == "stop"
        assert comps[0]["tokenCount"] == k + 1


def test_truncation_at_max_tokens_is_flagged(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    eng.policy.tok.eos_ids = (10**6,)
    _, comps = eng.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=5), 1)
    assert all(c["finishReason"] == "length" and c["tokenCount"] == 5 for c in comps)


def _adapter_and_base(eng):
    named = dict(eng.policy.module.named_parameters())
    return ({k: v.detach().clone() for k, v in named.items() if "lora_" in k},
            {k: v.detach().clone() for k, v in named.items() if "lora_" not in k})


def test_lora_step_changes_only_the_adapter_parameters(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    ad0, base0 = _adapter_and_base(eng)
    assert ad0 and all(not p.requires_grad for k, p in eng.policy.module.named_parameters() if "lora_" not in k)
    rid, _ = eng.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 3})
    ad1, base1 = _adapter_and_base(eng)
    assert all(torch.equal(base0[k], base1[k]) for k in base0)
    assert sum(not torch.equal(ad0[k], ad1[k]) for k in ad0) >= len(ad0) // 2


def test_lora_reference_is_the_base_model(hf_dirs):
    import transformers

    d = hf_dirs("qwen3")
    eng = make_hf_engine(d)
    base = transformers.AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
    ids = torch.tensor([eng.encode_prompt(CHATS[1], 0)])
    attn = torch.ones_like(ids, dtype=torch.bool)
    rid, _ = eng.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    for _ in range(2):
        eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 3})
    with torch.no_grad():
        want = base(input_ids=ids).logits
    assert torch.allclose(eng.policy.ref_logits(ids, attn), want, atol=1e-5)
    with torch.no_grad():
        assert not torch.allclose(eng.policy.logits(ids, attn), want, atol=1e-4)  # the policy moved, the reference not


def test_kl_is_zero_before_the_first_step(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    rid, _ = eng.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    first = eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 3, "beta": 0.1, "learningRate": 5e-3})
    assert first["kl"] == pytest.approx(0, abs=1e-6)
    second = eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 3, "beta": 0.1})
    assert second["kl"] > 1e-6


FIXED = {"examples": [{"segments": [{"role": "user", "text": "Q: 12+30\nA:", "loss": "none"},
                                    {"role": "assistant", "text": "```python\nprint(12+30)\n```", "loss": "ce"}]},
                      {"segments": [{"role": "user", "text": "print the sum", "loss": "none"},
                                    {"role": "assistant", "text": "print(sum(range(4)))", "loss": "ce"}]}],
         "mode": "ce", "learningRate": 3e-3}


@pytest.mark.parametrize("lora_r,lr,drop", [(8, 1e-2, 0.9), (0, 3e-3, 0.7)])
def test_loss_on_a_fixed_batch_goes_down(hf_dirs, lora_r, lr, drop):
    eng = make_hf_engine(hf_dirs("qwen3"), lora_r=lora_r)
    losses = [eng.train_mol({**FIXED, "learningRate": lr})["loss"] for _ in range(8)]
    assert losses[-1] < drop * losses[0] and sum(losses[-3:]) < sum(losses[:3]), losses


def test_full_fine_tuning_trains_against_a_frozen_reference_copy(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"), lora_r=0)
    pol, ref = eng.policy.module, eng.policy.ref
    assert ref is not None and ref is not pol and not any(p.requires_grad for p in ref.parameters())
    assert all(p.requires_grad for p in pol.parameters())
    ref0 = [p.detach().clone() for p in ref.parameters()]
    pol0 = [p.detach().clone() for p in pol.parameters()]
    rid, _ = eng.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    assert eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 3, "beta": 0.1})["kl"] == pytest.approx(0, abs=1e-6)
    out = eng.train_policy({"rolloutId": rid, "advantages": [1, -1] * 3, "beta": 0.1})
    assert out["kl"] > 0
    assert all(torch.equal(a, b) for a, b in zip(ref0, ref.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(pol0, pol.parameters()))


def test_full_fine_tuning_in_bf16_keeps_fp32_master_weights(hf_dirs):
    """A bf16 Adam update of 1e-5 rounds away on most weights; fp32 master weights (bf16 autocast) keep it."""
    eng = make_hf_engine(hf_dirs("qwen3"), lora_r=0, dtype="bfloat16", lr=1e-5)
    assert all(p.dtype == torch.float32 for p in eng.policy.module.parameters()) and eng.policy.autocast
    before = [p.detach().clone() for p in eng.policy.module.parameters()]
    eng.train_mol(FIXED)
    moved = sum(int((a != b).sum()) for a, b in zip(before, eng.policy.module.parameters()))
    total = sum(p.numel() for p in before)
    assert moved / total > 0.9, f"only {moved}/{total} weights moved"


def test_prefill_computes_the_last_position_only(hf_dirs):
    eng = make_hf_engine(hf_dirs("qwen3"))
    shapes = []
    head = eng.policy.base_model.get_output_embeddings()
    h = head.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape)))
    try:
        eng.generate(CHATS, 2, Sampling(temperature=0, max_tokens=3), 0)
    finally:
        h.remove()
    assert shapes[0][:2] == (6, 1) and all(s[1] == 1 for s in shapes)


def test_gradient_checkpointing_is_on_by_default_and_changes_nothing(hf_dirs):
    on = make_hf_engine(hf_dirs("qwen3"))
    off = make_hf_engine(hf_dirs("qwen3"), gradient_checkpointing=False)
    assert on.policy.base_model.is_gradient_checkpointing and not off.policy.base_model.is_gradient_checkpointing
    rid_on, _ = on.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    rid_off, _ = off.generate(CHATS, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    a = on.train_policy({"rolloutId": rid_on, "advantages": [1, -1] * 3})
    b = off.train_policy({"rolloutId": rid_off, "advantages": [1, -1] * 3})
    assert a["loss"] == pytest.approx(b["loss"], rel=1e-5) and a["gradNorm"] == pytest.approx(b["gradNorm"], rel=1e-4)


# -- bad input ------------------------------------------------------------------------------------------------
def test_missing_hf_path_is_a_config_error_naming_it(tmp_path):
    from molrl_policy import hf

    with pytest.raises(ConfigError, match="no such directory"):
        hf.load_policy("hf:" + str(tmp_path / "nope"))


def test_config_without_model_type_is_a_config_error(tmp_path, hf_dirs):
    from molrl_policy import hf

    with pytest.raises(ConfigError, match="model_type"):
        hf.load_policy('hf-random:{"hidden_size": 64}')
    d = tmp_path / "m"
    d.mkdir()
    (d / "config.json").write_text(json.dumps({"hidden_size": 64}))
    with pytest.raises(ConfigError, match="no model_type"):
        hf.load_policy("hf:" + str(d))


def test_a_tokenizer_without_chat_template_answers_400_for_chat_prompts(tmp_path, hf_dirs):
    import shutil

    d = tmp_path / "nochat"
    shutil.copytree(hf_dirs("qwen3"), d)
    (d / "chat_template.jinja").unlink()
    cfg = json.loads((d / "tokenizer_config.json").read_text())
    cfg.pop("chat_template", None)
    (d / "tokenizer_config.json").write_text(json.dumps(cfg))
    eng = make_hf_engine(str(d))
    with pytest.raises(ApiError) as e:
        eng.generate(CHATS[:1], 1, Sampling(max_tokens=2), 0)
    assert e.value.status == 400 and e.value.code == "CHAT_TEMPLATE_MISSING"
    assert eng.generate(CHATS[2:], 1, Sampling(max_tokens=2), 0)[1]  # text prompts still work


def test_a_checkpoint_of_another_base_model_is_refused(tmp_path, hf_dirs):
    from molrl_policy import checkpoint

    checkpoint.save(make_hf_engine(hf_dirs("llama")), str(tmp_path / "ck"))
    with pytest.raises(ApiError) as e:
        checkpoint.load(make_hf_engine(hf_dirs("qwen3")), str(tmp_path / "ck"))
    assert e.value.status == 409 and e.value.code == "CHECKPOINT_MISMATCH"


@pytest.mark.parametrize("model,says", [("hf:/nonexistent/model", "no such directory"),
                                        ('hf-random:{"hidden_size": 8}', "model_type")])
def test_the_server_exits_2_with_a_message_and_no_traceback(model, says, hf_dirs):
    env = {**os.environ, "PYTHONPATH": ROOT}
    r = subprocess.run([sys.executable, "-m", "molrl_policy.server", "--model", model, "--port", "0"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr and r.stdout == ""


def test_gpu_defaults_bf16_on_cuda_fp32_on_cpu_and_checkpointing_on():
    from molrl_policy import hf
    from molrl_policy.server import parse_args

    assert hf.resolve_dtype("auto", torch.device("cuda")) == torch.bfloat16
    assert hf.resolve_dtype("auto", torch.device("cpu")) == torch.float32
    args = parse_args(["--model", "hf:x"])
    assert args.gradient_checkpointing and args.dtype == "auto"
    assert not parse_args(["--model", "hf:x", "--no-gradient-checkpointing"]).gradient_checkpointing
    with pytest.raises(ConfigError, match="--dtype"):
        hf.resolve_dtype("fp8", torch.device("cpu"))


def test_model_config_overrides_an_hf_model(hf_dirs):
    from molrl_policy import hf

    pol = hf.load_policy("hf:" + hf_dirs("qwen3"), model_config='{"max_position_embeddings": 100}',
                         opts=hf.HFOptions(lora_r=0))
    assert pol.context == 100
