"""The KL reference of a training phase: the model the server loaded, or the weights at the phase's start.

`POST /v1/phase/start` with `reference: "phase-start"` freezes a snapshot of the trained weights now:
for a LoRA model a second adapter holding a copy of the trained adapter (the reference forward is the
base with that adapter), for full fine-tuning and the tiny model a frozen copy of the module. `"base"`
drops the snapshot: the reference is again the loaded model (LoRA: adapter disabled; else its frozen copy).
The snapshot travels in checkpoints, so a run resumed inside a phase keeps its reference.
"""
from __future__ import annotations

import contextlib
import copy

import torch

SNAPSHOT_ADAPTER = "phase_reference"
CHECKPOINT_KEY = "phase_reference"


def _freeze(module) -> None:
    for name, p in module.named_parameters():
        if SNAPSHOT_ADAPTER in name:
            p.requires_grad_(False)


def current(policy) -> str:
    """'phase-start' while a snapshot is held, else 'base'."""
    return "base" if getattr(policy, "phase_ref", None) is None else "phase-start"


def take_snapshot(policy) -> None:
    """Freeze a copy of the trained weights now as the reference (replaces an earlier snapshot)."""
    if getattr(policy, "root", None) is not None:  # sharded: the reference model's shards take the policy's
        from .distributed_fsdp import snapshot_reference

        snapshot_reference(policy)
        policy.phase_ref = policy.ref
        return
    if policy.lora:
        import peft

        module = policy.module
        state = {k: v.detach().clone() for k, v in peft.get_peft_model_state_dict(module).items()}
        if SNAPSHOT_ADAPTER not in module.peft_config:
            module.add_adapter(SNAPSHOT_ADAPTER, copy.deepcopy(module.peft_config["default"]))
            module.set_adapter("default")  # add_adapter must not change which adapter trains
        peft.set_peft_model_state_dict(module, state, adapter_name=SNAPSHOT_ADAPTER)
        _freeze(module)
        policy.phase_ref = SNAPSHOT_ADAPTER
        return
    snap = copy.deepcopy(policy.module).eval()
    for p in snap.parameters():
        p.requires_grad_(False)
    policy.phase_ref = snap


def drop_snapshot(policy) -> None:
    """Back to the loaded model as the reference."""
    if getattr(policy, "phase_ref", None) is None:
        return
    if policy.lora and SNAPSHOT_ADAPTER in policy.module.peft_config:
        policy.module.delete_adapter(SNAPSHOT_ADAPTER)
        policy.module.set_adapter("default")
    if getattr(policy, "root", None) is not None:
        from .distributed_fsdp import restore_base_reference

        restore_base_reference(policy)
    policy.phase_ref = None


@contextlib.contextmanager
def lora_reference(policy):
    """Within: the LoRA model computes the reference (snapshot adapter active, or the adapter disabled)."""
    module = policy.module
    if getattr(policy, "phase_ref", None) is None:
        with module.disable_adapter():
            yield
        return
    module.set_adapter(SNAPSHOT_ADAPTER, inference_mode=True)
    try:
        yield
    finally:
        module.set_adapter("default")
        _freeze(module)


def checkpoint_part(policy) -> dict:
    """What a checkpoint adds for the snapshot: {} without one."""
    if getattr(policy, "phase_ref", None) is None:
        return {}
    if policy.lora:
        import peft

        return {CHECKPOINT_KEY: peft.get_peft_model_state_dict(policy.module, adapter_name=SNAPSHOT_ADAPTER)}
    if getattr(policy, "root", None) is not None:  # sharded: gathered (a collective: every rank calls it)
        from .distributed_fsdp import full_state_dict

        return {CHECKPOINT_KEY: full_state_dict(policy, policy.phase_ref, tied_once=False)}
    return {CHECKPOINT_KEY: policy.phase_ref.state_dict()}


def load_checkpoint_part(policy, state: dict) -> None:
    """Restores the snapshot a checkpoint holds (or none)."""
    drop_snapshot(policy)
    if CHECKPOINT_KEY not in state:
        return
    take_snapshot(policy)  # the right structure; its weights are replaced next
    if policy.lora:
        import peft

        peft.set_peft_model_state_dict(policy.module, state[CHECKPOINT_KEY], adapter_name=SNAPSHOT_ADAPTER)
        _freeze(policy.module)
    elif getattr(policy, "root", None) is not None:
        from .distributed_fsdp import load_full_state_dict

        load_full_state_dict(policy, state[CHECKPOINT_KEY], policy.phase_ref)
    else:
        with torch.no_grad():
            policy.phase_ref.load_state_dict(state[CHECKPOINT_KEY])
