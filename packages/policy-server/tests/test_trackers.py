"""The tracker sink with the real libraries: W&B offline (read back with wandb's own `wandb leet inspect --json`)
and TensorBoard (read back with tensorboard's EventAccumulator); a failing tracker warns once, the other goes on."""
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import require_modules
from molrl_policy import trackers

CONFIG = {"name": "t", "phases": [{"type": "grpo", "steps": 3}], "seed": 1}
LINES = [
    {"step": 1, "phase": 0, "phaseType": "grpo", "reward/mean": 0.25, "loss": 0.5, "kl": None, "time": "2026-11-29T00:00:00Z"},
    {"step": 2, "phase": 0, "phaseType": "grpo", "reward/mean": 0.5, "loss": 0.25, "kl": None},
    {"step": 2, "phase": 0, "phaseType": "grpo", "eval/reward/mean": 0.75},
    {"step": 3, "phase": 0, "phaseType": "grpo", "reward/mean": 1.0, "loss": 0.125, "kl": 0.01},
]


def run_sink(spec: dict) -> list[dict]:
    stdin = io.StringIO("\n".join(json.dumps(m) for m in [{"type": "init", **spec}] + [{"type": "metrics", "record": r} for r in LINES]) + "\n")
    stdout = io.StringIO()
    assert trackers.main(stdin, stdout) == 0
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


def wandb_history(wandb_dir: str) -> tuple[list[dict], dict]:
    """History rows and config of the one offline run under `wandb_dir`, through wandb's own reader."""
    runs = [d for d in os.listdir(os.path.join(wandb_dir, "wandb")) if d.startswith("offline-run-")]
    assert len(runs) == 1, runs
    cli = os.path.join(os.path.dirname(sys.executable), "wandb")
    out = subprocess.run([cli, "leet", "inspect", os.path.join(wandb_dir, "wandb", runs[0]), "--json"], check=True, capture_output=True, text=True, timeout=120).stdout
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    history = [r["history"] for r in records if r["type"] == "history"]
    config = next(r["run"]["config"]["update"] for r in records if r["type"] == "run")
    return history, config


def tensorboard_scalars(logdir: str) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(logdir)
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def test_scalars_drop_coordinates_nulls_and_strings():
    assert trackers.scalars(LINES[0]) == {"reward/mean": 0.25, "loss": 0.5}


def test_flatten_nests_with_dots():
    assert trackers.flatten({"a": {"b": [1, {"c": "x"}]}, "d": None}) == {"a.b.0": 1, "a.b.1.c": "x", "d": "null"}


def test_wandb_offline_and_tensorboard_receive_every_metric(tmp_path, monkeypatch):
    require_modules("wandb", "tensorboard")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path / "wb"))
    (tmp_path / "wb").mkdir()
    events = run_sink({"runName": "t", "runDir": str(tmp_path), "config": CONFIG, "resumeStep": None, "wandb": {"project": "molrl-test", "mode": "offline"}, "tensorboard": {"dir": str(tmp_path / "tb")}})
    assert [e["event"] for e in events] == ["ready", "ready", "closed"], events
    history, config = wandb_history(str(tmp_path / "wb"))
    by_step = {h["step"]["num"]: h["item"] for h in history}
    assert sorted(by_step) == [1, 2, 3]
    assert by_step[2]["reward/mean"] == 0.5 and by_step[2]["eval/reward/mean"] == 0.75
    assert by_step[3]["kl"] == 0.01 and "kl" not in by_step[1]
    assert config["seed"] == 1 and config["phases"] == [{"type": "grpo", "steps": 3}]
    tb = tensorboard_scalars(str(tmp_path / "tb" / "t"))
    assert tb["reward/mean"] == [(1, 0.25), (2, 0.5), (3, 1.0)]
    assert tb["eval/reward/mean"] == [(2, 0.75)]
    assert tb["kl"] == [(3, pytest.approx(0.01))]


def test_a_failing_tracker_warns_once_and_the_other_still_logs(tmp_path, monkeypatch):
    require_modules("wandb", "tensorboard")
    # A bad key against a closed loopback port: wandb refuses; nothing leaves the machine.
    monkeypatch.setenv("WANDB_API_KEY", "bad")
    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("WANDB_INIT_TIMEOUT", "20")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    events = run_sink({"runName": "t", "runDir": str(tmp_path), "config": CONFIG, "resumeStep": None, "wandb": {"project": "molrl-test", "mode": "online"}, "tensorboard": {"dir": str(tmp_path / "tb")}})
    warnings = [e for e in events if e["event"] == "warning"]
    assert len(warnings) == 1 and warnings[0]["tracker"] == "wandb", events
    assert "logging is off" in warnings[0]["message"]
    assert tensorboard_scalars(str(tmp_path / "tb" / "t"))["loss"] == [(1, 0.5), (2, 0.25), (3, 0.125)]


def test_a_missing_library_is_one_warning(tmp_path):
    # A Python without site-packages has neither wandb nor tensorboard: two warnings, then a clean exit.
    script = trackers.__file__
    spec = {"type": "init", "runName": "t", "runDir": str(tmp_path), "config": CONFIG, "resumeStep": None, "wandb": {"project": "p", "mode": "offline"}, "tensorboard": {"dir": str(tmp_path / "tb")}}
    lines = [json.dumps(spec)] + [json.dumps({"type": "metrics", "record": r}) for r in LINES]
    done = subprocess.run([sys.executable, "-S", "-I", script], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(e["event"], e.get("tracker")) for e in events] == [("warning", "wandb"), ("warning", "tensorboard"), ("closed", None)], events
    assert "pip install 'molrl-policy[trackers]'" in events[0]["message"]
