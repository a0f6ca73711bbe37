"""Standard Hugging Face directories in checkpoints, and `python -m molrl_policy.hf_export CHECKPOINT --out DIR [--merge]`.

A checkpoint of an hf model holds, beside molrl's optimizer / RNG / state files:
- LoRA: `adapter/` = PeftModel.save_pretrained (adapter_config.json, adapter_model.safetensors) + the tokenizer;
  for hf-random: also `base/` = the random base weights (save_pretrained + tokenizer), which exist nowhere else.
- full fine-tuning: `model/` = save_pretrained of the whole model + the tokenizer.
Export copies the adapter (with its base for hf-random) or the model; `--merge` writes one full model directory
with the LoRA merged in. Every output loads with AutoModelForCausalLM / PeftModel.from_pretrained.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import torch


def _tokenizer(policy):
    if hasattr(policy.tok, "tok"):
        return policy.tok.tok
    from .hf_tokenizers import byte_tokenizer

    return byte_tokenizer()  # the byte tokenizer's twin: same ids, same chat template


def _clean_base_state(base) -> dict:
    """The base model's weights without LoRA parameters or PEFT's `.base_layer` names."""
    return {k.replace(".base_layer.", "."): v for k, v in base.state_dict().items() if "lora_" not in k}


def _generation_config(model, tok_ids) -> None:
    gc = getattr(model, "generation_config", None)
    if gc is not None and gc.eos_token_id is None:
        gc.eos_token_id = list(tok_ids)


def save_policy(policy, path: str, state: dict | None = None) -> list[str]:
    """Writes the standard directories of `policy` into checkpoint directory `path`; returns their names.
    `state`: the whole state dict of a sharded policy (PolicyModel.full_state_dict)."""
    tok = _tokenizer(policy)
    base = policy.base_model
    _generation_config(base, policy.tok.eos_ids)
    if not policy.lora:
        out = os.path.join(path, "model")
        policy.module.save_pretrained(out, **({"state_dict": state} if state is not None else {}))
        tok.save_pretrained(out)
        return ["model"]
    out = os.path.join(path, "adapter")
    policy.module.save_pretrained(out, selected_adapters=["default"])  # not a phase-start reference adapter (model.pt)
    tok.save_pretrained(out)
    names = ["adapter"]
    if policy.base_source is None:  # hf-random: the base weights cannot be downloaded again
        bdir = os.path.join(path, "base")
        fresh = type(base)(base.config)
        fresh.load_state_dict(_clean_base_state(base))
        fresh.generation_config = base.generation_config
        fresh.save_pretrained(bdir)
        tok.save_pretrained(bdir)
        _set_base_path(out, os.path.abspath(bdir))
        names.append("base")
    return names


def _set_base_path(adapter_dir: str, base: str) -> None:
    f = os.path.join(adapter_dir, "adapter_config.json")
    with open(f) as fh:
        cfg = json.load(fh)
    cfg["base_model_name_or_path"] = base
    with open(f, "w") as fh:
        json.dump(cfg, fh, indent=2)


def load_policy_weights(policy, path: str) -> None:
    """Reads what save_policy wrote back into the running policy."""
    if policy.lora:
        from peft import set_peft_model_state_dict
        from peft.utils import load_peft_weights

        set_peft_model_state_dict(policy.module, load_peft_weights(os.path.join(path, "adapter"),
                                                                   device=str(policy.device)))
        return
    import transformers

    src = transformers.AutoModelForCausalLM.from_pretrained(os.path.join(path, "model"),
                                                            dtype=next(policy.module.parameters()).dtype)
    if policy.root is not None:  # sharded: each rank takes its shards
        from .distributed_fsdp import load_full_state_dict

        load_full_state_dict(policy, src.state_dict())
        return
    policy.module.load_state_dict(src.state_dict())


class ExportError(Exception):
    """A checkpoint that cannot be exported; `code` is the CLI's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def export(checkpoint: str, out: str, merge: bool = False) -> dict:
    state_file = os.path.join(checkpoint, "state.json")
    if not os.path.isfile(state_file):
        raise ExportError("EXPORT_CHECKPOINT_INVALID", f"{checkpoint} is not a checkpoint (no state.json)")
    with open(state_file) as f:
        desc = json.load(f).get("describe", {})
    if desc.get("kind") != "hf":
        raise ExportError("EXPORT_UNSUPPORTED", f"{checkpoint} holds a {desc.get('kind')!r} model; only hf: and "
                          "hf-random: checkpoints export to Hugging Face directories")
    os.makedirs(out, exist_ok=True)
    if desc.get("lora_r", 0) == 0:
        shutil.copytree(os.path.join(checkpoint, "model"), out, dirs_exist_ok=True)
        return {"out": out, "kind": "model", "merged": False}
    adapter = os.path.join(checkpoint, "adapter")
    random_base = os.path.isdir(os.path.join(checkpoint, "base"))
    base_src = os.path.join(checkpoint, "base") if random_base else desc["model"][len("hf:"):]
    if not merge:
        shutil.copytree(adapter, out, dirs_exist_ok=True)
        if random_base:
            shutil.copytree(base_src, os.path.join(out, "base"), dirs_exist_ok=True)
            _set_base_path(out, os.path.abspath(os.path.join(out, "base")))
        else:
            _set_base_path(out, base_src)
        return {"out": out, "kind": "adapter", "merged": False, "base": os.path.join(out, "base") if random_base
                else base_src}
    import transformers
    from peft import PeftModel

    base = transformers.AutoModelForCausalLM.from_pretrained(base_src, dtype=torch.float32)
    merged = PeftModel.from_pretrained(base, adapter).merge_and_unload()
    merged.save_pretrained(out)
    transformers.AutoTokenizer.from_pretrained(adapter).save_pretrained(out)
    return {"out": out, "kind": "model", "merged": True}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="molrl_policy.hf_export", description="export a checkpoint to Hugging Face format")
    p.add_argument("checkpoint")
    p.add_argument("--out", required=True)
    p.add_argument("--merge", action="store_true")
    a = p.parse_args(argv)
    try:
        res = export(a.checkpoint, a.out, a.merge)
    except ExportError as err:
        print(json.dumps({"error": {"code": err.code, "message": str(err)}}), flush=True)
        return 2
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
