"""The Hugging Face adapter: a random tiny Llama through generate / train/policy / train/mol / checkpoint.

Needs transformers (and peft for LoRA); skipped loudly where they are missing (Debian CPU machines).
"""
import json
import subprocess
import sys
import os

import pytest
import torch

from molrl_policy.config import ConfigError

CFG = {"model_type": "llama", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 320, "max_position_embeddings": 128}


def have(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def test_hf_models_without_transformers_fail_with_a_clear_message():
    if have("transformers"):
        pytest.skip("transformers is installed; the missing-dependency message is not reachable")
    from molrl_policy import hf

    with pytest.raises(ConfigError, match="No module named 'transformers'"):
        hf.load_policy("hf-random:" + json.dumps(CFG))
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..")}
    r = subprocess.run([sys.executable, "-m", "molrl_policy.server", "--model", "hf:Qwen/Qwen3-0.6B", "--port", "0"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "transformers" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("lora_r", [0, 4])
def test_hf_random_generate_train_checkpoint(lora_r, tmp_path):
    if not have("transformers"):
        print("SKIPPED: transformers is not installed here (no PyPI); the HF path is exercised on GPU machines",
              file=sys.stderr)
        pytest.skip("transformers is not installed (Debian CPU machine); HF adapter untested here")
    if lora_r and not have("peft"):
        pytest.skip("peft is not installed; LoRA path untested here")
    from molrl_policy import checkpoint, hf
    from molrl_policy.engine import Engine
    from molrl_policy.generate import Sampling

    eng = Engine(hf.load_policy("hf-random:" + json.dumps(CFG), lora_r=lora_r), lr=1e-3)
    P = [{"id": "a", "text": "hello"}, {"id": "b", "text": "a longer prompt"}]
    greedy = [c["text"] for c in eng.generate(P, 2, Sampling(temperature=0, max_tokens=8), 0)[1]]
    assert greedy == [c["text"] for c in eng.generate(P, 2, Sampling(temperature=0, max_tokens=8), 0, kv_cache=False)[1]]
    rid, _ = eng.generate(P, 2, Sampling(temperature=1.0, max_tokens=8), 1)
    out = eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, -0.5], "beta": 0.1})
    assert out["clipFraction"] == 0 and out["kl"] == pytest.approx(0, abs=1e-5) and out["step"] == 1
    out = eng.train_mol({"examples": [{"segments": [{"text": "q", "loss": "none"}, {"text": "a", "loss": "kl"}]}]})
    assert out["klTokens"] == 2
    checkpoint.save(eng, str(tmp_path / "ck"))
    w = [p.detach().clone() for p in eng.policy.module.parameters() if p.requires_grad]
    eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, -0.5]})
    checkpoint.load(eng, str(tmp_path / "ck"))
    assert all(torch.equal(a, p) for a, p in zip(w, (p for p in eng.policy.module.parameters() if p.requires_grad)))
