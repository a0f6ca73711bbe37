"""Checkpoints of hf models hold standard Hugging Face directories; their export loads in plain transformers / peft
and generates greedily what the policy server generates, token for token."""
import json
import os

import pytest
import torch

from conftest import make_engine, make_hf_engine
from molrl_policy import checkpoint, hf_export
from molrl_policy.generate import Sampling

PROMPTS = [{"id": "a", "messages": [{"role": "user", "content": "Q: 7*6\nA:"}]},
           {"id": "b", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "sum 1..9"}]}]


def trained(eng, steps=3):
    for k in range(steps):
        rid, _ = eng.generate(PROMPTS, 4, Sampling(temperature=1.0, max_tokens=10), k)
        eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, -0.5] * 2, "learningRate": 1e-2})
    return eng


def server_greedy(eng, n=12):
    rid, _ = eng.generate(PROMPTS, 1, Sampling(temperature=0, max_tokens=n), 0)
    return [r.completion_ids for r in eng.rollouts.get(rid).rows], [r.prompt_ids for r in eng.rollouts.get(rid).rows]


def plain_greedy(model, prompts, eos, n=12):
    """transformers' own generate, one prompt at a time, greedy, stopping at the EOS ids."""
    out = []
    for p in prompts:
        ids = torch.tensor([p])
        with torch.no_grad():
            g = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False,
                               eos_token_id=list(eos), pad_token_id=eos[0])
        out.append(g[0, len(p):].tolist())
    return out


def test_lora_checkpoint_holds_a_peft_adapter_and_the_random_base(tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from molrl_policy import hf, testing

    tokdir = tmp_path / "tok"
    testing.tokenizer().save_pretrained(tokdir)
    eng = trained(make_engine_random(testing, hf, str(tokdir)))
    ck = tmp_path / "ck"
    saved = checkpoint.save(eng, str(ck))
    assert {"adapter", "base", "state.json", "optimizer.pt"} <= set(saved["files"])
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json"} <= set(os.listdir(ck / "adapter"))
    assert {"config.json", "model.safetensors"} <= set(os.listdir(ck / "base"))
    base = AutoModelForCausalLM.from_pretrained(ck / "base", dtype=torch.float32)
    model = PeftModel.from_pretrained(base, ck / "adapter").eval()
    got, prompts = server_greedy(eng)
    tok = AutoTokenizer.from_pretrained(ck / "adapter")
    assert prompts[0] == list(tok.apply_chat_template(PROMPTS[0]["messages"], add_generation_prompt=True)["input_ids"])
    assert plain_greedy(model, prompts, eng.policy.tok.eos_ids) == got


def make_engine_random(testing, hf, tokdir):
    from molrl_policy.engine import Engine

    return Engine(hf.load_policy(testing.random_spec("qwen3", tokdir), seed=3, opts=hf.HFOptions(lora_r=8)), lr=1e-3)


@pytest.mark.parametrize("merge", [False, True])
def test_export_loads_in_plain_transformers_and_generates_like_the_server(tmp_path, hf_dirs, merge):
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoModelForCausalLM

    eng = make_hf_engine(hf_dirs("llama"), lora_r=8)
    before, _ = server_greedy(eng)
    trained(eng)
    checkpoint.save(eng, str(tmp_path / "ck"))
    out = tmp_path / "out"
    res = hf_export.export(str(tmp_path / "ck"), str(out), merge=merge)
    assert res["merged"] == merge
    if merge:
        model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32)
        assert not any("lora" in k for k in model.state_dict())
    else:
        assert json.loads((out / "adapter_config.json").read_text())["base_model_name_or_path"] == hf_dirs("llama")
        model = AutoPeftModelForCausalLM.from_pretrained(out, dtype=torch.float32)
    got, prompts = server_greedy(eng)
    assert got != before  # the adapter changed the greedy output: an export without it would differ
    assert plain_greedy(model.eval(), prompts, eng.policy.tok.eos_ids) == got


def test_full_fine_tuning_checkpoint_is_a_save_pretrained_directory_and_resumes(tmp_path, hf_dirs):
    from transformers import AutoModelForCausalLM

    eng = trained(make_hf_engine(hf_dirs("qwen3"), lora_r=0), steps=2)
    checkpoint.save(eng, str(tmp_path / "ck"))
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "ck" / "model", dtype=torch.float32).eval()
    got, prompts = server_greedy(eng)
    assert plain_greedy(model, prompts, eng.policy.tok.eos_ids) == got
    w = [p.detach().clone() for p in eng.policy.module.parameters()]
    trained(eng, steps=1)
    checkpoint.load(eng, str(tmp_path / "ck"))
    assert all(torch.equal(a, b) for a, b in zip(w, eng.policy.module.parameters()))
    res = hf_export.export(str(tmp_path / "ck"), str(tmp_path / "out"))
    assert res["kind"] == "model" and (tmp_path / "out" / "config.json").is_file()


def test_lora_checkpoint_resumes_exactly(tmp_path, hf_dirs):
    eng = trained(make_hf_engine(hf_dirs("qwen3"), lora_r=4), steps=2)
    checkpoint.save(eng, str(tmp_path / "ck"))
    w = {k: v.detach().clone() for k, v in eng.policy.module.named_parameters() if v.requires_grad}
    trained(eng, steps=1)
    fresh = make_hf_engine(hf_dirs("qwen3"), lora_r=4)
    checkpoint.load(fresh, str(tmp_path / "ck"))
    assert all(torch.equal(w[k], v) for k, v in fresh.policy.module.named_parameters() if v.requires_grad)
    assert fresh.step == 2


def test_exporting_a_tiny_model_checkpoint_is_refused(tmp_path):
    checkpoint.save(make_engine(), str(tmp_path / "ck"))
    with pytest.raises(hf_export.ExportError) as e:
        hf_export.export(str(tmp_path / "ck"), str(tmp_path / "out"))
    assert e.value.code == "EXPORT_UNSUPPORTED" and "tiny" in str(e.value)
