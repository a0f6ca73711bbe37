"""Sharded full fine-tuning under torchrun: FSDP2 `fully_shard` of an hf model and its frozen reference.

Every decoder layer of the policy and of the reference is its own FSDP unit; one root module (`Root`) holds both
models, so its unit is what is left (embeddings, final norm, output head). FSDP2 gathers a unit's weights in the
unit's forward and reduce-scatters its gradients after the unit's backward, so:
- every computation that touches the weights runs inside `Root.forward` (`PolicyModel.run`): the training
  forward calls the decoder and then uses the output head's weight directly (head.py), which only the root's
  forward hooks gather; its backward reduce-scatters the gradients (summed: divide factor 1, as the replicas'
  all-reduce, since each rank's loss is already divided by the whole batch's counts);
- every rank runs the same number of forwards and backwards (each is a collective): a rank with fewer
  micro-batches runs filler ones with weight 0 (distributed_engine.py);
- generation runs on gathered weights (`gathered`): every unit is all-gathered once and its forward hooks are
  set aside for the whole generation, then the weights are freed, so each rank decodes its prompts on its own,
  with no collective (and no FSDP bookkeeping) per token;
- checkpoints hold full tensors (`full_state_dict`, `full_optimizer_state`: each rank's shards gathered, rank 0
  writes), the same files a single process writes, and each rank takes its shards of a loaded one
  (`load_full_state_dict`, `shard_optimizer_state`): a checkpoint loads on any N and either way of sharding.
"""
from __future__ import annotations

import contextlib

import torch
import torch.nn as nn

from .config import ConfigError

SHARD_MODES = ("auto", "fsdp", "none")


class Root(nn.Module):
    """The FSDP root: the policy and its reference as children; `forward(fn, *args)` runs fn between the root's
    gather and its post-forward hooks (the hooks also see fn's output, so its backward reduce-scatters)."""

    def __init__(self, policy: nn.Module, ref: nn.Module) -> None:
        super().__init__()
        self.policy, self.ref = policy, ref

    def forward(self, fn, *args):
        return fn(*args)


def resolve(mode: str, model: str, lora_r: int, world: int) -> str:
    """--shard -> 'fsdp' or 'none'. auto: fsdp for full fine-tuning of an hf model on several ranks (a replica
    of weights, gradients and Adam moments per rank is what does not fit), else none. ConfigError when fsdp
    cannot apply."""
    if mode not in SHARD_MODES:
        raise ConfigError(f"--shard {mode!r}: expected one of {', '.join(SHARD_MODES)}")
    full_hf = model.startswith(("hf:", "hf-random:")) and lora_r == 0
    if mode == "auto":
        return "fsdp" if full_hf and world > 1 else "none"
    if mode == "fsdp" and not full_hf:
        raise ConfigError(f"--shard fsdp shards full fine-tuning of hf models; --model {model} with --lora-r {lora_r} "
                         "trains " + ("a LoRA adapter" if model != "tiny" else "the tiny model") +
                         ", which runs as replicas: drop --shard fsdp (or use --lora-r 0 with an hf model)")
    return mode


def _fsdp_modules(module: nn.Module) -> list:
    from torch.distributed.fsdp import FSDPModule

    return [m for m in module.modules() if isinstance(m, FSDPModule)]


def _layers(model: nn.Module) -> list[nn.Module]:
    dec = model.get_decoder()
    layers = getattr(dec, "layers", None)
    if layers is None:
        raise ConfigError(f"--shard fsdp: {type(model).__name__} has no decoder .layers to shard; use --shard none")
    return list(layers)


def shard_policy(policy) -> None:
    """fully_shard the policy's and the reference's layers and the root (over the default process group); sets
    `policy.root`. Every rank calls it at start with the same model."""
    from torch.distributed.fsdp import fully_shard

    root = Root(policy.module, policy.ref)
    for model in (policy.module, policy.ref):
        for layer in _layers(model):
            fully_shard(layer)
    fully_shard(root)
    for m in _fsdp_modules(root):
        m.set_gradient_divide_factor(1.0)  # a sum over ranks (the default averages)
        m.set_force_sum_reduction_for_comms(True)  # gloo has no PREMUL_SUM; a plain SUM with factor 1 is the same
    root(lambda: None)  # the first forward goes through the root: FSDP takes the module it runs first as root
    root.reshard()  # the optimizer must see the sharded parameters, not the root's gathered ones
    policy.root = root


