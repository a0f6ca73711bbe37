"""bench/gpu_bench.py (the GPU benchmark's script) runs end to end on a tiny shape on CPU, so it cannot rot. Its
default (GPU) run without CUDA, exit 3 with the reason, is tested through `npm run bench -- gpu` (test/bench/gpu.test.ts)."""
import json
import os
import subprocess
import sys

from conftest import require_modules

SCRIPT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench", "gpu_bench.py"))


def test_tiny_run_on_cpu_measures_every_engine_and_both_train_steps(tmp_path):
    require_modules("transformers", "peft")
    out = tmp_path / "r.json"
    r = subprocess.run([sys.executable, SCRIPT, "--tiny", "--device", "cpu", "--prompts", "3", "--new-tokens", "6",
                        "--engines", "eager,static", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert json.loads(r.stdout.strip().splitlines()[-1]) == res
    assert [e["engine"] for e in res["engines"]] == ["eager", "static"]
    for e in res["engines"]:
        assert e["tokens"] == 18 and e["tokensPerS"] > 0 and 0 < e["ofBound"] < 1
    kv = res["model"]["kvBytesPerToken"]
    assert kv == 2 * 2 * 2 * 16 * 4  # K and V x 2 layers x 2 KV heads x head_dim 16 x fp32
    assert [t["step"] for t in res["train"]] == ["policy (Dr.GRPO)", "MoL (CE + KL to the reference)"]
    assert all(t["tokens"] > 18 and t["mfu"] > 0 for t in res["train"])
    assert res["train"][0]["logprobMismatchMax"] < 1e-2  # the rollouts feed the policy step (a gross error shows)
