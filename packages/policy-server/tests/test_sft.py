"""SFT through train/mol for a few dozen steps makes greedy generation reproduce the string."""
from molrl_policy.config import TinyConfig
from molrl_policy.engine import Engine
from molrl_policy.generate import Sampling
from molrl_policy.model import TinyPolicy


def test_sft_on_one_string_is_reproduced_by_greedy_decoding():
    eng = Engine(TinyPolicy(TinyConfig()), lr=3e-3)  # the default tiny model (d 128, 3 layers, context 64)
    prompt, answer = "Q: 37*12+5\nA:", " ```python\nprint(37*12+5)\n```"
    ex = {"segments": [{"text": prompt, "loss": "none"}, {"text": answer, "loss": "ce"}]}
    for _ in range(40):
        out = eng.train_mol({"examples": [ex] * 8, "mode": "ce", "microBatchSize": 8})
    assert out["step"] == 40 and out["ce"] < 0.05, out
    _, comps = eng.generate([{"id": "q", "text": prompt}], 1, Sampling(temperature=0, max_tokens=40), 0)
    assert comps[0]["text"] == answer and comps[0]["finishReason"] == "stop"
