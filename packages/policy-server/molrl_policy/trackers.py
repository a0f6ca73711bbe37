"""Tracker sink: the trainer's metrics lines to Weights & Biases and TensorBoard, through their own libraries.

Run as a script (``python trackers.py``; it imports nothing from molrl_policy, so any Python with the tracker
libraries works). Protocol, one JSON object per line:

stdin (from the trainer)::

    {"type": "init", "runName": str, "runDir": str, "config": {...}, "resumeStep": int | null,
     "wandb": {"project": str, "entity"?: str, "mode"?: "online" | "offline" | "disabled"} | null,
     "tensorboard": {"dir": str} | null}
    {"type": "metrics", "record": {"step": int, "<metric>": number | null | str, ...}}
    ... end of input: every tracker is finished and flushed, then the process exits 0.

stdout (to the trainer)::

    {"event": "ready", "tracker": "wandb" | "tensorboard", "detail": str}
    {"event": "warning", "tracker": ..., "message": str}     # the tracker is off from then on
    {"event": "closed"}

A tracker that cannot start or fails while logging says so once and is dropped; the others go on, and the
sink never exits non-zero because of a tracker.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# Fields of a metrics line that are not metrics.
_COORDINATES = {"step", "phase", "phaseType", "time"}


def _emit(out: Any, event: dict) -> None:
    out.write(json.dumps(event) + "\n")
    out.flush()


def scalars(record: dict) -> dict[str, float]:
    """The numeric metrics of a line (nulls, strings and the coordinates dropped)."""
    out: dict[str, float] = {}
    for key, value in record.items():
        if key in _COORDINATES or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        out[key] = float(value)
    return out


def flatten(config: Any, prefix: str = "") -> dict[str, Any]:
    """A nested config as `a.b.0.c` keys with scalar values (TensorBoard's hparams take no nesting)."""
    if isinstance(config, dict):
        items = config.items()
    elif isinstance(config, list):
        items = ((str(i), v) for i, v in enumerate(config))
    else:
        return {prefix: config if isinstance(config, (int, float, str, bool)) else json.dumps(config)}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


@dataclass
class WandbTracker:
    """One W&B run per molrl run: id derived from the run directory, so a resumed run continues it."""

    project: str
    run_name: str
    run_dir: str
    config: dict
    entity: Optional[str] = None
    mode: Optional[str] = None
    run: Any = None

    def start(self) -> str:
        import wandb  # noqa: PLC0415 (only when configured)

        run_id = hashlib.sha1(os.path.abspath(self.run_dir).encode()).hexdigest()[:16]
        settings = wandb.Settings(console="off", x_disable_stats=True, x_disable_meta=True, silent=True)
        self.run = wandb.init(
            project=self.project,
            entity=self.entity,
            name=self.run_name,
            id=run_id,
            resume="allow",
            config=self.config,
            dir=os.environ.get("WANDB_DIR") or self.run_dir,
            mode=self.mode or os.environ.get("WANDB_MODE") or "online",
            settings=settings,
        )
        return f"run {run_id} ({self.run.settings.mode}) in {self.run.dir}"

    def log(self, step: int, values: dict[str, float]) -> None:
        if values:
            self.run.log(values, step=step)

    def finish(self) -> None:
        if self.run is not None:
            self.run.finish()


@dataclass
class TensorBoardTracker:
    """Event files under `<dir>/<run name>`, written with TensorBoard's writer (via torch.utils.tensorboard)."""

    dir: str
    run_name: str
    config: dict
    resume_step: Optional[int] = None
    writer: Any = None
    logdir: str = ""

    def start(self) -> str:
        from torch.utils.tensorboard import SummaryWriter  # noqa: PLC0415 (needs the tensorboard package)
        from torch.utils.tensorboard.summary import hparams  # noqa: PLC0415

        self.logdir = os.path.join(self.dir, self.run_name)
        # On resume, TensorBoard hides events past the checkpoint's step that the first attempt wrote.
        purge = None if self.resume_step is None else self.resume_step + 1
        self.writer = SummaryWriter(log_dir=self.logdir, purge_step=purge)
        if purge is None:
            flat = flatten(self.config)
            for summary in hparams(flat, {}):
                self.writer.file_writer.add_summary(summary)
            self.writer.add_text("config", "```json\n" + json.dumps(self.config, indent=2) + "\n```", 0)
        return f"event files in {self.logdir}"

    def log(self, step: int, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.writer.add_scalar(key, value, global_step=step)

    def finish(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Sink:
    """The configured trackers; each one is dropped (with one warning) on its first failure."""

    out: Any
    trackers: dict[str, Any] = field(default_factory=dict)

    def _guard(self, name: str, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except BaseException as error:  # noqa: BLE001 (a tracker must never stop the trainer's sink)
            if isinstance(error, KeyboardInterrupt):
                raise
            self.trackers.pop(name, None)
            message = f"{type(error).__name__}: {error}".strip()
            if isinstance(error, ImportError):
                message = f"{message}; install it with: pip install 'molrl-policy[trackers]' (npm run setup does)"
            _emit(self.out, {"event": "warning", "tracker": name, "message": f"{what} failed ({message}); {name} logging is off for this run"})
            return None

    def init(self, spec: dict) -> None:
        name, run_dir, config = spec["runName"], spec["runDir"], spec.get("config") or {}
        wb, tb = spec.get("wandb"), spec.get("tensorboard")
        if wb is not None:
            self.trackers["wandb"] = WandbTracker(project=wb["project"], entity=wb.get("entity"), mode=wb.get("mode"), run_name=name, run_dir=run_dir, config=config)
        if tb is not None:
            tb_dir = tb.get("dir") or os.path.join(run_dir, "tensorboard")
            self.trackers["tensorboard"] = TensorBoardTracker(dir=tb_dir, run_name=name, config=config, resume_step=spec.get("resumeStep"))
        for key in list(self.trackers):
            detail = self._guard(key, "starting", self.trackers[key].start)
            if key in self.trackers:
                _emit(self.out, {"event": "ready", "tracker": key, "detail": detail})

    def metrics(self, record: dict) -> None:
        step = record.get("step")
        if not isinstance(step, int):
            return
        values = scalars(record)
        for key in list(self.trackers):
            tracker = self.trackers[key]
            self._guard(key, f"logging step {step}", lambda: tracker.log(step, values))

    def close(self) -> None:
        for key in list(self.trackers):
            self._guard(key, "finishing", self.trackers[key].finish)
        _emit(self.out, {"event": "closed"})


def main(stdin: Any = sys.stdin, stdout: Any = sys.stdout) -> int:
    # The protocol owns stdout: libraries that print go to stderr.
    out = stdout
    saved, sys.stdout = sys.stdout, sys.stderr
    try:
        return _serve(stdin, out)
    finally:
        sys.stdout = saved


def _serve(stdin: Any, out: Any) -> int:
    sink = Sink(out)
    for line in stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError as error:
            _emit(out, {"event": "warning", "tracker": "sink", "message": f"ignored a line that is not JSON ({error})"})
            continue
        if message.get("type") == "init":
            sink.init(message)
        elif message.get("type") == "metrics":
            sink.metrics(message.get("record") or {})
    sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
