"""Checkpoints round-trip exactly: save, train 2 steps, load, train the same 2 steps -> identical losses and weights."""
import pytest
import torch

from conftest import make_engine
from molrl_policy import checkpoint
from molrl_policy.errors import ApiError
from molrl_policy.generate import Sampling

P = [{"id": "a", "text": "Q: 5-2\nA:"}]
MOL = {"examples": [{"segments": [{"text": "Q: 5-2\nA:", "loss": "none"}, {"text": " 3", "loss": "ce"}]}],
       "mode": "ce", "learningRate": 1e-3}


def two_steps(eng):
    rid, comps = eng.generate(P, 4, Sampling(temperature=1.0, max_tokens=8), None)  # seed from the engine RNG
    a = eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, -0.5], "lossType": "dr_grpo"})
    b = eng.train_mol(MOL)
    return [c["text"] for c in comps], a["loss"], a["gradNorm"], b["loss"], b["step"]


def weights(eng):
    return [p.detach().clone() for p in eng.policy.module.parameters()]


def test_save_train_load_train_is_exact(tmp_path):
    eng = make_engine()
    two_steps(eng)  # optimizer state is non-trivial before saving
    saved = checkpoint.save(eng, str(tmp_path / "ck"))
    assert saved["step"] == 2 and (tmp_path / "ck" / "state.json").is_file()
    first = two_steps(eng)
    w1 = weights(eng)
    loaded = checkpoint.load(eng, str(tmp_path / "ck"))
    assert loaded["step"] == 2 and eng.step == 2
    assert two_steps(eng) == first
    assert all(torch.equal(a, b) for a, b in zip(w1, weights(eng)))

    other = make_engine(seed=5)  # a fresh server with other initial weights resumes the same run
    checkpoint.load(other, str(tmp_path / "ck"))
    assert two_steps(other) == first
    assert all(torch.equal(a, b) for a, b in zip(w1, weights(other)))


def test_load_errors_are_coded(tmp_path):
    eng = make_engine()
    with pytest.raises(ApiError) as e:
        checkpoint.load(eng, str(tmp_path / "missing"))
    assert e.value.status == 404 and e.value.code == "CHECKPOINT_NOT_FOUND"
    checkpoint.save(make_engine(d_model=64), str(tmp_path / "wide"))
    with pytest.raises(ApiError) as e:
        checkpoint.load(eng, str(tmp_path / "wide"))
    assert e.value.status == 409 and e.value.code == "CHECKPOINT_MISMATCH"


def test_a_failed_save_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch):
    eng = make_engine()
    two_steps(eng)
    checkpoint.save(eng, str(tmp_path / "ck"))
    before = {p.name: p.read_bytes() for p in (tmp_path / "ck").iterdir()}
    two_steps(eng)
    real = torch.save
    calls = []

    def disk_full(obj, f, *a, **k):  # the second file of the new checkpoint hits a full disk
        calls.append(f)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(obj, f, *a, **k)

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(ApiError) as e:
        checkpoint.save(eng, str(tmp_path / "ck"))
    assert e.value.code == "CHECKPOINT_WRITE_FAILED" and "No space left" in e.value.message
    assert {p.name: p.read_bytes() for p in (tmp_path / "ck").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck"]  # no half-written directory left


def test_saving_again_replaces_a_checkpoint_with_a_complete_one(tmp_path):
    eng = make_engine()
    checkpoint.save(eng, str(tmp_path / "ck"))
    two_steps(eng)
    (tmp_path / "ck.tmp-999").mkdir()  # debris of a save killed mid-way by another process: ignored
    saved = checkpoint.save(eng, str(tmp_path / "ck"))
    assert saved["step"] == 2 and checkpoint.load(make_engine(), str(tmp_path / "ck"))["step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck", "ck.tmp-999"]
