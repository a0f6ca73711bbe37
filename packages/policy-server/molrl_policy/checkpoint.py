"""Checkpoints: a directory with weights (or adapter), optimizer state, step, RNG states and model config.

Files: the weights (tiny: model.pt with the weights and the reference; any model: model.pt with a phase-start
reference snapshot when one is held; hf: standard Hugging Face directories,
see hf_export.py: `adapter/` (PEFT) or `model/` (save_pretrained), the tokenizer inside, and `base/` for
hf-random LoRA), optimizer.pt, rng.pt (torch generator states, tensors only), rng.json (Python and NumPy
generator states), state.json (written last: a directory without it is not a checkpoint). Every .pt file is read with `weights_only=True`: a checkpoint is
data, never code. A save writes into `<path>.tmp-<pid>`, fsyncs everything in it, then renames it to `<path>`:
a checkpoint directory is complete or absent, and one already at `<path>` is replaced only by a complete one.
"""
from __future__ import annotations

import json
import os
import random
import shutil

import numpy as np
import torch

from . import reference
from .errors import ApiError

STATE_FILES = ("optimizer.pt", "rng.pt", "rng.json", "state.json")
# Every name a checkpoint directory may hold (the server checks that none of them leads outside its root).
FILES = ("model.pt", "adapter", "base", "model", *STATE_FILES)


def _torch_rng_state() -> dict:
    """Torch generator states: tensors only, so that they load with weights_only=True."""
    st = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        st["cuda"] = torch.cuda.get_rng_state_all()
    return st


def _py_state(state) -> list:
    """random.Random.getstate() as JSON: [version, [625 ints], gauss_next]."""
    return [state[0], list(state[1]), state[2]]


def _py_unstate(data) -> tuple:
    return (data[0], tuple(data[1]), data[2])


def _json_rng_state(engine) -> dict:
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {"python": _py_state(random.getstate()), "engine": _py_state(engine.rng.getstate()),
            "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)]}


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: str) -> None:
    """fsync every file and directory under `path` (children first), so that a rename publishes data on disk."""
    for root, dirs, names in os.walk(path, topdown=False):
        for name in [*names, *dirs]:
            _fsync(os.path.join(root, name))
        _fsync(root)


def _collect(engine) -> tuple[dict | None, dict, dict]:
    """(whole weights of a sharded policy or None, phase-start reference part, optimizer state dict): a collective
    on sharded ranks."""
    weights, ref = engine.policy.full_state_dict(), reference.checkpoint_part(engine.policy)
    if engine.policy.root is None:
        return weights, ref, engine.opt.state_dict()
    from .distributed_fsdp import full_optimizer_state

    return weights, ref, full_optimizer_state(engine.opt)


def _write(engine, path: str, collected: tuple[dict | None, dict, dict]) -> list:
    full, ref, opt_state = collected
    os.makedirs(path)
    files = list(engine.policy.save_weights(path, full))
    weights = {**engine.policy.checkpoint_state(), **ref}
    if weights:
        torch.save(weights, os.path.join(path, "model.pt"))
        files.append("model.pt")
    torch.save(opt_state, os.path.join(path, "optimizer.pt"))
    torch.save(_torch_rng_state(), os.path.join(path, "rng.pt"))
    with open(os.path.join(path, "rng.json"), "w") as f:
        json.dump(_json_rng_state(engine), f)
    state = {"format": 1, "step": engine.step, "model": engine.policy.spec, "describe": engine.policy.describe(),
             "files": files}
    with open(os.path.join(path, "state.json"), "w") as f:
        json.dump(state, f, indent=2)
    _fsync_tree(path)
    return files


def save(engine, path: str, write: bool = True) -> dict:
    """Writes a checkpoint of `engine` to `path`. Sharded ranks all call it (the whole state is gathered) and
    only rank 0 writes (`write`)."""
    path = os.path.abspath(path)
    collected = _collect(engine)
    if not write:
        return {}
    tmp, old = f"{path}.tmp-{os.getpid()}", f"{path}.old-{os.getpid()}"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        files = _write(engine, tmp, collected)
        if os.path.exists(path):
            os.replace(path, old)  # the complete new one is in place right after; `old` is then dropped
        os.replace(tmp, path)
        _fsync(os.path.dirname(path))
        shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ApiError(400, "CHECKPOINT_WRITE_FAILED", f"cannot write checkpoint to {path}: {err.strerror}",
                       "path") from err
    return {"path": path, "step": engine.step, "files": [*files, *STATE_FILES]}


def load(engine, path: str) -> dict:
    path = os.path.abspath(path)
    meta = os.path.join(path, "state.json")
    if not os.path.isfile(meta):
        raise ApiError(404, "CHECKPOINT_NOT_FOUND", f"no checkpoint at {path} (state.json missing); "
                       "pass a directory written by /v1/checkpoint/save", "path")
    with open(meta) as f:
        state = json.load(f)
    want = engine.policy.describe()
    if state.get("describe") != want:
        raise ApiError(409, "CHECKPOINT_MISMATCH",
                       f"checkpoint at {path} is for model {json.dumps(state.get('describe'))}, this server holds "
                       f"{json.dumps(want)}: start the server with the same --model/--model-config", "path")
    dev = engine.policy.device
    engine.policy.load_weights(path)
    weights = {}
    if os.path.isfile(os.path.join(path, "model.pt")):
        weights = torch.load(os.path.join(path, "model.pt"), map_location=dev, weights_only=True)
        engine.policy.load_checkpoint_state(weights)
    reference.load_checkpoint_part(engine.policy, weights)
    opt_state = torch.load(os.path.join(path, "optimizer.pt"), map_location=dev, weights_only=True)
    if engine.policy.root is not None:  # sharded: this rank's part of every moment
        from .distributed_fsdp import shard_optimizer_state

        opt_state = shard_optimizer_state(engine.opt, opt_state)
    engine.opt.load_state_dict(opt_state)
    rng = torch.load(os.path.join(path, "rng.pt"), weights_only=True)
    with open(os.path.join(path, "rng.json")) as f:
        pyrng = json.load(f)
    torch.set_rng_state(rng["torch"])
    random.setstate(_py_unstate(pyrng["python"]))
    kind, keys, pos, has_gauss, cached = pyrng["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    engine.rng.setstate(_py_unstate(pyrng["engine"]))
    if "cuda" in rng and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    engine.step = int(state["step"])
    return {"path": path, "step": engine.step, "files": [*state.get("files", ["model.pt"]), *STATE_FILES]}
