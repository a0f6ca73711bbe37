"""Hugging Face causal LMs behind the PolicyModel interface (`hf:<path-or-id>`, `hf-random:<config>`).

transformers and peft are imported lazily: nothing here is needed for the tiny model. `HFOptions.dtype` "auto" is
bf16 on CUDA and fp32 on CPU. With `lora_r > 0` a PEFT LoRA adapter (all linear layers, alpha = r, fp32) is the
only trained part and the reference is the base with the adapter disabled; with `lora_r = 0` the whole model
trains in fp32 master weights (bf16 only through autocast) against a frozen copy. Gradient checkpointing is on by
default. Tokenizers and chat templates live in hf_chat.py.
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import json
import os
from dataclasses import dataclass
from typing import Any

import torch

from . import reference
from .config import ConfigError
from .hf_chat import HFTokenizer
from .model import PolicyModel
from .tokenizer import ByteTokenizer

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass
class HFOptions:
    """Server flags of hf models (`--dtype`, `--attn-implementation`, `--[no-]gradient-checkpointing`, `--lora-r`)."""

    lora_r: int = 64
    dtype: str = "auto"  # auto | float32 | bfloat16 | float16
    attn_implementation: str | None = None  # eager | sdpa | flash_attention_2 | None = transformers' choice
    gradient_checkpointing: bool = True


def _require(name: str):
    try:
        return __import__(name)
    except ImportError as err:
        raise ConfigError(f"hf models need {name} (No module named '{name}'): run 'npm run setup' (it installs "
                          "molrl-policy[hf] into .venv) or 'pip install molrl-policy[hf]'; or use --model tiny") from err


class HFPolicy(PolicyModel):
    def __init__(self, spec: str, model, tok, device: torch.device, opts: HFOptions, compute_dtype: torch.dtype,
                 seed: int = 0, base_source: str | None = None) -> None:
        self.spec, self.module, self.tok, self.device, self.opts = spec, model, tok, device, opts
        self.lora = opts.lora_r > 0
        self.lora_r = opts.lora_r
        self.seed = seed
        self.base_source = base_source  # hf: path or id of the base weights (None for hf-random)
        self.compute_dtype = compute_dtype
        param_dtype = next(model.parameters()).dtype
        # Full fine-tuning keeps fp32 master weights; a lower compute dtype then runs through autocast.
        self.autocast = compute_dtype != param_dtype and compute_dtype != torch.float32
        self.context = getattr(self.base_model.config, "max_position_embeddings", None)
        fwd = inspect.signature(type(self.base_model).forward).parameters
        self.cache_kw = "cache" if "cache" in fwd else "past_key_values"
        self.ref = None
        if not self.lora:
            self.ref = copy.deepcopy(model).eval()
            for p in self.ref.parameters():
                p.requires_grad_(False)

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def base_model(self):
        return self.module.get_base_model() if self.lora else self.module

    def _ctx(self):
        if not self.autocast:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.compute_dtype)

    @staticmethod
    def _pos(attn: torch.Tensor) -> torch.Tensor:
        return (attn.long().cumsum(1) - 1).clamp(min=0)  # (B, T)

    def _run(self, model, ids, attn, **kw):
        with self._ctx():
            return model(input_ids=ids, attention_mask=attn.long(), position_ids=self._pos(attn), **kw)

    @staticmethod
    def _cache(out):
        return out.cache if getattr(out, "cache", None) is not None else out.past_key_values

    # -- training forward ---------------------------------------------------------------------------
    def logits(self, ids, attn):
        return self._run(self.module, ids, attn, use_cache=False).logits  # (B, T, V)

    def _ref_model(self):
        """Full fine-tuning's reference: the phase-start snapshot when one is held, else the frozen base copy."""
        return self.ref if self.phase_ref is None else self.phase_ref

    def ref_logits(self, ids, attn):
        with torch.no_grad():
            if self.lora:
                with reference.lora_reference(self):
                    return self._run(self.module, ids, attn, use_cache=False).logits
            return self._run(self._ref_model(), ids, attn, use_cache=False).logits

    def hidden(self, ids, attn):
        """Final hidden states (B, T, D) of the policy (LoRA active), before the output head."""
        dec = self.base_model.get_decoder()
        return self._run(dec, ids, attn, use_cache=False).last_hidden_state

    def ref_hidden(self, ids, attn):
        with torch.no_grad():
            if self.lora:
                with reference.lora_reference(self):
                    return self.hidden(ids, attn)
            return self._run(self._ref_model().get_decoder(), ids, attn, use_cache=False).last_hidden_state

    def head(self) -> torch.Tensor:
        return self.base_model.get_output_embeddings().weight  # (V, D)

    def ref_head(self) -> torch.Tensor:
        return self.head() if self.lora else self._ref_model().get_output_embeddings().weight

    # -- generation ---------------------------------------------------------------------------------
    def prefill(self, ids, attn, max_new: int = 0):
        with torch.no_grad():
            out = self._run(self.module, ids, attn, use_cache=True, logits_to_keep=1)  # logits (B, 1, V)
        st = {"past": self._cache(out), "attn": attn.long(), "pos": attn.long().sum(1)}
        return st, out.logits[:, -1].float()

    def decode(self, st, tokens):
        st["attn"] = torch.cat([st["attn"], torch.ones_like(st["attn"][:, :1])], 1)  # (B, T+1)
        with torch.no_grad(), self._ctx():
            out = self.module(input_ids=tokens[:, None], attention_mask=st["attn"], position_ids=st["pos"][:, None],
                              use_cache=True, **{self.cache_kw: st["past"]})
        st["past"], st["pos"] = self._cache(out), st["pos"] + 1
        return out.logits[:, -1].float()

    def select(self, st, keep):
        past = st["past"]
        if hasattr(past, "batch_select_indices"):
            past.batch_select_indices(keep)
        else:
            past = tuple(tuple(t.index_select(0, keep) for t in layer) for layer in past)
        return {"past": past, "attn": st["attn"].index_select(0, keep), "pos": st["pos"].index_select(0, keep)}

    def kv_bytes_per_token(self) -> int:
        c = self.base_model.config
        c = getattr(c, "text_config", c)
        heads = getattr(c, "num_key_value_heads", None) or c.num_attention_heads
        head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
        size = torch.finfo(self.compute_dtype).bits // 8
        return 2 * c.num_hidden_layers * heads * head_dim * size

    # -- checkpoints --------------------------------------------------------------------------------
    def checkpoint_state(self):
        return {}  # the weights go to the standard directories written by save_weights

    def load_checkpoint_state(self, state):
        pass

    def save_weights(self, path: str, state=None) -> list[str]:
        from . import hf_export

        return hf_export.save_policy(self, path, state)

    def load_weights(self, path: str) -> None:
        from . import hf_export

        hf_export.load_policy_weights(self, path)

    def describe(self):
        d = {"kind": "hf", "model": self.spec, "lora_r": self.lora_r}
        if self.spec.startswith("hf-random:"):
            d["seed"] = self.seed  # random base weights: another seed is another base model
        return d


