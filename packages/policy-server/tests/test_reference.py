"""The KL reference: the loaded base, or a frozen snapshot of the weights at a phase start (tiny, LoRA, full)."""
import json

import pytest
import torch

from conftest import make_engine, require_modules
from molrl_policy import checkpoint
from molrl_policy.engine import Engine
from molrl_policy.generate import Sampling

MOL = {"examples": [{"segments": [{"text": "Q: 5-2\nA:", "loss": "none"}, {"text": " 3", "loss": "ce"}]}],
       "mode": "ce", "learningRate": 1e-2}
P = [{"id": "a", "text": "Q: 5-2\nA:"}]
IDS = torch.tensor([[7, 8, 9, 10, 11, 12]])
ATTN = torch.ones_like(IDS, dtype=torch.bool)
HF_CFG = {"model_type": "llama", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
          "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 320, "max_position_embeddings": 128}


def tiny():
    return make_engine(lr=1e-2)


def hf(lora_r):
    require_modules("transformers", "peft")
    from molrl_policy import hf as hf_mod

    return Engine(hf_mod.load_policy("hf-random:" + json.dumps(HF_CFG), lora_r=lora_r), lr=1e-2)


ENGINES = {"tiny": tiny, "lora": lambda: hf(4), "full": lambda: hf(0)}


def logits(eng):
    with torch.no_grad():
        return eng.policy.logits(IDS.to(eng.policy.device), ATTN.to(eng.policy.device)).float()


def ref(eng):
    return eng.policy.ref_logits(IDS.to(eng.policy.device), ATTN.to(eng.policy.device)).float()


def trainable(eng):
    return [p.detach().clone() for p in eng.policy.module.parameters() if p.requires_grad]


@pytest.mark.parametrize("kind", ENGINES)
def test_phase_start_snapshot_is_the_weights_then_and_stays_frozen(kind):
    eng = ENGINES[kind]()
    base = ref(eng)
    for _ in range(3):
        eng.train_mol(MOL)  # an earlier phase moves the weights away from the base
    assert not torch.allclose(logits(eng), base)
    assert torch.equal(ref(eng), base), "without a snapshot the reference is the loaded model"
    n_trainable = len(trainable(eng))

    out = eng.start_phase({"reference": "phase-start"})
    assert out["reference"] == "phase-start" and out["optimizerReset"] is False
    snap = logits(eng)
    assert torch.allclose(ref(eng), snap, atol=1e-6)
    assert len(trainable(eng)) == n_trainable, "the snapshot must not become trainable"
    rid, _ = eng.generate(P, 4, Sampling(temperature=1.0, max_tokens=6), 0)
    first = eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, -0.5], "beta": 0.5, "learningRate": 1e-2})
    assert first["kl"] == pytest.approx(0, abs=1e-5), "KL to the phase-start weights is 0 before the phase's first step"
    for _ in range(2):
        eng.train_mol(MOL)
    assert torch.allclose(ref(eng), snap, atol=1e-6), "the snapshot does not follow training"
    assert not torch.allclose(logits(eng), snap)

    assert eng.start_phase({"reference": "base"})["reference"] == "base"
    assert torch.allclose(ref(eng), base, atol=1e-6)
    assert len(trainable(eng)) == n_trainable


@pytest.mark.parametrize("kind", ENGINES)
def test_a_checkpoint_carries_the_snapshot(kind, tmp_path):
    eng = ENGINES[kind]()
    eng.train_mol(MOL)
    eng.start_phase({"reference": "phase-start"})
    snap = ref(eng)
    eng.train_mol(MOL)
    checkpoint.save(eng, str(tmp_path / "with"))
    if kind == "lora":  # the exported adapter directory holds the trained adapter only; the snapshot is in model.pt
        assert (tmp_path / "with" / "adapter" / "adapter_config.json").is_file()
        assert not (tmp_path / "with" / "adapter" / "phase_reference").exists()
    eng.start_phase({"reference": "base"})
    checkpoint.save(eng, str(tmp_path / "without"))

    other = ENGINES[kind]()  # a restarted server resuming inside the phase
    checkpoint.load(other, str(tmp_path / "with"))
    assert torch.allclose(ref(other), snap, atol=1e-6)
    assert torch.allclose(logits(other), logits(eng), atol=1e-6)
    checkpoint.load(other, str(tmp_path / "without"))
    assert torch.allclose(ref(other), ref(ENGINES[kind]()), atol=1e-6), "a checkpoint without a snapshot restores the base"