def run(policy, fn, *args):
    """fn(*args) inside the root's forward; without gradients the root's gathered weights are freed after it."""
    out = policy.root(fn, *args)
    if not torch.is_grad_enabled():
        policy.root.reshard()
    return out


@contextlib.contextmanager
def gathered(policy):
    """Within: the policy's whole weights are gathered on this rank (one all-gather per unit, a collective) and
    its layers run without FSDP's forward hooks, which would only find them gathered already: generation's many
    small forwards then cost what they cost unsharded, and need no other rank."""
    units = _fsdp_modules(policy.module)
    for m in [policy.root, *units]:
        m.unshard()
    saved = []
    for m in units:
        state = m._get_fsdp_state()
        for hooks, handle in ((m._forward_pre_hooks, state._pre_forward_hook_handle),
                              (m._forward_hooks, state._post_forward_hook_handle)):
            saved.append((hooks, dict(hooks)))
            hooks.pop(handle.id, None)
    try:
        yield
    finally:
        for hooks, before in saved:  # the same hooks in the same order
            hooks.clear()
            hooks.update(before)
        for m in [policy.root, *units]:
            m.reshard()


def _full(t: torch.Tensor) -> torch.Tensor:
    from torch.distributed.tensor import DTensor

    return t.full_tensor() if isinstance(t, DTensor) else t


def full_state_dict(policy, module: nn.Module | None = None, tied_once: bool = True) -> dict[str, torch.Tensor]:
    """The whole state dict of the policy (or of `module`, its reference) on CPU: a collective, every rank calls it
    and gets it. tied_once: a tied weight only under its first name (as save_pretrained writes it)."""
    policy.root.reshard()
    m = policy.module if module is None else module
    aliases = {k for k, _ in m.named_parameters(remove_duplicate=False)} - {k for k, _ in m.named_parameters()}
    return {k: _full(v).detach().cpu() for k, v in m.state_dict().items() if not (tied_once and k in aliases)}


def _shard_like(full: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """This rank's part of `full` laid out as `like` (a DTensor parameter or state); no communication."""
    from torch.distributed.tensor import DTensor, distribute_tensor

    full = full.to(device=like.device, dtype=like.dtype)
    if not isinstance(like, DTensor):
        return full
    return distribute_tensor(full, like.device_mesh, like.placements, src_data_rank=None)


def load_full_state_dict(policy, state: dict[str, torch.Tensor], module: nn.Module | None = None) -> None:
    """Each rank copies its shards of the whole state dict `state` into the sharded policy (or `module`)."""
    policy.root.reshard()
    m = policy.module if module is None else module
    with torch.no_grad():
        for name, p in [*m.named_parameters(), *m.named_buffers()]:
            if name in state:
                p.copy_(_shard_like(state[name], p))


def snapshot_reference(policy) -> None:
    """The phase-start reference, sharded: the reference model's shards take the policy's current values (the
    base's shards are kept on the CPU the first time, for restore_base_reference). No communication."""
    policy.root.reshard()
    pairs = list(zip(policy.ref.parameters(), policy.module.parameters()))
    with torch.no_grad():
        if getattr(policy, "base_shards", None) is None:
            policy.base_shards = [r.detach().to_local().to("cpu", copy=True) for r, _ in pairs]
        for r, p in pairs:
            r.copy_(p.detach())


def restore_base_reference(policy) -> None:
    """Back to the loaded model as the reference (the base's shards kept by snapshot_reference)."""
    policy.root.reshard()
    with torch.no_grad():
        for r, b in zip(policy.ref.parameters(), policy.base_shards or []):
            r.to_local().copy_(b)


def _opt_params(opt) -> list[torch.Tensor]:
    return [p for g in opt.param_groups for p in g["params"]]


def full_optimizer_state(opt) -> dict:
    """opt.state_dict() with every sharded moment gathered to a whole CPU tensor (a collective), in the format a
    single process writes (states keyed by parameter index)."""
    sd = opt.state_dict()
    sd["state"] = {i: {k: _full(v).cpu() if isinstance(v, torch.Tensor) else v for k, v in st.items()}
                   for i, st in sorted(sd["state"].items())}
    return sd


def shard_optimizer_state(opt, sd: dict) -> dict:
    """A whole optimizer state dict -> the same with each moment cut to this rank's shard of its parameter."""
    params = _opt_params(opt)
    out = dict(sd)
    out["state"] = {}
    for i, st in sd["state"].items():
        p = params[int(i)]
        out["state"][i] = {k: _shard_like(v, p) if isinstance(v, torch.Tensor) and v.shape == p.shape else v
                           for k, v in st.items()}
    return out