def _read_random_config(text: str) -> dict:
    """`hf-random:` argument -> config dict. A JSON object, a JSON file, or a directory with config.json."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"hf-random config is not valid JSON ({err}): pass a JSON object, a JSON file or a "
                              "directory with config.json") from err
    path = os.path.join(text, "config.json") if os.path.isdir(text) else text
    if not os.path.isfile(path):
        raise ConfigError(f"hf-random:{text}: no such file or directory; pass a JSON object, a JSON file or a "
                          "directory with config.json")
    with open(path) as f:
        return json.load(f)


def _check_model_dir(path: str) -> None:
    """A local hf: directory must hold a config.json with a model_type (the check transformers makes obscurely)."""
    if os.path.isdir(path):
        cfg = os.path.join(path, "config.json")
        if not os.path.isfile(cfg):
            raise ConfigError(f"hf:{path}: the directory has no config.json; point hf: at a directory written by "
                              "save_pretrained (config.json + weights + tokenizer)")
        with open(cfg) as f:
            if "model_type" not in json.load(f):
                raise ConfigError(f"hf:{path}: config.json has no model_type; add one (e.g. \"qwen3\", \"llama\")")
    elif path.startswith((".", "/", "~")) or path.count("/") > 1:
        raise ConfigError(f"hf:{path}: no such directory; give a directory written by save_pretrained or a hub id "
                          "(owner/name) that is cached or downloadable")


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    if name not in DTYPES:
        raise ConfigError(f"--dtype {name!r}: expected auto, {', '.join(DTYPES)}")
    return DTYPES[name]


def _eos_ids(tok, model) -> list[int]:
    gen = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    cfg = getattr(model.config, "eos_token_id", None)
    out = [tok.eos_token_id]
    for x in (gen, cfg):
        out += x if isinstance(x, list) else [x]
    return [i for i in out if i is not None]


def load_policy(spec: str, device: str = "cpu", lora_r: int = 64, seed: int = 0, model_config: str | None = None,
                opts: HFOptions | None = None) -> HFPolicy:
    transformers = _require("transformers")
    opts = opts or HFOptions(lora_r=lora_r)
    dev = torch.device(device)
    compute = resolve_dtype(opts.dtype, dev)
    # Full fine-tuning: fp32 master weights (a bf16 Adam update rounds most small steps away); LoRA: the frozen
    # base in the compute dtype, the adapter in fp32 (peft's default).
    load_dtype = torch.float32 if opts.lora_r == 0 else compute
    kw = {"dtype": load_dtype}
    if opts.attn_implementation:
        kw["attn_implementation"] = opts.attn_implementation
    torch.manual_seed(seed)
    base_source = None
    if spec.startswith("hf-random:"):
        text = model_config or spec[len("hf-random:"):]
        data = _read_random_config(text)
        spec = "hf-random:" + (json.dumps(data, sort_keys=True) if text.lstrip().startswith("{") else text)
        tok_id = data.pop("tokenizer", None)
        if "model_type" not in data:
            raise ConfigError("hf-random config needs a model_type (e.g. \"qwen3\", \"llama\"): add "
                              "\"model_type\" to the config", "model_type")
        try:
            cfg = transformers.AutoConfig.for_model(**data)
        except (ValueError, KeyError) as err:
            raise ConfigError(f"hf-random config: {err}") from err
        model = transformers.AutoModelForCausalLM.from_config(cfg, **kw)
        if tok_id:
            tok = HFTokenizer.load(tok_id, None)
            tok.set_eos(_eos_ids(tok.tok, model))
        else:
            tok = ByteTokenizer()  # random weights: byte tokens are enough for benchmarks and tests
            if cfg.vocab_size < tok.vocab_size:
                raise ConfigError(f"hf-random without a tokenizer needs vocab_size >= {tok.vocab_size} (got "
                                  f"{cfg.vocab_size}): raise vocab_size or name a \"tokenizer\"", "vocab_size")
    else:
        path = spec[len("hf:"):]
        base_source = path
        _check_model_dir(path)
        overrides = json.loads(model_config) if model_config else {}
        if not isinstance(overrides, dict):
            raise ConfigError("--model-config for hf: must be a JSON object of config overrides")
        try:
            cfg = transformers.AutoConfig.from_pretrained(path, **overrides)
            model = transformers.AutoModelForCausalLM.from_pretrained(path, config=cfg, **kw)
        except (OSError, ValueError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ConfigError(f"hf:{path}: cannot load the model ({first}); give a save_pretrained directory or a "
                              "hub id that is cached or downloadable") from err
        tok = HFTokenizer.load(path, None)
        tok.set_eos(_eos_ids(tok.tok, model))
    if opts.gradient_checkpointing:
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.2 name
            model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.to(dev)
    if opts.lora_r > 0:
        peft = _require("peft")
        lcfg = peft.LoraConfig(r=opts.lora_r, lora_alpha=opts.lora_r, lora_dropout=0.0, target_modules="all-linear",
                               task_type="CAUSAL_LM")
        model = peft.get_peft_model(model, lcfg)
        if opts.gradient_checkpointing:
            model.enable_input_require_grads()  # checkpointed blocks need an input that requires grad
    return HFPolicy(spec, model, tok, dev, opts, compute, seed=seed, base_source=base_source)
